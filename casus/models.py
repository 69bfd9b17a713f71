"""Imports every domain's models so SQLAlchemy's metadata (and Alembic) sees the whole schema."""

from casus.approvals.models import Approval
from casus.assessments.models import Assessment, AssessmentScore
from casus.audit.models import AuditChainLink, AuditEvent, AuditSeal, AuditShownCase, AuditVerification
from casus.cases.models import (
    Case,
    CaseSubject,
    Category,
    Note,
    NoteAudience,
    Participation,
    TransitionLog,
)
from casus.documents.models import Document, DocumentAudience, DocumentVersion, StoredFile
from casus.escalations.models import Escalation
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
from casus.nazorg.models import NazorgCheckin
from casus.notifications.models import Notification, NotificationPreference
from casus.organisations.models import Organisation, Team
from casus.plans.models import Action, Goal, ProgressEntry
from casus.references import ReferenceCounter
from casus.reports.models import ReportRollup, ReportRollupRun
from casus.retention.models import (
    DestructionDeclaration,
    DestructionList,
    DestructionListItem,
    LegalHold,
    RetentionTerm,
)
from casus.scheduling.models import apscheduler_jobs
from casus.signals.models import Signal, SignalSubject
from casus.subject_requests.models import (
    SubjectCorrection,
    SubjectRequest,
    SubjectRequestItem,
    SubjectRequestMatch,
    SubjectRestriction,
)
from casus.subjects.models import Subject, SubjectRelation
from casus.timeline.models import TimelineEvent
from casus.users.models import ApiToken, User, UserRole, UserSession
from casus.voordrachten.models import Voordracht, VoordrachtSubject

__all__ = [
    "Action",
    "AgendaItem",
    "ApiToken",
    "Approval",
    "Assessment",
    "AssessmentScore",
    "Attendance",
    "AuditChainLink",
    "AuditEvent",
    "AuditSeal",
    "AuditShownCase",
    "AuditVerification",
    "CalendarFeed",
    "Case",
    "CaseSubject",
    "Category",
    "Decision",
    "DestructionDeclaration",
    "DestructionList",
    "DestructionListItem",
    "Document",
    "DocumentAudience",
    "DocumentVersion",
    "Escalation",
    "Goal",
    "LegalHold",
    "Meeting",
    "MeetingInvitation",
    "MeetingSeries",
    "MeetingSeriesInvitation",
    "NazorgCheckin",
    "Note",
    "NoteAudience",
    "Notification",
    "NotificationPreference",
    "Organisation",
    "Participation",
    "ProgressEntry",
    "ReferenceCounter",
    "ReportRollup",
    "ReportRollupRun",
    "RetentionTerm",
    "Signal",
    "SignalSubject",
    "StoredFile",
    "Subject",
    "SubjectCorrection",
    "SubjectRelation",
    "SubjectRequest",
    "SubjectRequestItem",
    "SubjectRequestMatch",
    "SubjectRestriction",
    "Team",
    "TimelineEvent",
    "TransitionLog",
    "User",
    "UserRole",
    "UserSession",
    "Voordracht",
    "VoordrachtSubject",
    "apscheduler_jobs",
]
