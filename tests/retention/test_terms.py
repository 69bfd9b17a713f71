"""Retention terms: made from the configured defaults and unconfirmed, confirmed or changed by the privacy officer
(audited), and a change recomputes the archiefactiedatum of what was closed under the term."""

from __future__ import annotations

from datetime import date

import pytest
import sqlalchemy as sa

from casus.audit.models import AuditEvent
from casus.retention import terms
from casus.retention.models import RetentionTerm, SignalOutcome

BANNER = "Bevestig de bewaartermijnen: dit is een besluit van uw organisatie"


def text(response) -> str:
    return response.get_data(as_text=True)


def _term_of(db, category) -> RetentionTerm:
    terms.ensure_terms()
    return db.session.execute(sa.select(RetentionTerm).where(RetentionTerm.category_id == category.id)).scalar_one()


def _events(db, action: str) -> list[AuditEvent]:
    return list(db.session.execute(sa.select(AuditEvent).where(AuditEvent.action == action)).scalars())


def test_missing_terms_are_made_from_the_configured_defaults_unconfirmed(app, db, categories):
    terms.ensure_terms()
    rows = terms.list_terms()
    by_category = {row.category.code: row.term for row in rows if row.category}
    outcomes = {row.term.signal_outcome: row.term for row in rows if row.category is None}
    assert set(by_category) >= {"woonoverlast", "jeugd", "overig"}
    assert {term.months for term in by_category.values()} == {app.config["CASUS"].retention_case_months} == {60}
    assert set(outcomes) == set(SignalOutcome) and {term.months for term in outcomes.values()} == {12}
    assert not any(row.term.confirmed for row in rows)
    terms.ensure_terms()  # idempotent
    assert len(terms.list_terms()) == len(rows)


def test_the_page_shows_a_banner_until_every_term_is_confirmed(client, db, categories, login_as):
    login_as("privacy")
    page = text(client.get("/bewaartermijnen"))
    assert BANNER in page and "Woonoverlast" in page and "60 maanden" in page and "Nog niet bevestigd" in page
    assert [event.details["count"] for event in _events(db, "retention_term.list")] == [len(terms.list_terms())]


def test_confirming_a_term_records_who_and_is_audited(client, db, categories, login_as, auth):
    officer = login_as("privacy")
    term = _term_of(db, categories["jeugd"])
    response = auth.post(f"/bewaartermijnen/{term.id}/bevestigen", {"version": term.version},
                         form_url="/bewaartermijnen")
    assert response.status_code == 302
    db.session.refresh(term)
    assert term.confirmed and term.confirmed_by_id == officer.id and term.version == 2
    assert [event.object_id for event in _events(db, "retention_term.confirmed")] == [str(term.id)]


def test_the_banner_goes_once_every_term_is_confirmed(client, db, categories, login_as, make_user):
    officer = login_as("privacy")
    terms.ensure_terms()
    for term in db.session.execute(sa.select(RetentionTerm)).scalars():
        terms.confirm_term(officer, term, expected_version=None)
    assert BANNER not in text(client.get("/bewaartermijnen"))


def test_changing_a_term_confirms_it_and_recomputes_closed_cases_except_extended_ones(
        client, db, categories, login_as, auth, make_case, make_user):
    from casus.approvals.models import Approval, ApprovalKind, ApprovalStatus
    from casus.database import utcnow

    officer = login_as("privacy")
    category = categories["woonoverlast"]
    term = _term_of(db, category)
    closed = make_case(phase="afgesloten", closed_on=date(2024, 1, 31), archiefactiedatum=date(2029, 1, 31))
    extended = make_case(phase="afgesloten", closed_on=date(2024, 1, 31), archiefactiedatum=date(2035, 1, 1))
    running = make_case(phase="aanpak.uitvoering")
    other = make_case(phase="afgesloten", category=categories["jeugd"], closed_on=date(2024, 1, 31),
                      archiefactiedatum=date(2029, 1, 31))
    asker, decider = make_user("supervisor"), make_user("supervisor")
    db.session.add(Approval(kind=ApprovalKind.RETENTION_EXTENSION, case_id=extended.id, team_id=extended.team_id,
                            requested_by_id=asker.id, reason="Lopende procedure", details={"until": "2035-01-01"},
                            status=ApprovalStatus.GOEDGEKEURD, decided_by_id=decider.id, decided_at=utcnow()))
    db.session.flush()
    response = auth.post(f"/bewaartermijnen/{term.id}", {"months": "25", "archiefnominatie": "vernietigen",
                                                         "basis": "Selectielijst ZVH 2026", "version": term.version})
    assert response.status_code == 302, text(response)
    for row in (term, closed, extended, running, other):
        db.session.refresh(row)
    assert term.months == 25 and term.basis == "Selectielijst ZVH 2026" and term.confirmed_by_id == officer.id
    assert closed.archiefactiedatum == date(2026, 2, 28)  # 31 January plus 25 months: the end of February
    assert extended.archiefactiedatum == date(2035, 1, 1)
    assert running.archiefactiedatum is None and other.archiefactiedatum == date(2029, 1, 31)
    [event] = _events(db, "retention_term.changed")
    assert event.details["before"]["months"] == 60 and event.details["after"]["months"] == 25
    assert event.details["recomputed"] == 2  # the extended case was looked at, and kept its later date


def test_a_stale_or_invalid_change_is_refused(client, db, categories, login_as, auth):
    officer = login_as("privacy")
    term = _term_of(db, categories["jeugd"])
    terms.confirm_term(officer, term, expected_version=None)
    stale = auth.post(f"/bewaartermijnen/{term.id}", {"months": "24", "archiefnominatie": "vernietigen",
                                                      "version": "1"})
    assert stale.status_code == 409
    invalid = auth.post(f"/bewaartermijnen/{term.id}", {"months": "0", "archiefnominatie": "vernietigen",
                                                        "version": str(term.version)})
    assert invalid.status_code == 200 and "1 tot en met 1200 maanden" in text(invalid)
    db.session.refresh(term)
    assert term.months == 60


def test_signal_terms_recompute_ended_signals_of_their_outcome(db, categories, make_user, make_team):
    from casus.signals.models import Signal, SignalStatus

    officer, reporter = make_user("privacy"), make_user("partner")
    team = make_team()

    def signal(number, status, case_id=None):
        row = Signal(reference=f"S-2026-{number:05d}", category_id=categories["jeugd"].id, description="x",
                     team_id=team.id, reporting_organisation_id=reporter.organisation_id, reported_by_id=reporter.id,
                     status=status, case_id=case_id, closed_on=date(2025, 3, 31), archiefactiedatum=date(2026, 3, 31))
        db.session.add(row)
        return row

    withdrawn, dismissed = signal(1, SignalStatus.INGETROKKEN), signal(2, SignalStatus.AFGESLOTEN)
    db.session.flush()
    term = terms.term_for_outcome(SignalOutcome.WITHDRAWN)
    terms.change_term(officer, term, months=6, archiefnominatie="vernietigen", basis=None, expected_version=None)
    db.session.refresh(withdrawn)
    db.session.refresh(dismissed)
    assert withdrawn.archiefactiedatum == date(2025, 9, 30) and dismissed.archiefactiedatum == date(2026, 3, 31)


@pytest.mark.parametrize("role", ["supervisor", "procesregisseur", "beheerder", "partner"])
def test_only_the_privacy_officer_opens_the_terms(client, db, categories, login_as, role):
    login_as(role)
    assert client.get("/bewaartermijnen").status_code == 403


def test_the_terms_page_asks_the_same_number_of_queries_for_few_and_many_categories(client, db, categories,
                                                                                     login_as, count_queries):
    from casus.cases.models import Category

    login_as("privacy")
    client.get("/bewaartermijnen")
    with count_queries() as few:
        assert client.get("/bewaartermijnen").status_code == 200
    db.session.add_all(Category(code=f"extra_{n}", name=f"Extra {n}", name_en=f"Extra {n}") for n in range(12))
    db.session.flush()
    terms.ensure_terms()
    with count_queries() as many:
        page = text(client.get("/bewaartermijnen"))
    assert "Extra 11" in page
    assert many.count == few.count


def test_a_postponed_or_extended_date_moves_only_later_with_its_term(db, categories, make_case, make_user, make_team):
    from casus.retention.models import DestructionItemStatus, DestructionList, DestructionListItem

    officer = make_user("privacy")
    team = make_team()
    term = terms.term_for_category(categories["jeugd"].id)
    postponed = make_case(team=team, phase="afgesloten", category=categories["jeugd"], closed_on=date(2024, 1, 1),
                          archiefactiedatum=date(2030, 6, 1))
    plain = make_case(team=team, phase="afgesloten", category=categories["jeugd"], closed_on=date(2024, 1, 1),
                      archiefactiedatum=date(2029, 1, 1))
    destruction_list = DestructionList(reference="VL-2026-9001", team_id=team.id, period="2026-11")
    db.session.add(destruction_list)
    db.session.flush()
    db.session.add(DestructionListItem(
        destruction_list_id=destruction_list.id, case_id=postponed.id, record_kind="case",
        reference=postponed.reference, category_code="jeugd", closed_on=date(2024, 1, 1),
        archiefactiedatum=date(2029, 1, 1), status=DestructionItemStatus.UITGESTELD, reason="Nog nodig",
        postponed_until=date(2030, 6, 1)))
    db.session.flush()
    terms.change_term(officer, term, months=24, archiefnominatie="vernietigen", basis=None, expected_version=None)
    db.session.refresh(postponed)
    db.session.refresh(plain)
    assert plain.archiefactiedatum == date(2026, 1, 1) and postponed.archiefactiedatum == date(2030, 6, 1)
    terms.change_term(officer, term, months=120, archiefnominatie="vernietigen", basis=None, expected_version=None)
    db.session.refresh(postponed)
    assert postponed.archiefactiedatum == date(2034, 1, 1)  # the new term ends later: it wins


def test_the_defaults_come_from_configuration_and_are_checked():
    from casus.config import Config, ConfigError

    config = Config.from_env({"CASUS_ENV": "testing", "CASUS_RETENTION_CASE_MONTHS": "36",
                              "CASUS_RETENTION_SIGNAL_MONTHS": "6"})
    assert (config.retention_case_months, config.retention_signal_months) == (36, 6)
    for name, value in (("CASUS_RETENTION_CASE_MONTHS", "0"), ("CASUS_RETENTION_SIGNAL_MONTHS", "1201")):
        with pytest.raises(ConfigError, match=name):
            Config.from_env({"CASUS_ENV": "testing", name: value})
