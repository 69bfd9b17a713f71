"""The team's escalation queue (dashboard block and queue page): its totals count every escalated case of the
team, its page shows the most urgent ones — both from one pass over the team's escalated cases."""

from __future__ import annotations

from datetime import timedelta

from casus.clock import today
from casus.escalations.services import team_queue


def test_totals_count_the_whole_team_and_the_page_the_most_urgent(db, ladder, put_step, make_case, make_team):
    team, regisseur, supervisor = ladder["team"], ladder["regisseur"], ladder["supervisor"]
    partners = [ladder["politie"], ladder["zvh"]]

    def escalated(**step):
        case = make_case(team=team, partners=partners, phase="aanpak.uitvoering", procesregisseur=regisseur)
        put_step(case, regisseur, **step)
        return case

    late = escalated(decision_deadline=today() - timedelta(days=3))
    later = escalated(decision_deadline=today() - timedelta(days=1))
    review = escalated(review_on=today())
    calm = escalated(decision_deadline=today() + timedelta(days=9))
    stepless = make_case(team=team, partners=partners, phase="aanpak.uitvoering", escalation_level="tactisch")
    make_case(team=team, partners=partners, phase="aanpak.uitvoering")  # operationeel: not in the queue
    elsewhere = make_team(organisation=ladder["zvh"], name="Team Zuid")
    put_step(make_case(team=elsewhere, partners=partners, phase="aanpak.uitvoering"), regisseur,
             decision_deadline=today() - timedelta(days=5))
    db.session.flush()

    first_two = team_queue(supervisor, limit=2)
    assert (first_two.total, first_two.overdue, first_two.review_due) == (5, 2, 1)
    assert [row.case.id for row in first_two.rows] == [late.id, later.id]
    assert first_two.more

    everything = team_queue(supervisor, limit=10)
    assert (everything.total, everything.overdue, everything.review_due) == (5, 2, 1)
    assert [row.case.id for row in everything.rows] == [late.id, later.id, review.id, calm.id, stepless.id]
    assert everything.rows[-1].step is None and not everything.more


def test_a_calm_team_has_an_empty_queue(db, ladder):
    queue = team_queue(ladder["supervisor"])
    assert (queue.rows, queue.total, queue.overdue, queue.review_due) == ([], 0, 0, 0)
