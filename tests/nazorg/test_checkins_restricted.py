"""A case whose betrokkene is under a beperking (AVG art. 18) is read-only for its team: a check-in is not
recorded (423, nothing changed), while the Nazorg tab still shows the check-ins."""

from __future__ import annotations

from datetime import timedelta

import sqlalchemy as sa

from casus.clock import today
from casus.nazorg.models import NazorgCheckin


def test_a_restricted_case_refuses_recording_a_check_in(api, client, db, auth, make_organisation, make_team,
                                                        make_user, make_case, make_subject):
    import pyotp

    from casus.subject_requests import search, services
    from casus.subject_requests.models import SubjectRestriction

    team = make_team()
    regisseur = make_user("procesregisseur", organisation=team.organisation, team=team,
                          totp_secret=pyotp.random_base32())
    privacy = make_user("privacy", organisation=team.organisation)
    person = make_subject(name="Bep Beperkt", bsn="111222333")
    case = make_case(team=team, phase="nazorg", procesregisseur=regisseur, subjects=[person],
                     nazorg_started_on=today() - timedelta(days=100))
    request = services.register_request(
        privacy, kind="beperking", person=services.Identification(bsn="111222333"), identity_check="id_bewijs",
        identity_note=None, received_on=today() - timedelta(days=2), description="Juistheid betwist")
    search.confirm(privacy, request, person.id)
    db.session.add(SubjectRestriction(subject_id=person.id, request_id=request.id, reason="Juistheid betwist",
                                      placed_by_id=privacy.id))
    db.session.flush()

    auth.login_with_totp(regisseur)
    assert client.get(f"/casussen/{case.id}/nazorg").status_code == 200  # reading plans the rows, as ever
    three = db.session.execute(sa.select(NazorgCheckin).where(NazorgCheckin.case_id == case.id,
                                                              NazorgCheckin.months == 3)).scalar_one()
    refused = api(regisseur, "PATCH", f"/cases/{case.id}/checkins/{three.id}", json={
        "doneOn": today().isoformat(), "contactMade": True, "version": three.version})
    assert refused.status_code == 423 and refused.mimetype == "application/problem+json"
    db.session.expire_all()
    assert db.session.get(NazorgCheckin, three.id).done_on is None
