"""Who could join a case: the organisations that reported its bundled signals and do not take part now.

A case opened from a duplicate group has one aanbrenger (the first signal's reporter); the reporters of the
other signals — and of signals bundled in later — know the betrokkene already and are the first partners to
ask. The partners page offers them first with a one-click "Uitnodigen", the API as
``GET /cases/{id}/participant-suggestions``. One query; the case's manager reads it (the signals of the case
are the team's).
"""

from __future__ import annotations

from dataclasses import dataclass, field

import sqlalchemy as sa

from casus.cases.models import Case, Participation
from casus.extensions import db
from casus.organisations.models import Organisation
from casus.signals.models import Signal


@dataclass
class Suggestion:
    """An organisation to invite, and the case's signals it reported (reference, oldest first)."""

    organisation: Organisation
    signals: list[tuple[int, str]] = field(default_factory=list)

    @property
    def signal_references(self) -> list[str]:
        return [reference for _id, reference in self.signals]

    @property
    def signal_items(self) -> list[dict]:
        return [{"id": signal_id, "reference": reference} for signal_id, reference in self.signals]


def suggested_participants(case: Case) -> list[Suggestion]:
    """Active organisations that reported a signal bundled into ``case`` and have no active participation in
    it, by name; each with the signals it reported. One query, whatever the number of signals."""
    participating = sa.exists().where(Participation.case_id == case.id,
                                      Participation.organisation_id == Organisation.id,
                                      Participation.left_on.is_(None))
    rows = db.session.execute(
        sa.select(Organisation, Signal.id, Signal.reference)
        .join(Signal, Signal.reporting_organisation_id == Organisation.id)
        .where(Signal.case_id == case.id, Organisation.active.is_(True), ~participating)
        .order_by(Organisation.name, Organisation.id, Signal.received_at, Signal.id)).all()
    suggestions: dict[int, Suggestion] = {}
    for organisation, signal_id, reference in rows:
        suggestions.setdefault(organisation.id, Suggestion(organisation)).signals.append((signal_id, reference))
    return list(suggestions.values())
