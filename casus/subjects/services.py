"""Finding or creating betrokkenen, and matching new ones against those already known."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date

import sqlalchemy as sa

from casus.extensions import db
from casus.services import ServiceError
from casus.subjects import validation
from casus.subjects.models import Subject, SubjectKind


@dataclass(frozen=True)
class SubjectInput:
    """A betrokkene as entered on the signal form or in the API, not yet validated."""

    kind: str
    name: str | None = None
    date_of_birth: date | None = None
    bsn: str | None = None
    postcode: str | None = None
    huisnummer: str | int | None = None
    toevoeging: str | None = None
    kvk_nummer: str | None = None


def validated(data: SubjectInput, today: date, index: int = 0) -> dict:
    """Normalised column values for ``data``; ServiceError naming the field (``subjects-0-bsn``) if wrong."""
    prefix = f"subjects-{index}-"
    try:
        kind = SubjectKind(data.kind)
    except ValueError as error:
        raise ServiceError("Kies persoon, adres of bedrijf.", field=prefix + "kind") from error
    values: dict = {"kind": kind}
    try:
        if kind in (SubjectKind.PERSOON, SubjectKind.BEDRIJF):
            values["name"] = _required_name(data.name)
        if kind == SubjectKind.PERSOON:
            values["date_of_birth"] = validation.date_of_birth(data.date_of_birth, today)
            values["bsn"] = validation.bsn(data.bsn) if data.bsn else None
        if kind == SubjectKind.BEDRIJF:
            values["kvk_nummer"] = validation.kvk_nummer(data.kvk_nummer or "")
        if kind == SubjectKind.ADRES or data.postcode:
            values["postcode"] = validation.postcode(data.postcode or "")
            values["huisnummer"] = validation.huisnummer(data.huisnummer or "")
            values["toevoeging"] = validation.toevoeging(data.toevoeging)
    except ValueError as error:
        raise ServiceError(str(error), field=prefix + _field_of(str(error))) from error
    if values.get("name"):
        values["name_key"] = validation.normalise_name(values["name"])
    return values


def subject_errors(data: SubjectInput, today: date) -> dict[str, str]:
    """Every problem with ``data`` at once, by field name (``bsn``, ``postcode``, ...); empty when valid.

    Forms and API schemas use this to put each message next to its own field; ``validated`` still
    guards the service with the same rules.
    """
    try:
        kind = SubjectKind(data.kind)
    except ValueError:
        return {"kind": "Kies persoon, adres of bedrijf."}
    errors: dict[str, str] = {}

    def check(field: str, validate, *args) -> None:
        try:
            validate(*args)
        except ValueError as error:
            errors[field] = str(error)

    if kind in (SubjectKind.PERSOON, SubjectKind.BEDRIJF):
        check("name", _required_name, data.name)
    if kind == SubjectKind.PERSOON:
        check("date_of_birth", validation.date_of_birth, data.date_of_birth, today)
        if data.bsn:
            check("bsn", validation.bsn, data.bsn)
    if kind == SubjectKind.BEDRIJF:
        check("kvk_nummer", validation.kvk_nummer, data.kvk_nummer or "")
    if kind == SubjectKind.ADRES or data.postcode:
        check("postcode", validation.postcode, data.postcode or "")
        check("huisnummer", validation.huisnummer, data.huisnummer or "")
        check("toevoeging", validation.toevoeging, data.toevoeging)
    return errors


def _required_name(name: str | None) -> str:
    name = " ".join((name or "").split())
    if not name:
        raise ValueError("Vul een naam in.")
    if len(name) > 200:
        raise ValueError("Een naam is hoogstens 200 tekens.")
    return name


def _field_of(message: str) -> str:
    for word, field in (("BSN", "bsn"), ("postcode", "postcode"), ("huisnummer", "huisnummer"),
                        ("toevoeging", "toevoeging"), ("KvK", "kvk_nummer"), ("geboorte", "date_of_birth"),
                        ("naam", "name")):
        if word.lower() in message.lower():
            return field
    return "kind"


def find_match(values: dict) -> Subject | None:
    """The existing subject this one is: same BSN; same name and date of birth; same address; same KvK."""
    kind = values["kind"]
    candidates = []
    if values.get("bsn"):
        candidates.append(Subject.bsn == values["bsn"])
    if kind == SubjectKind.PERSOON and values.get("date_of_birth"):
        candidates.append(sa.and_(Subject.name_key == values["name_key"],
                                  Subject.date_of_birth == values["date_of_birth"]))
    if kind == SubjectKind.ADRES:
        candidates.append(sa.and_(Subject.kind == SubjectKind.ADRES, Subject.postcode == values["postcode"],
                                  Subject.huisnummer == values["huisnummer"],
                                  _same_toevoeging(values.get("toevoeging"))))
    if kind == SubjectKind.BEDRIJF:
        candidates.append(Subject.kvk_nummer == values["kvk_nummer"])
    if not candidates:
        return None
    query = sa.select(Subject).where(Subject.kind == kind, sa.or_(*candidates)).order_by(Subject.id).limit(1)
    return db.session.execute(query).scalar_one_or_none()


def _same_toevoeging(toevoeging: str | None):
    return Subject.toevoeging.is_(None) if toevoeging is None else Subject.toevoeging == toevoeging


def find_or_create(data: SubjectInput, today: date, index: int = 0) -> tuple[Subject, bool]:
    """The matching known subject (second value True), or a new one (False)."""
    values = validated(data, today, index)
    match = find_match(values)
    if match is not None:
        _complete(match, values)
        return match, True
    subject = Subject(**values)
    db.session.add(subject)
    db.session.flush()
    return subject, False


def _complete(subject: Subject, values: dict) -> None:
    """Fill gaps in a known subject (a BSN or date of birth learned later); never overwrite what is known."""
    for key in ("bsn", "date_of_birth", "postcode", "huisnummer", "toevoeging"):
        if getattr(subject, key) is None and values.get(key) is not None:
            setattr(subject, key, values[key])
