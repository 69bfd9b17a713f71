"""``casus audit verify``: recompute the audit chain and check it against the seals.

The seals in the seal file (``CASUS_AUDIT_SEAL_DIR``) are authoritative: a database seal that differs from them,
or is missing from them, is itself a finding. Without a seal file the database's seals are used, each checked
against its signature (the key is not in the database, so a seal cannot be forged there).

Findings (:class:`FindingKind`), each with a position in the chain and/or an event id — never an event's contents:

* ``modified`` — an event whose link hash no longer matches ``SHA-256(previous link hash ‖ the event now)``: the
  event was changed (or the link before it rewritten);
* ``deleted`` — a link whose event is gone; ``link_missing`` — a position missing from the chain;
* ``truncated`` — the chain is shorter than a seal's head position;
* ``rewritten`` — the link at a seal's head has another hash than the seal, or the number of links up to it
  differs: links were rewritten after the seal;
* ``backdated`` — an event placed after a seal (not covered by it) that says it occurred more than
  :data:`IN_FLIGHT_GRACE` before that seal was made: it was inserted later with an earlier time;
* ``chained_late`` — an event placed after the first seal but chained more than :data:`SEALING_INTERVAL` after it
  says it occurred: inserted with an earlier time (or the scheduler was down that long). Before the first seal
  there is nothing to measure against: the first chaining of an existing log links months-old events;
* ``never_chained`` — an event older than :data:`SEALING_INTERVAL` without a link (inserted with an id or time
  the chainer no longer looks at);
* ``seal_signature`` — a seal whose signature is wrong; ``seal_key_unknown`` — signed with a key not configured;
  ``seal_not_in_file`` / ``seal_not_in_database`` — the two copies differ; ``seal_file_missing`` /
  ``seal_file_unreadable`` — the outside copy is gone or holds lines that are no seal.

Events chained between the last seal and now are protected only by the chain itself: removing the newest events
together with their links leaves no trace until the next seal. Seal more often to shorten that window.
"""

from __future__ import annotations

from collections import Counter
from dataclasses import dataclass, field
from datetime import datetime, timedelta

import sqlalchemy as sa
from flask import Flask
from sqlalchemy.orm import Session

from casus.audit.chain import EVENTS, GENESIS, LINKS, event_columns, link_hash
from casus.audit.models import AuditSeal, AuditVerification
from casus.audit.seals import Seal, SealRefused, read_file, seal_file, seal_keys
from casus.config import Config
from casus.database import utcnow
from casus.labels import N_, LabelledEnum

SEALING_INTERVAL = timedelta(days=1)  # the daily seal job (casus.scheduling.jobs)
# A request that flushed its event shortly before a seal and committed after it is chained after that seal: not
# back-dated. Longer than any request or job transaction.
IN_FLIGHT_GRACE = timedelta(minutes=15)
MAX_LISTED = 100  # findings listed per kind; the rest are counted
READ_BATCH = 5000

class FindingKind(LabelledEnum):
    MODIFIED = "modified", N_("gebeurtenis gewijzigd (of de schakel ervoor herschreven)")
    DELETED = "deleted", N_("gebeurtenis verwijderd")
    LINK_MISSING = "link_missing", N_("schakel ontbreekt in de keten")
    TRUNCATED = "truncated", N_("keten korter dan een zegel: ingekort")
    REWRITTEN = "rewritten", N_("keten herschreven na een zegel")
    BACKDATED = "backdated", N_("gebeurtenis van vóór een zegel dat haar niet dekt: later ingevoegd")
    CHAINED_LATE = "chained_late", N_("gebeurtenis pas lang na haar tijdstip in de keten: later ingevoegd")
    NEVER_CHAINED = "never_chained", N_("gebeurtenis ouder dan het verzegelinterval zonder plaats in de keten")
    SEAL_SIGNATURE = "seal_signature", N_("zegel met een onjuiste handtekening")
    SEAL_KEY_UNKNOWN = "seal_key_unknown", N_("zegel ondertekend met een onbekende sleutel")
    SEAL_NOT_IN_FILE = "seal_not_in_file", N_("zegel in de database staat niet in het zegelbestand")
    SEAL_NOT_IN_DATABASE = "seal_not_in_database", N_("zegel uit het zegelbestand ontbreekt in de database")
    SEAL_FILE_MISSING = "seal_file_missing", N_("zegelbestand ontbreekt terwijl er zegels zijn")
    SEAL_FILE_UNREADABLE = "seal_file_unreadable", N_("regel in het zegelbestand is geen zegel")


@dataclass(frozen=True)
class Finding:
    kind: str
    position: int | None = None
    event_id: int | None = None
    note: str = ""

    def as_dict(self) -> dict:
        values = {"kind": self.kind, "position": self.position, "event_id": self.event_id, "note": self.note}
        return {key: value for key, value in values.items() if value not in (None, "")}


@dataclass
class Report:
    started_at: datetime
    chain_length: int = 0
    seals: int = 0
    seal_source: str = "database"
    listed: list[Finding] = field(default_factory=list)
    counts: Counter = field(default_factory=Counter)
    finished_at: datetime | None = None

    @property
    def ok(self) -> bool:
        return not self.counts

    def add(self, finding: Finding) -> None:
        self.counts[finding.kind] += 1
        if self.counts[finding.kind] <= MAX_LISTED:
            self.listed.append(finding)

    def stored_findings(self) -> list[dict]:
        """The listed findings, and per kind with more than were listed, how many more."""
        more = [{"kind": kind, "more": count - MAX_LISTED} for kind, count in sorted(self.counts.items())
                if count > MAX_LISTED]
        return [finding.as_dict() for finding in self.listed] + more


# --- seals ----------------------------------------------------------------------------------------------------

def _authoritative_seals(session: Session, config: Config, report: Report) -> list[Seal]:
    """The seals to check the chain against, with the findings about the seals themselves."""
    in_database = [Seal.from_row(row) for row in session.execute(
        sa.select(AuditSeal).order_by(AuditSeal.head_position, AuditSeal.sealed_at)).scalars()]
    path = seal_file(config)
    if path is None:
        seals = in_database
    else:
        report.seal_source = str(path)
        seals = _file_seals(path, in_database, report)
    _check_signatures(seals, config, report)
    report.seals = len(seals)
    return sorted(seals, key=lambda seal: (seal.head_position, seal.sealed_at))


def _file_seals(path, in_database: list[Seal], report: Report) -> list[Seal]:
    if not path.exists():
        if in_database:
            report.add(Finding(FindingKind.SEAL_FILE_MISSING, note=str(path)))
        return in_database  # nothing outside: the database's copies are all there is to check against
    seals, unreadable = read_file(path)
    for number in unreadable:
        report.add(Finding(FindingKind.SEAL_FILE_UNREADABLE, note=f"regel {number}"))
    in_file = {seal.identity for seal in seals}
    stored = {seal.identity for seal in in_database}
    for seal in in_database:
        if seal.identity not in in_file:
            report.add(Finding(FindingKind.SEAL_NOT_IN_FILE, position=seal.head_position, note=_when(seal)))
    for seal in seals:
        if seal.identity not in stored:
            report.add(Finding(FindingKind.SEAL_NOT_IN_DATABASE, position=seal.head_position, note=_when(seal)))
    return seals


def _check_signatures(seals: list[Seal], config: Config, report: Report) -> None:
    try:
        keys = {key.key_id: key.secret for key in seal_keys(config)}
    except SealRefused as error:
        keys = {}
        if seals:
            report.add(Finding(FindingKind.SEAL_KEY_UNKNOWN, note=str(error)))
    for seal in seals:
        valid = seal.signature_valid(keys)
        if valid is None:
            report.add(Finding(FindingKind.SEAL_KEY_UNKNOWN, position=seal.head_position, note=seal.key_id))
        elif not valid:
            report.add(Finding(FindingKind.SEAL_SIGNATURE, position=seal.head_position, note=_when(seal)))


def _when(seal: Seal) -> str:
    return seal.sealed_at.isoformat(timespec="seconds")


# --- the chain ------------------------------------------------------------------------------------------------

class _SealIndex:
    """Walks along the chain with the seals: the last seal that does not cover a position, and what the chain
    holds at each seal's head (its hash, the number of links up to it)."""

    def __init__(self, seals: list[Seal]) -> None:
        self.seals = seals
        self.next = 0  # seals[:next] have a head before the current position
        self.heads = {seal.head_position for seal in seals}
        self.seen: dict[int, tuple[str, int]] = {0: (GENESIS, 0)}

    def before(self, position: int) -> Seal | None:
        while self.next < len(self.seals) and self.seals[self.next].head_position < position:
            self.next += 1
        return self.seals[self.next - 1] if self.next else None

    def passed(self, position: int, link_hash: str, links: int) -> None:
        if position in self.heads:
            self.seen[position] = (link_hash, links)


def _walk_chain(session: Session, seals: list[Seal], report: Report) -> None:
    """Every link in position order with its event (if any): recompute, compare, check times and seals."""
    query = (sa.select(LINKS.c.position, LINKS.c.event_id, LINKS.c.hash, LINKS.c.chained_at,
                       EVENTS.c.id.label("found"), *[column for column in event_columns() if column.key != "id"])
             .outerjoin(EVENTS, EVENTS.c.id == LINKS.c.event_id)
             .order_by(LINKS.c.position)
             .execution_options(yield_per=READ_BATCH))
    index, expected, previous = _SealIndex(seals), 1, GENESIS
    for row in session.execute(query).mappings():
        position = row["position"]
        if position != expected:
            report.add(Finding(FindingKind.LINK_MISSING, position=expected,
                               note="" if position == expected + 1 else f"tot en met {position - 1}"))
        if row["found"] is None:
            report.add(Finding(FindingKind.DELETED, position=position, event_id=row["event_id"]))
        else:
            _check_event(row, previous, index.before(position), report)
        previous, expected = row["hash"], position + 1
        report.chain_length += 1
        index.passed(position, row["hash"], report.chain_length)
    _check_heads(seals, index.seen, expected - 1, report)


def _check_event(row, previous: str, last_seal: Seal | None, report: Report) -> None:
    position, event_id = row["position"], row["event_id"]
    if link_hash(previous, {**row, "id": event_id}) != row["hash"]:
        report.add(Finding(FindingKind.MODIFIED, position=position, event_id=event_id))
    if last_seal is None:
        return  # before the first seal: the first chaining of an existing log links months-old events
    occurred_at = row["occurred_at"]
    if occurred_at < last_seal.sealed_at - IN_FLIGHT_GRACE:
        report.add(Finding(FindingKind.BACKDATED, position=position, event_id=event_id,
                           note=f"na het zegel van {_when(last_seal)}"))
    elif row["chained_at"] - occurred_at > SEALING_INTERVAL:
        report.add(Finding(FindingKind.CHAINED_LATE, position=position, event_id=event_id))


def _check_heads(seals: list[Seal], seen: dict[int, tuple[str, int]], last: int, report: Report) -> None:
    for seal in seals:
        if seal.head_position > last:
            report.add(Finding(FindingKind.TRUNCATED, position=seal.head_position, note=_when(seal)))
        elif seal.head_position in seen and seen[seal.head_position] != (seal.head_hash, seal.event_count):
            report.add(Finding(FindingKind.REWRITTEN, position=seal.head_position, note=_when(seal)))
        # a head inside a gap of the chain is reported as link_missing


def _never_chained(session: Session, now: datetime, report: Report) -> None:
    query = (sa.select(EVENTS.c.id)
             .where(~sa.exists().where(LINKS.c.event_id == EVENTS.c.id),
                    EVENTS.c.occurred_at < now - SEALING_INTERVAL)
             .order_by(EVENTS.c.id)
             .execution_options(yield_per=READ_BATCH))
    for event_id in session.execute(query).scalars():
        report.add(Finding(FindingKind.NEVER_CHAINED, event_id=event_id))


# --- running it -----------------------------------------------------------------------------------------------

def verify_chain(session: Session, config: Config, *, now: datetime | None = None) -> Report:
    """Check the chain and the seals; reads only."""
    report = Report(started_at=now or utcnow())
    seals = _authoritative_seals(session, config, report)
    _walk_chain(session, seals, report)
    _never_chained(session, report.started_at, report)
    report.finished_at = utcnow()
    return report


def run_verification(app: Flask, session: Session, *, started_by: str, now: datetime | None = None,
                     ) -> tuple[Report, AuditVerification]:
    """Verify and store the result (an insert; flushes, the caller commits)."""
    report = verify_chain(session, app.config["CASUS"], now=now)
    row = AuditVerification(started_at=report.started_at, finished_at=report.finished_at, ok=report.ok,
                            chain_length=report.chain_length, started_by=started_by[:20],
                            findings=report.stored_findings())
    session.add(row)
    session.flush()
    return report, row


def latest(session: Session) -> tuple[AuditVerification | None, AuditSeal | None]:
    """The last verification and the last seal, for the audit page."""
    verification = session.execute(sa.select(AuditVerification)
                                   .order_by(AuditVerification.started_at.desc(), AuditVerification.id.desc())
                                   .limit(1)).scalar()
    seal = session.execute(sa.select(AuditSeal).order_by(AuditSeal.sealed_at.desc(), AuditSeal.id.desc())
                           .limit(1)).scalar()
    return verification, seal


def counted(count: int, one: str, other: str) -> str:
    """``1 schakel``, ``2 schakels``: the terminal's Dutch texts (not translated) with the right plural."""
    return f"{count} {one if count == 1 else other}"


def render(report: Report) -> str:
    """The report for a terminal: what was checked, then every listed finding by kind; no event contents."""
    lines = [f"Auditketen gecontroleerd: {counted(report.chain_length, 'schakel', 'schakels')}, "
             f"{counted(report.seals, 'zegel', 'zegels')} (zegels uit: {report.seal_source})."]
    for finding in report.listed:
        where = ", ".join(part for part in (
            f"positie {finding.position}" if finding.position is not None else "",
            f"gebeurtenis {finding.event_id}" if finding.event_id is not None else "",
            finding.note) if part)
        label = FindingKind(finding.kind).label_nl
        lines.append(f"BEVINDING {finding.kind}: {label}" + (f" — {where}" if where else ""))
    for kind, count in sorted(report.counts.items()):
        if count > MAX_LISTED:
            lines.append(f"... en nog {count - MAX_LISTED} van soort {kind}")
    if report.ok:
        lines.append("Geen bevindingen: de keten klopt en past bij de zegels.")
    else:
        found = counted(sum(report.counts.values()), "bevinding", "bevindingen")
        lines.append(f"{found}. Zie docs/OPERATIONS.md, 'When verify fails'.")
    return "\n".join(lines)
