"""Today, now and the process cadences, as configured: the one place the app reads its local time zone.

Dates people see and count with (triage deadlines, werkdagen, "today" in a form) are local dates in the
configured zone (``Config.timezone``, Europe/Amsterdam by default); stored moments stay UTC. Outside an app
context (the workflow's own tests, a script) the zone is the workflow's ``LOCAL_TIMEZONE``.
"""

from __future__ import annotations

from datetime import date, datetime
from functools import cache
from zoneinfo import ZoneInfo

from flask import current_app, has_app_context

from casus.config import Config
from workflow import Cadences
from workflow.facts import LOCAL_TIMEZONE


def _config() -> Config | None:
    return current_app.config["CASUS"] if has_app_context() else None


@cache
def _zone(key: str) -> ZoneInfo:
    return ZoneInfo(key)


def local_zone() -> ZoneInfo:
    """The configured time zone (``ZoneInfo``; ``.key`` is its IANA name, e.g. for an iCalendar TZID)."""
    config = _config()
    return _zone(config.timezone) if config is not None else LOCAL_TIMEZONE


def now() -> datetime:
    """The current moment, aware, in the local zone."""
    return datetime.now(local_zone())


def today() -> date:
    """The local date: what deadlines, review dates and "today" in a form mean."""
    return now().date()


def days_since(moment: datetime, on: date | None = None) -> int:
    """Calendar days from ``moment`` (aware) to ``on`` (default today), counted in local dates: a request made
    yesterday evening is 1 day old this morning, whatever the hours between."""
    return max(0, ((on or today()) - moment.astimezone(local_zone()).date()).days)


def cadences() -> Cadences:
    """The periods of the process (triage deadline, review interval, …): ``Config.cadences``."""
    config = _config()
    return config.cadences if config is not None else Cadences()
