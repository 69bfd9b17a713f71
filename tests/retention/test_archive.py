"""The archive fields: set when a case is closed (its category's term from the closing date), cleared when it is
reopened, shown to the team; reopening is possible until the archiefactiedatum; a signal that ends without a case
gets its outcome's term."""

from __future__ import annotations

from datetime import date, timedelta

import pytest
import sqlalchemy as sa

from casus.approvals import case_requests
from casus.approvals import services as approvals
from casus.cases.models import Archiefnominatie, Archiefstatus
from casus.clock import today
from casus.retention import archive, terms
from casus.retention.models import RetentionTerm, SignalOutcome
from casus.services import ServiceError
from workflow.cadences import add_months


def text(response) -> str:
    return response.get_data(as_text=True)


def _close_early(w, case):
    approval = case_requests.request_early_closure(w["regisseur"], case, reason="Verhuisd", result="verhuisd")
    approvals.decide(w["supervisor"], approval, approve=True)


def test_closing_a_case_sets_its_archive_fields_from_its_category_term(db, ret_world):
    w = ret_world
    term = terms.term_for_category(w["case"].category_id)
    terms.change_term(w["privacy"], term, months=18, archiefnominatie="blijvend_bewaren", basis=None,
                      expected_version=None)
    _close_early(w, w["case"])
    db.session.refresh(w["case"])
    assert w["case"].phase == "afgesloten" and w["case"].closed_on == today()
    assert w["case"].archiefnominatie == Archiefnominatie.BLIJVEND_BEWAREN
    assert w["case"].archiefactiedatum == add_months(today(), 18)
    assert w["case"].archiefstatus == Archiefstatus.NOG_TE_ARCHIVEREN


def test_a_category_without_a_term_closes_under_the_configured_default(app, db, ret_world):
    w = ret_world
    db.session.execute(sa.delete(RetentionTerm))
    _close_early(w, w["case"])
    db.session.refresh(w["case"])
    assert w["case"].archiefactiedatum == add_months(today(), app.config["CASUS"].retention_case_months)
    made = db.session.execute(sa.select(RetentionTerm).where(
        RetentionTerm.category_id == w["case"].category_id)).scalar_one()
    assert not made.confirmed


def test_reopening_clears_the_archive_fields(db, ret_world):
    w = ret_world
    closed = w["closed"]
    assert closed.archiefactiedatum is not None
    approval = case_requests.request_reopening(w["regisseur"], closed, reason="Nieuwe meldingen")
    approvals.decide(w["supervisor"], approval, approve=True)
    db.session.refresh(closed)
    assert closed.phase == "triage"
    assert closed.archiefactiedatum is None and closed.archiefnominatie is None


def test_reopening_is_possible_until_the_archiefactiedatum_not_a_fixed_five_years(db, ret_world, make_case):
    w = ret_world
    long_ago = today() - timedelta(days=8 * 366)
    kept = make_case(team=w["team"], phase="afgesloten", closed_on=long_ago, archiefactiedatum=today() + timedelta(1))
    case_requests.request_reopening(w["regisseur"], kept, reason="Nieuwe meldingen")  # allowed: 8 years on
    recent = make_case(team=w["team"], phase="afgesloten", closed_on=today() - timedelta(days=60),
                       archiefactiedatum=today() - timedelta(days=1))
    with pytest.raises(ServiceError, match="bewaartermijn"):
        case_requests.request_reopening(w["regisseur"], recent, reason="Nieuwe meldingen")


def test_the_team_sees_the_archief_block_and_partners_do_not(client, db, ret_world, login, auth):
    w = ret_world
    login(w["supervisor"])
    page = text(client.get(f"/casussen/{w['closed'].id}"))
    assert "Archief" in page and "Archiefactiedatum" in page
    assert w["closed"].archiefactiedatum.strftime("%d-%m-%Y") in page and "Vernietigen" in page
    assert f"/bewaring/{w['closed'].reference}" in page
    auth.logout()
    login(w["partner"])
    partner_page = text(client.get(f"/casussen/{w['closed'].id}"))
    assert "Archiefactiedatum" not in partner_page


@pytest.mark.parametrize("outcome", list(SignalOutcome))
def test_a_signal_ending_without_a_case_gets_its_outcome_term(db, ret_world, outcome, make_user):
    from casus.signals.models import Signal

    w = ret_world
    terms.change_term(w["privacy"], terms.term_for_outcome(outcome), months=7, archiefnominatie="vernietigen",
                      basis=None, expected_version=None)
    status = terms.OUTCOME_STATUS[outcome]
    signal = Signal(reference="S-2026-009999", category_id=w["case"].category_id, description="x",
                    team_id=w["team"].id, reporting_organisation_id=w["politie"].id,
                    reported_by_id=w["partner"].id, status=status)
    db.session.add(signal)
    db.session.flush()
    archive.set_signal_archive_date(signal, on=date(2026, 1, 31))
    assert signal.closed_on == date(2026, 1, 31) and signal.archiefactiedatum == date(2026, 8, 31)


def test_dismissing_a_signal_sets_its_closing_and_archive_dates(app, db, ret_world, categories):
    from casus.signals import services as signals
    from casus.subjects.services import SubjectInput

    w = ret_world
    with app.test_request_context():
        signal, _known = signals.report_signal(
            w["partner"], category_id=categories["jeugd"].id, team_id=w["team"].id, description="Zorgen",
            urgency="normaal", subjects=[SubjectInput(kind="persoon", name="Kees Kok")])
        signals.dismiss_signal(w["regisseur"], signal, reason="Geen zorgen genoeg")
    assert signal.status == "afgesloten" and signal.closed_on == today()
    assert signal.archiefactiedatum == add_months(today(), app.config["CASUS"].retention_signal_months)
