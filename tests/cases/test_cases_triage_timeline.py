"""The tijdlijn shows a triage's outcome and the inclusion criteria that applied, before the steps it took."""

from __future__ import annotations

import pyotp
import sqlalchemy as sa


def lines(db, case):
    from casus.timeline.models import TimelineEvent

    return [(event.kind, event.summary) for event in db.session.execute(
        sa.select(TimelineEvent).where(TimelineEvent.case_id == case.id).order_by(TimelineEvent.id)).scalars()]


def test_a_triage_line_names_the_outcome_and_the_criteria(app, db, make_case, make_organisation, make_user):
    from casus.cases import services

    zvh, politie = make_organisation(), make_organisation()
    regisseur = make_user("procesregisseur", organisation=zvh, totp_secret=pyotp.random_base32())
    case = make_case(team=regisseur.team, partners=[politie, zvh], phase="triage", procesregisseur=regisseur)
    with app.test_request_context():
        services.triage(regisseur, case, outcome="A", criteria=["meerdere_ketens", "meerdere_leefgebieden"],
                        reason="Complex", expected_version=case.version)
    kinds = [kind for kind, _summary in lines(db, case)]
    assert kinds == ["case.triage", "case.transition"]  # the outcome, then the step it took
    assert lines(db, case)[0][1] == (
        "Triage afgerond met uitkomst A: casusoverleg. Criteria: Problemen op meer dan één leefgebied; "
        "Samenwerking van meerdere ketens nodig (zorg en veiligheid, drang en dwang)")


def test_a_triage_without_criteria_names_the_outcome(app, db, make_case, make_user):
    from casus.cases import services

    regisseur = make_user("procesregisseur")
    case = make_case(team=regisseur.team, procesregisseur=regisseur)
    with app.test_request_context():
        services.triage(regisseur, case, outcome="geen_casus", reason="Geen zorgen", expected_version=case.version)
    assert ("case.triage", "Triage afgerond met uitkomst Geen casus") in lines(db, case)
