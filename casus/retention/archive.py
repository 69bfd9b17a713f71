"""The archive fields (ZGW APIs): ``archiefnominatie``, ``archiefactiedatum`` and ``archiefstatus`` of a case, and
the archiefactiedatum of a signal that ended without a case.

Computed when a case is closed (``afgesloten``: its category's term from the closing date) and cleared when it is
reopened; a signal that ended without a case (dismissed, referred, withdrawn) gets its outcome's term from the day
it ended. The monthly destruction list reads archiefactiedatum, so these handlers are what puts a record on it.
Retention stands above cases and signals: it follows them through their events (``register``), never the other
way round.
"""

from __future__ import annotations

from datetime import date

from casus.cases.events import CaseTransitioned
from casus.cases.models import Archiefstatus, Case, CasePhase
from casus.events import Events
from casus.retention import extension
from casus.retention.terms import OUTCOME_STATUS, archive_date, term_for_category, term_for_outcome
from casus.signals.events import SignalEnded
from casus.signals.models import Signal

# How a signal without a case ended, by the status it ended in.
OUTCOME_OF_STATUS = {status: outcome for outcome, status in OUTCOME_STATUS.items()}


def register(events: Events) -> None:
    """At app start: closing and reopening a case set and clear its archive fields; a signal that ends without a
    case gets its date; an approved retention extension moves a case's date."""
    events.subscribe(CaseTransitioned, _follow_case)
    events.subscribe(SignalEnded, _signal_ended)
    extension.register(events)


def _follow_case(event: CaseTransitioned) -> None:
    to_state, from_state = str(event.outcome.to_state), str(event.outcome.from_state)
    if to_state == CasePhase.AFGESLOTEN:
        set_archive_fields(event.case)
    elif from_state == CasePhase.AFGESLOTEN:
        clear_archive_fields(event.case)


def set_archive_fields(case: Case) -> None:
    """A closed case: its category's nominatie, and its archiefactiedatum the closing date plus the term."""
    term = term_for_category(case.category_id)
    case.archiefnominatie = term.archiefnominatie
    case.archiefactiedatum = archive_date(case.closed_on, term)
    case.archiefstatus = Archiefstatus.NOG_TE_ARCHIVEREN


def clear_archive_fields(case: Case) -> None:
    """A reopened case is no longer due for anything: its dates come again when it closes again."""
    case.archiefnominatie = None
    case.archiefactiedatum = None
    case.archiefstatus = Archiefstatus.NOG_TE_ARCHIVEREN


def _signal_ended(event: SignalEnded) -> None:
    set_signal_archive_date(event.signal)


def set_signal_archive_date(signal: Signal, on: date | None = None) -> None:
    """A signal that ended without a case: its outcome's term from the day it ended."""
    outcome = OUTCOME_OF_STATUS.get(signal.status)
    if outcome is None or signal.case_id is not None:
        return
    signal.closed_on = on or signal.closed_on
    signal.archiefactiedatum = archive_date(signal.closed_on, term_for_outcome(outcome))
