"""Imports every domain's models so SQLAlchemy's metadata (and Alembic) sees the whole schema."""

from casus.audit.models import AuditEvent
from casus.cases.models import (
    Case,
    CaseSubject,
    Category,
    Note,
    NoteAudience,
    Participation,
    ReferenceCounter,
    TimelineEvent,
    TransitionLog,
)
from casus.meetings.models import (
    AgendaItem,
    Attendance,
    CalendarFeed,
    Decision,
    Meeting,
    MeetingInvitation,
    MeetingSeries,
    MeetingSeriesInvitation,
)
from casus.notifications.models import Notification
from casus.organisations.models import Organisation, Team
from casus.plans.models import Action, Goal, ProgressEntry
from casus.scheduling.models import apscheduler_jobs
from casus.signals.models import Signal, SignalSubject
from casus.subjects.models import Subject
from casus.users.models import ApiToken, User, UserRole, UserSession

__all__ = [
    "Action",
    "AgendaItem",
    "ApiToken",
    "Attendance",
    "AuditEvent",
    "CalendarFeed",
    "Case",
    "CaseSubject",
    "Category",
    "Decision",
    "Goal",
    "Meeting",
    "MeetingInvitation",
    "MeetingSeries",
    "MeetingSeriesInvitation",
    "Note",
    "NoteAudience",
    "Notification",
    "Organisation",
    "Participation",
    "ProgressEntry",
    "ReferenceCounter",
    "Signal",
    "SignalSubject",
    "Subject",
    "Team",
    "TimelineEvent",
    "TransitionLog",
    "User",
    "UserRole",
    "UserSession",
    "apscheduler_jobs",
]
