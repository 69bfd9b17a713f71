"""The Leefgebieden tab: managers record and correct, partners of the case read, others see nothing; the chart,
its table and the overview's latest scores; every read audited; a fixed number of queries per page."""

from __future__ import annotations

from datetime import timedelta

import sqlalchemy as sa

from casus.assessments import services
from casus.assessments.models import Assessment
from casus.audit.models import AuditEvent
from casus.clock import today


def url(p, suffix=""):
    return f"/casussen/{p['case'].id}/leefgebieden{suffix}"


def scores(**given):
    return {f"score_{code}": str(value) for code, value in given.items()}


def test_the_manager_records_a_triage_and_sees_chart_table_and_overview(client, db, auth, assessed):
    auth.login_with_totp(assessed["regisseur"])
    page = client.get(url(assessed))
    assert page.status_code == 200
    html = page.get_data(as_text=True)
    assert "Leefgebieden scoren" in html and "Er zijn nog geen leefgebieden gescoord." in html
    assert '<legend class="utrecht-form-fieldset__legend utrecht-form-fieldset__legend--html-legend">Financiën' in html
    day = (today() - timedelta(days=3)).strftime("%d-%m-%Y")
    response = auth.post(url(assessed), {"moment": "triage", "assessed_on": day, "participants": "Bewoner",
                                         "note": "", **scores(financien=2, huisvesting=4)})
    assert response.status_code == 302, response.get_data(as_text=True)
    html = client.get(url(assessed)).get_data(as_text=True)
    assert 'role="img"' in html and 'aria-labelledby="verloop-kop verloop-toelichting"' in html
    assert f"Triage {day}" in html and "Scores per leefgebied en scoring" in html
    overview = client.get(f"/casussen/{assessed['case'].id}").get_data(as_text=True)
    assert "Laatste scoring: triage op" in overview and "Financiën: <strong>2</strong>" in overview
    actions = db.session.execute(sa.select(AuditEvent.action).where(AuditEvent.case_id == assessed["case"].id)
                                 ).scalars().all()
    assert "assessment.view" in actions and "assessment.recorded" in actions


def test_refusals_are_shown_next_to_their_field_in_dutch(client, db, auth, assessed):
    auth.login_with_totp(assessed["regisseur"])
    future = (today() + timedelta(days=2)).strftime("%d-%m-%Y")
    response = auth.post(url(assessed), {"moment": "triage", "assessed_on": future, **scores(financien=3)})
    assert response.status_code == 200
    assert "De datum kan niet in de toekomst liggen." in response.get_data(as_text=True)
    response = auth.post(url(assessed), {"moment": "triage", "assessed_on": today().strftime("%d-%m-%Y")})
    assert "Scoor ten minste één leefgebied." in response.get_data(as_text=True)
    response = auth.post(url(assessed), {"moment": "triage", "assessed_on": today().strftime("%d-%m-%Y"),
                                         "score_financien": "9"})
    assert "Kies een waarde uit de lijst." in response.get_data(as_text=True)
    assert db.session.execute(sa.select(sa.func.count(Assessment.id))).scalar_one() == 0


def test_a_correction_is_saved_and_a_stale_one_shows_a_conflict(client, db, auth, assessed):
    assessment = services.record_assessment(assessed["regisseur"], assessed["case"], moment="triage",
                                            assessed_on=today(), scores={"financien": 2})
    db.session.flush()
    auth.login_with_totp(assessed["regisseur"])
    edit = url(assessed, f"/{assessment.id}/corrigeren")
    page = client.get(edit).get_data(as_text=True)
    assert "Scoring corrigeren" in page and 'value="2" checked' in page
    day = today().strftime("%d-%m-%Y")
    response = auth.post(edit, {"moment": "triage", "assessed_on": day, "version": assessment.version,
                                **scores(financien=3)})
    assert response.status_code == 302
    response = auth.post(edit, {"moment": "triage", "assessed_on": day, "version": 1, **scores(financien=5)})
    assert response.status_code == 409
    assert "Iemand anders heeft dit intussen gewijzigd" in response.get_data(as_text=True)
    db.session.expire_all()
    assert db.session.get(Assessment, assessment.id).version == 2


def test_a_partner_of_the_case_reads_but_does_not_write(client, db, auth, assessed):
    services.record_assessment(assessed["regisseur"], assessed["case"], moment="triage", assessed_on=today(),
                               scores={"financien": 2})
    auth.login_with_totp(assessed["partner"])
    html = client.get(url(assessed)).get_data(as_text=True)
    assert "Verloop van de scores" in html and "Leefgebieden scoren" not in html and "Corrigeren" not in html
    response = auth.post(url(assessed), {"moment": "triage", "assessed_on": today().strftime("%d-%m-%Y"),
                                         **scores(financien=3)}, form_url="/")
    assert response.status_code == 403
    denied = db.session.execute(sa.select(AuditEvent).where(AuditEvent.action == "assessment.recorded",
                                                            AuditEvent.user_id == assessed["partner"].id)).scalar_one()
    assert denied.outcome == "denied"


def test_someone_outside_the_case_gets_not_found(client, db, auth, assessed):
    auth.login_with_totp(assessed["outsider"])
    assert client.get(url(assessed)).status_code == 404


def test_the_page_costs_the_same_with_one_and_with_many_assessments(client, db, auth, assessed, count_queries):
    def add(n):
        for index in range(n):
            services.record_assessment(assessed["regisseur"], assessed["case"], moment="evaluatie",
                                       assessed_on=today() - timedelta(days=index),
                                       scores={"financien": 1 + index % 5, "justitie": 3})
        db.session.flush()

    auth.login_with_totp(assessed["regisseur"])
    add(1)
    client.get(url(assessed))
    with count_queries() as one:
        assert client.get(url(assessed)).status_code == 200
    add(9)
    with count_queries() as ten:
        assert client.get(url(assessed)).status_code == 200
    assert len(ten.statements) == len(one.statements)


def test_the_chart_draws_only_domains_scored_at_least_once_and_the_table_lists_all(client, db, auth, assessed):
    services.record_assessment(assessed["regisseur"], assessed["case"], moment="triage", assessed_on=today(),
                               scores={"financien": 2})
    auth.login_with_totp(assessed["regisseur"])
    html = client.get(url(assessed)).get_data(as_text=True)
    chart = html[html.index("<svg"):html.index("</svg>")]
    table = html[html.index("Scores per leefgebied en scoring"):]
    assert "Financiën" in chart and "Justitie" not in chart
    assert "Justitie" in table and "(niet gescoord)" in table
