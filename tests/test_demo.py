"""``casus demo``: the app it builds links to its own port and mails into a local outbox."""

from __future__ import annotations

from email import message_from_bytes, policy

import pytest


@pytest.fixture
def no_smtp(monkeypatch):
    import smtplib

    def refuse(*args, **kwargs):
        raise AssertionError("the demo opened an SMTP connection")

    monkeypatch.setattr(smtplib, "SMTP", refuse)


def test_the_demo_app_for_port_5101_links_to_that_port_and_mails_into_its_outbox(tmp_path, no_smtp):
    from datetime import time, timedelta

    from casus.cases.services import today
    from casus.database import utcnow
    from casus.demo import create_demo_app
    from casus.extensions import db
    from casus.meetings import calendar, services
    from casus.notifications import jobs
    from casus.organisations.models import Organisation, OrganisationKind, Team
    from casus.users.models import Role, User, UserRole

    app = create_demo_app(5101, {"CASUS_INSTANCE_PATH": str(tmp_path)})
    config = app.config["CASUS"]
    assert config.base_url == "http://127.0.0.1:5101"
    assert config.mail_outbox == str(tmp_path / "outbox") and (tmp_path / "outbox").is_dir()
    assert config.demo_mode and not config.totp_required_roles and not config.secure_cookies

    with app.app_context():
        db.create_all()
        zvh = Organisation(name="Zorg- en Veiligheidshuis Voorbeeldregio", kind=OrganisationKind.ZVH)
        politie = Organisation(name="Politie Eenheid Voorbeeld", kind=OrganisationKind.POLITIE)
        db.session.add_all([zvh, politie])
        db.session.flush()
        team = Team(name="Team Casusregie", gemeente="Voorbeeldstad", organisation_id=zvh.id)
        db.session.add(team)
        db.session.flush()

        def user(email, organisation, role, team_id=None):
            row = User(email=email, name=email.split("@")[0], organisation_id=organisation.id, team_id=team_id,
                       password_hash="x")
            row.role_rows = [UserRole(role=Role(role))]
            db.session.add(row)
            db.session.flush()
            return row

        regisseur = user("regisseur@demo.example.org", zvh, "procesregisseur", team.id)
        user("politie@demo.example.org", politie, "partner")
        meeting = services.create_meeting(
            regisseur, type="casusoverleg", title="Casusoverleg Voorbeeldstad", day=today() + timedelta(days=7),
            start_time=time(9, 30), duration_minutes=90, location="Stadskantoor, zaal 3", online_url=None,
            chair_id=regisseur.id, organisation_ids=[politie.id])
        db.session.commit()
        link = f"http://127.0.0.1:5101/overleggen/{meeting.id}"
        assert calendar.meeting_link(meeting.id) == f"/overleggen/{meeting.id}"
        assert calendar.feed_url("geheim").startswith("http://127.0.0.1:5101/agenda/")
        assert link.encode() in calendar.meeting_ics(meeting, "REQUEST").replace(b"\r\n ", b"")

        assert jobs.send_emails(app, utcnow()) == 2  # the chair and the invited partner
        files = sorted((tmp_path / "outbox").glob("*.eml"))
        assert len(files) == 2
        for path in files:
            message = message_from_bytes(path.read_bytes(), policy=policy.default)
            texts = [part.get_content() for part in message.walk() if part.get_content_maintype() == "text"]
            body, ics = texts[0], "".join(str(text) for text in texts[1:]).replace("\r\n ", "")
            assert link in body and link in ics, (body, ics)
            assert "127.0.0.1:5000" not in body + ics
        db.session.remove()
        db.drop_all()
