"""The privacy officer's dashboard: open requests by deadline, and per kind over twelve months how many came in,
were completed, and the share answered on time."""

from __future__ import annotations

from datetime import timedelta

import sqlalchemy as sa

from casus.clock import today
from casus.subject_requests import services
from casus.subject_requests.models import SubjectRequest


def text(response) -> str:
    return response.get_data(as_text=True)


def _complete_late(db, privacy_world, subject_request):
    services.complete(privacy_world["privacy"], subject_request, outcome="toegewezen", note=None,
                      expected_version=subject_request.version)
    db.session.execute(sa.update(SubjectRequest).where(SubjectRequest.id == subject_request.id)
                       .values(completed_on=subject_request.deadline_on + timedelta(days=3)))


def test_the_report_counts_per_kind_and_the_on_time_share(db, privacy_world, register):
    w = privacy_world
    on_time = register(received_on=today() - timedelta(days=10))
    services.complete(w["privacy"], on_time, outcome="toegewezen", note=None, expected_version=1)
    late = register(received_on=today() - timedelta(days=60))
    _complete_late(db, w, late)
    register(kind="wissing")
    register(received_on=today() - timedelta(days=400))  # older than twelve months: not counted
    db.session.expire_all()
    report = services.report(w["privacy"], today())
    figures = {figures.kind.value: figures for figures in report.kinds}
    assert (figures["inzage"].received, figures["inzage"].completed, figures["inzage"].on_time) == (2, 2, 1)
    assert figures["inzage"].on_time_share == 50 and figures["wissing"].on_time_share is None
    assert report.total.received == 3
    assert [r.kind.value if hasattr(r.kind, "value") else r.kind for r in report.open_requests] == ["inzage",
                                                                                                    "wissing"]


def test_the_dashboard_shows_the_requests_to_the_privacy_officer_only(client, db, privacy_world, register, login,
                                                                     auth):
    w = privacy_world
    subject_request = register()
    login(w["privacy"])
    page = text(client.get("/"))
    assert "Verzoeken van betrokkenen" in page and subject_request.reference in page
    assert "Aandeel op tijd" in page and "<svg" in page
    auth.logout()
    login(w["supervisor"])
    assert subject_request.reference not in text(client.get("/"))
