"""casus.clock: today, now and the cadences come from the app's Config; outside an app, the workflow's zone."""

from dataclasses import replace
from datetime import UTC, datetime, timedelta
from zoneinfo import ZoneInfo

from casus import clock
from workflow import Cadences
from workflow.facts import LOCAL_TIMEZONE


def test_outside_an_app_the_workflow_zone_and_default_cadences():
    assert clock.local_zone() is LOCAL_TIMEZONE
    assert clock.cadences() == Cadences()
    assert clock.now().tzinfo is LOCAL_TIMEZONE


def test_the_configured_zone_decides_today(app, monkeypatch):
    # Kiritimati is UTC+14 and Pago Pago UTC-11: 25 hours apart, so their dates always differ (by one day, or by
    # two in the hour after 10:00 UTC).
    with app.app_context():
        monkeypatch.setitem(app.config, "CASUS", replace(app.config["CASUS"], timezone="Pacific/Kiritimati"))
        ahead = clock.today()
        assert clock.local_zone().key == "Pacific/Kiritimati"
        assert clock.now().utcoffset() == timedelta(hours=14)
        monkeypatch.setitem(app.config, "CASUS", replace(app.config["CASUS"], timezone="Pacific/Pago_Pago"))
        behind = clock.today()
    assert ahead == datetime.now(ZoneInfo("Pacific/Kiritimati")).date()
    assert behind == datetime.now(ZoneInfo("Pacific/Pago_Pago")).date()
    assert behind < datetime.now(UTC).date() + timedelta(days=1) and ahead > behind


def test_the_default_zone_is_amsterdam(app):
    with app.app_context():
        assert clock.local_zone().key == "Europe/Amsterdam"
        assert clock.today() == datetime.now(LOCAL_TIMEZONE).date()


def test_cadences_come_from_the_config(app, monkeypatch):
    quick = Cadences(triage_working_days=2)
    monkeypatch.setitem(app.config, "CASUS", replace(app.config["CASUS"], cadences=quick))
    with app.app_context():
        assert clock.cadences() is quick


def test_days_and_job_dates_are_counted_in_the_configured_zone(app, monkeypatch):
    """Bonaire (America/Kralendijk, UTC-4) is Dutch too: 02:00 UTC on 6 December is still the 5th there."""
    from datetime import date
    from types import SimpleNamespace

    from casus.approvals.services import age_in_days
    from casus.notifications.jobs import local_today

    moment = datetime(2026, 12, 6, 2, 0, tzinfo=UTC)
    with app.app_context():
        assert clock.days_since(moment, date(2026, 12, 6)) == 0  # Amsterdam: 03:00 on the 6th
        monkeypatch.setitem(app.config, "CASUS", replace(app.config["CASUS"], timezone="America/Kralendijk"))
        assert clock.days_since(moment, date(2026, 12, 6)) == 1
        assert age_in_days(SimpleNamespace(requested_at=moment), date(2026, 12, 6)) == 1
        assert local_today(moment) == date(2026, 12, 5)
        assert clock.days_since(moment + timedelta(days=3), date(2026, 12, 6)) == 0, "never negative"
