"""Bulk writing for the seed: rows built as plain dictionaries with ids handed out in advance, inserted per table
in foreign-key order, and the bookkeeping that explicit ids need (reference numbers; on PostgreSQL the ids come from
the tables' sequences).

Speed matters (the benchmark wants 100,000 cases on SQLite in a few minutes): on SQLite the rows go straight to the
driver's ``executemany``, because SQLAlchemy's parameter processing costs more than SQLite itself.
"""

from __future__ import annotations

import json
from collections import defaultdict
from datetime import UTC, date, datetime

import sqlalchemy as sa

from casus.approvals.models import Approval
from casus.assessments.models import Assessment, AssessmentScore
from casus.audit.models import AuditEvent
from casus.cases.models import Case, CaseSubject, Note, NoteAudience, Participation, TransitionLog
from casus.escalations.models import Escalation
from casus.extensions import db
from casus.nazorg.models import NazorgCheckin
from casus.plans.models import Action, Goal, ProgressEntry
from casus.references import ReferenceCounter
from casus.signals.models import Signal, SignalSubject
from casus.subjects.models import Subject, SubjectRelation
from casus.timeline.models import TimelineEvent
from casus.voordrachten.models import Voordracht, VoordrachtSubject

# Parents before children, so that every foreign key points at a row inserted already.
TABLE_ORDER = (Subject, SubjectRelation, Case, CaseSubject, Signal, SignalSubject, Participation, Goal, Action,
               ProgressEntry, Note, NoteAudience, TimelineEvent, TransitionLog, Escalation, Voordracht,
               VoordrachtSubject, Approval, AuditEvent)
ID_TABLES = (Subject, Case, Signal, Participation, Goal, Action, ProgressEntry, Note, TimelineEvent, TransitionLog,
             Escalation, Voordracht, Approval, AuditEvent)
# Leefgebieden assessments come after their cases; their scores after them.
TABLE_ORDER += (Assessment, AssessmentScore)
ID_TABLES += (Assessment,)
# Nazorg check-ins after their cases.
TABLE_ORDER += (NazorgCheckin,)
ID_TABLES += (NazorgCheckin,)


# Ids drawn from a PostgreSQL sequence per query.
ID_BLOCK = 1000


class Rows:
    """Rows per table, each with its id handed out before the insert; :meth:`flush` inserts them in bulk."""

    def __init__(self) -> None:
        self.rows: dict[type, list[dict]] = defaultdict(list)
        self.from_sequences = db.session.get_bind().dialect.name == "postgresql"
        self.next_id = {} if self.from_sequences else {model: max_id(model) + 1 for model in ID_TABLES}
        self.drawn: dict[type, list[int]] = defaultdict(list)
        self.totals: dict[str, int] = defaultdict(int)

    def new_id(self, model) -> int:
        if self.from_sequences:
            return self._from_sequence(model)
        value = self.next_id[model]
        self.next_id[model] = value + 1
        return value

    def _from_sequence(self, model) -> int:
        """On PostgreSQL an id comes from the table's own sequence (a block at a time), so the application's later
        inserts never collide with the seed's. nextval() needs only USAGE, which the runtime role has; moving a
        sequence with setval() would need UPDATE, which it has not (docs/OPERATIONS.md, "Database roles")."""
        drawn = self.drawn[model]
        if not drawn:
            table = model.__tablename__  # ours, not user input
            drawn.extend(reversed(db.session.execute(sa.text(
                f"SELECT nextval(pg_get_serial_sequence('{table}', 'id')) FROM generate_series(1, {ID_BLOCK})"))
                .scalars().all()))
        return drawn.pop()

    def add(self, model, **values) -> dict:
        self.rows[model].append(values)
        return values

    def flush(self) -> None:
        fast = db.session.get_bind().dialect.name == "sqlite"
        for model in TABLE_ORDER:
            rows = self.rows.pop(model, None)
            if rows:
                if fast:
                    _insert_sqlite(model.__table__, rows)
                else:
                    db.session.execute(sa.insert(model.__table__), rows)
                self.totals[model.__tablename__] += len(rows)
        self.rows.clear()


def max_id(model) -> int:
    return db.session.execute(sa.select(sa.func.max(model.id))).scalar_one() or 0


def reserve_numbers(kind: str, year: int, count: int) -> int:
    """Reserve ``count`` consecutive numbers of ``kind`` in ``year`` (the counter the application numbers cases
    and signals from, so those it opens later never collide); returns the first."""
    last = db.session.execute(
        sa.update(ReferenceCounter).where(ReferenceCounter.kind == kind, ReferenceCounter.year == year)
        .values(last=ReferenceCounter.last + count).returning(ReferenceCounter.last)).scalar_one_or_none()
    if last is None:
        db.session.add(ReferenceCounter(kind=kind, year=year, last=count))
        db.session.flush()
        last = count
    return last - count + 1


def _sqlite_datetime(value: datetime | None) -> str | None:
    # What SQLAlchemy stores on SQLite: naive UTC with microseconds ("2026-01-05 09:30:00.000000").
    return None if value is None else value.astimezone(UTC).isoformat(" ", "microseconds")[:26]


def _sqlite_date(value: date | None) -> str | None:
    return None if value is None else value.isoformat()


def _sqlite_json(value) -> str | None:
    return None if value is None else json.dumps(value)


def _sqlite_converter(column: sa.Column):
    if isinstance(column.type, sa.JSON):
        return _sqlite_json
    python_type = getattr(column.type, "impl", column.type)
    if isinstance(python_type, sa.DateTime):
        return _sqlite_datetime
    if isinstance(python_type, sa.Date):
        return _sqlite_date
    return None


def _insert_sqlite(table: sa.Table, rows: list[dict]) -> None:
    """executemany straight on the driver: the SQLAlchemy parameter processing costs more than SQLite itself."""
    columns = list(rows[0])
    converters = [_sqlite_converter(table.columns[name]) for name in columns]
    converted = [(index, converter) for index, converter in enumerate(converters) if converter is not None]
    sql = f"INSERT INTO {table.name} ({', '.join(columns)}) VALUES ({', '.join('?' * len(columns))})"
    params = []
    for row in rows:
        values = [row[name] for name in columns]
        for index, converter in converted:
            values[index] = converter(values[index])
        params.append(tuple(values))
    db.session.connection().exec_driver_sql(sql, params)
