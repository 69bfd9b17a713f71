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

    from casus.clock import today
    from casus.database import utcnow
    from casus.extensions import db
    from casus.meetings import calendar, services
    from casus.notifications import jobs
    from casus.organisations.models import Organisation, OrganisationKind, Team
    from casus.users.models import Role, User, UserRole
    from casus_seed.demo import create_demo_app

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


@pytest.fixture
def demo_region(app, db):
    """``seed_demo`` + ``seed_demo_cases`` (fewer cases than the real demo's 300, for speed)."""
    from casus_seed.demo import seed_demo, seed_demo_cases

    with app.test_request_context():
        users = seed_demo()
        db.session.commit()
        assert seed_demo_cases(users, cases=120) == 120
    return {user.email: user for user in users}


def test_the_demo_team_has_a_running_meeting_series_with_minutes_and_coming_agendas(app, db, demo_region):
    import sqlalchemy as sa

    from casus import policy
    from casus.database import utcnow
    from casus.meetings.models import AgendaItem, Attendance, Decision, Meeting, MeetingSeries, MeetingStatus

    regisseur = demo_region["regisseur@demo.example.org"]
    now = utcnow()
    series = db.session.execute(sa.select(MeetingSeries).where(MeetingSeries.team_id == regisseur.team_id)
                                ).scalars().all()
    assert [s.title for s in series] == ["Casusoverleg Voorbeeldstad"] and series[0].chair_id == regisseur.id

    team_meetings = sa.select(Meeting).where(Meeting.team_id == regisseur.team_id)
    held = db.session.execute(team_meetings.where(Meeting.status == MeetingStatus.GEHOUDEN)).scalars().all()
    assert len(held) >= 3 and all(m.ends_at <= now for m in held)
    items = db.session.execute(sa.select(AgendaItem).where(AgendaItem.meeting_id.in_([m.id for m in held]))
                               ).scalars().all()
    assert len(items) >= len(held)
    assert all(i.discussed and i.beeldvorming and i.oordeelsvorming and i.besluitvorming for i in items)
    decided = set(db.session.execute(sa.select(Decision.agenda_item_id)).scalars())
    assert {i.id for i in items} <= decided
    assert db.session.execute(sa.select(sa.func.count()).select_from(Attendance)
                              .where(Attendance.meeting_id == held[-1].id)).scalar_one() > 0

    coming = db.session.execute(team_meetings.where(Meeting.status == MeetingStatus.GEPLAND, Meeting.starts_at > now)
                                .order_by(Meeting.starts_at)).scalars().all()
    assert coming
    on_next = db.session.execute(sa.select(sa.func.count()).select_from(AgendaItem)
                                 .where(AgendaItem.meeting_id == coming[0].id)).scalar_one()
    assert on_next >= 3

    # A second `casus demo` on the same database adds neither cases nor series.
    from casus_seed.demo import seed_demo_cases

    assert seed_demo_cases(list(demo_region.values()), cases=120) == 0
    assert db.session.execute(sa.select(sa.func.count(MeetingSeries.id))).scalar_one() == 3  # one monthly

    # Overleggen is full for the regisseur; the demo partners see the meetings their organisation is invited to,
    # and on the agenda only cases their organisation takes part in.
    every = db.session.execute(sa.select(sa.func.count(Meeting.id)).where(Meeting.team_id == regisseur.team_id)
                               ).scalar_one()
    for email in ("regisseur@demo.example.org", "politie@demo.example.org", "corporatie@demo.example.org"):
        user = demo_region[email]
        visible = db.session.execute(sa.select(sa.func.count(Meeting.id)).where(
            Meeting.team_id == regisseur.team_id, policy.meeting_scope(user))).scalar_one()
        assert visible == every, email
        assert db.session.execute(sa.select(sa.func.count(AgendaItem.id)).where(
            policy.agenda_item_scope(user))).scalar_one() > 0, email


def test_the_region_has_the_organisations_of_a_zorg_en_veiligheidstafel_jeugd(app, db, demo_region):
    import sqlalchemy as sa

    from casus.meetings.models import MeetingSeries, MeetingSeriesInvitation
    from casus.organisations.models import Organisation, OrganisationKind

    kinds = set(db.session.execute(sa.select(Organisation.kind)).scalars())
    assert {OrganisationKind.CJG, OrganisationKind.JONGERENWERK, OrganisationKind.ONDERWIJS, OrganisationKind.HALT,
            OrganisationKind.JEUGDBESCHERMING, OrganisationKind.VEILIG_THUIS} <= kinds
    overig = db.session.execute(sa.select(Organisation.name).where(Organisation.kind == OrganisationKind.OVERIG)
                                ).scalars().all()
    assert overig == ["Buurtbemiddeling Ad Hoc"]
    invited = set(db.session.execute(
        sa.select(Organisation.kind).join(MeetingSeriesInvitation,
                                          MeetingSeriesInvitation.organisation_id == Organisation.id)
        .join(MeetingSeries, MeetingSeries.id == MeetingSeriesInvitation.series_id)
        .where(MeetingSeries.type == "zvt_jeugd")).scalars())
    assert {OrganisationKind.CJG, OrganisationKind.JONGERENWERK, OrganisationKind.ONDERWIJS,
            OrganisationKind.HALT, OrganisationKind.JEUGDBESCHERMING} <= invited
