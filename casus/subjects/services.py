"""Finding or creating betrokkenen, and matching new ones against those already known."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date

import sqlalchemy as sa

from casus.extensions import db
from casus.services import ServiceError
from casus.subjects import validation
from casus.subjects.models import COLLECTIVE_KINDS, Subject, SubjectKind


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
    straat: str | None = None
    woonplaats: str | None = None


def check(data: SubjectInput, today: date) -> tuple[dict, list[ServiceError]]:
    """Every rule once: the normalised column values, and one ServiceError per wrong field.

    Each problem names its own field, as the model does (``bsn``, ``date_of_birth``, ...): the validators
    say which field they check, so nobody has to guess it from the message.
    """
    try:
        kind = SubjectKind(data.kind)
    except ValueError:
        return {}, [ServiceError("Kies persoon, adres, bedrijf, huishouden of groep.", field="kind")]
    values: dict = {"kind": kind}
    problems: list[ServiceError] = []

    def take(column: str, validate, *args) -> None:
        try:
            values[column] = validate(*args)
        except ServiceError as problem:
            problems.append(problem)

    if kind in (SubjectKind.PERSOON, SubjectKind.BEDRIJF, *COLLECTIVE_KINDS):
        take("name", _required_name, data.name)
    if kind == SubjectKind.PERSOON:
        take("date_of_birth", validation.date_of_birth, data.date_of_birth, today)
        take("bsn", _optional(validation.bsn), data.bsn)
    if kind == SubjectKind.BEDRIJF:
        take("kvk_nummer", validation.kvk_nummer, data.kvk_nummer or "")
    # Straat and woonplaats belong to an address: given without a postcode, the postcode is what is missing.
    if kind == SubjectKind.ADRES or data.postcode or _filled(data.straat) or _filled(data.woonplaats):
        take("postcode", validation.postcode, data.postcode or "")
        take("huisnummer", validation.huisnummer, data.huisnummer or "")
        take("toevoeging", validation.toevoeging, data.toevoeging)
        if _filled(data.straat):  # absent stays absent (not a None column): the lookup may fill it
            take("straat", _straat, data.straat)
        if _filled(data.woonplaats):
            take("woonplaats", _woonplaats, data.woonplaats)
    if values.get("name"):
        values["name_key"] = validation.normalise_name(values["name"])
    return values, problems


def validated(data: SubjectInput, today: date, index: int = 0) -> dict:
    """Normalised column values for ``data``; else its first problem, naming the field as the signal form does
    (``subjects-0-bsn``)."""
    values, problems = check(data, today)
    if problems:
        first = problems[0]
        first.field = f"subjects-{index}-{first.field}"
        raise first
    return values


def subject_errors(data: SubjectInput, today: date) -> dict[str, str]:
    """Every problem with ``data`` at once, by field name (``bsn``, ``postcode``, ...); empty when valid.

    Forms and API schemas use this to put each message next to its own field before calling a service;
    ``validated`` still guards the service with the same rules.
    """
    return {problem.field: problem.message for problem in check(data, today)[1]}


def _optional(validate):
    """``validate``, but an empty value is simply absent (``None``)."""
    return lambda value: validate(value) if value else None


def _filled(value: str | None) -> bool:
    return bool((value or "").strip())


def _single_spaced(value: str | None) -> str:
    return " ".join((value or "").split())


def _straat(value: str | None) -> str | None:
    value = _single_spaced(value)
    if len(value) > 120:
        raise ServiceError("Een straatnaam is hoogstens 120 tekens.", field="straat")
    return value or None


def _woonplaats(value: str | None) -> str | None:
    value = _single_spaced(value)
    if len(value) > 80:
        raise ServiceError("Een woonplaats is hoogstens 80 tekens.", field="woonplaats")
    return value or None


def _required_name(name: str | None) -> str:
    name = " ".join((name or "").split())
    if not name:
        raise ServiceError("Vul een naam in.", field="name")
    if len(name) > 200:
        raise ServiceError("Een naam is hoogstens 200 tekens.", field="name")
    return name


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


def find_or_create(values: dict) -> tuple[Subject, bool]:
    """The matching known subject (second value True), or a new one (False); ``values`` as :func:`validated`
    returns them."""
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
    if subject.postcode == values.get("postcode") and subject.huisnummer == values.get("huisnummer"):
        for key in ("straat", "woonplaats"):  # only for the same address: never a street from another one
            if getattr(subject, key) is None and values.get(key) is not None:
                setattr(subject, key, values[key])
