"""Which registered processing activity (:mod:`casus.processing`) an audit event belongs to.

Never typed by the user: :func:`activity_for` derives it, and ``record()`` stores its id and legal basis on every
event. In order:

1. an activity the service names explicitly (``record(..., activity=...)``);
2. the endpoint that serves the request — the page or API call says what the user was doing: reading a subject
   from the triage queue is triage, from the case file casusregie (:data:`ENDPOINT_ACTIVITIES`: one endpoint, or
   its whole blueprint);
3. the action, for events outside a request (scheduled jobs, the command line) or of a request no route matched
   (:data:`ACTION_ACTIVITIES`: the longest dotted prefix of the action wins).

tests/audit/test_audit_activities.py walks every action used in casus/ and every endpoint of the app: one without
an activity fails there, not silently in the log.
"""

from __future__ import annotations

from casus.processing import ProcessingActivity, activity

# Endpoints that process no personal data and record no audit event.
NOT_PROCESSING = frozenset({"static", "main.healthz", "main.readyz", "main.accessibility", "metrics.metrics",
                            "api_docs.openapi_json"})

# A blueprint, or one endpoint of it (which wins over its blueprint).
ENDPOINT_ACTIVITIES: dict[str, str] = {
    "main": "casusregie",  # the dashboard: my cases, signals to weigh, overdue actions, meetings
    "main.set_language": "account",
    "auth": "account",
    "me": "account",
    "calendar.feeds": "account",
    "calendar.revoke": "account",
    "notifications.preferences": "account",  # how a user's own notifications reach them
    "notifications_api.NotificationPreferences": "account",
    "organisations": "beheer",
    "users": "beheer",
    "signals": "signaal_melden",
    "signals_api": "signaal_melden",
    "signals.triage_queue": "triage",
    "signals.triage_case": "triage",
    "signals.open_case": "triage",
    "signals.attach": "triage",
    "signals.dismiss": "triage",
    "cases": "casusregie",
    "cases_api": "casusregie",
    "cases_api.CaseTriage": "triage",
    "plans": "casusregie",
    "plans_api": "casusregie",
    "case_edit": "casusregie",  # correcting what a case knows: title, category, risk level, gemeente, regisseur
    "case_subjects": "casusregie",  # adding, correcting and unlinking a case's betrokkenen
    "case_subjects_api": "casusregie",
    "case_relations": "casusregie",  # relations of a case's subjects, and the address lookup of its forms
    "case_relations_api": "casusregie",
    "assessments": "casusregie",
    "documents": "casusregie",  # documents in the case file; those of a signal, agenda item or voordracht:
    "documents.for_signal": "signaal_melden",  # the work of what they hang on
    "documents.for_agenda_item": "casusoverleg",
    "documents.for_voordracht": "riec_voordracht",
    "assessments_api": "casusregie",
    "nazorg": "casusregie",
    "nazorg_api": "casusregie",
    "approvals": "casusregie",
    "approvals_api": "casusregie",
    "notifications": "casusregie",
    "notifications_api": "casusregie",
    "meetings": "casusoverleg",
    "meetings_api": "casusoverleg",
    "calendar": "casusoverleg",  # the personal iCal feed: the meetings and agendas it carries
    "escalations": "escalatie",
    "escalations_api": "escalatie",
    "voordrachten": "riec_voordracht",
    "voordrachten_api": "riec_voordracht",
    "reports": "rapportage",
    "reports_api": "rapportage",
    "audit": "toezicht",
    "audit_register": "toezicht",
    "audit_trail": "privacyverzoek",  # one case's or person's trail: what an access request asks
    # the data lifecycle: retention terms, legal holds, destruction (docs/PRIVACY.md)
    "retention": "bewaren_vernietigen",
    "retention_api": "bewaren_vernietigen",
    "destruction_lists": "bewaren_vernietigen",  # destruction lists: references, categories, dates and counts
    "destruction_lists_api": "bewaren_vernietigen",
    "subject_requests": "privacyverzoek",
    "subject_requests_api": "privacyverzoek",
    "declarations": "bewaren_vernietigen",  # the verklaringen van vernietiging: the proof of what was destroyed
    "declarations_api": "bewaren_vernietigen",
    # documents over the API: the work of what they hang on (one document's routes: the case file's)
    "documents_api": "casusregie",
    "documents_api.SignalDocuments": "signaal_melden",
    "documents_api.AgendaItemDocuments": "casusoverleg",
    "documents_api.RiecReferralDocuments": "riec_voordracht",
    # the printable packs: each belongs to the work of what it prints
    "printing.case_summary": "casusregie",
    "printing.meeting_agenda": "casusoverleg",
    "printing.meeting_minutes": "casusoverleg",
    "printing.voordracht": "riec_voordracht",
}

# By the action's dotted prefix: "case.triage_recorded" finds "case.triage_recorded", else "case". (An action
# shaped like an endpoint of the app, "calendar.feed_created", cannot be a key here: tests/test_endpoint_names.py
# would take it for a link. Such an action is always recorded by its endpoint, whose activity comes first.)
ACTION_ACTIVITIES: dict[str, str] = {
    "login": "account",
    "logout": "account",
    "api_token": "account",
    "user.locale": "account",
    "notification_preferences": "account",
    "user.password_changed": "account",
    "user.totp_enrolled": "account",
    "user": "beheer",
    "organisation": "beheer",
    "team": "beheer",
    "category": "beheer",
    "signal": "signaal_melden",
    "subject.known_elsewhere": "signaal_melden",
    "signal.triage": "triage",
    "signal.bundled": "triage",
    "signal.dismissed": "triage",
    "case.triage": "triage",
    "case.triage_recorded": "triage",
    "dashboard": "casusregie",
    "case": "casusregie",
    "subject": "casusregie",
    "participation": "casusregie",
    "note": "casusregie",
    "goal": "casusregie",
    "assessment": "casusregie",
    "document": "casusregie",
    "nazorg_checkin": "casusregie",
    "action": "casusregie",
    "approval": "casusregie",
    "meeting": "casusoverleg",
    "meeting_series": "casusoverleg",
    "agenda": "casusoverleg",
    "agenda_item": "casusoverleg",
    "decision": "casusoverleg",
    "calendar": "casusoverleg",
    "escalation": "escalatie",
    "voordracht": "riec_voordracht",
    "report": "rapportage",
    "audit": "toezicht",
    "retention_term": "bewaren_vernietigen",
    "retention_extension": "bewaren_vernietigen",
    "legal_hold": "bewaren_vernietigen",
    "destruction_list": "bewaren_vernietigen",
    "subject_request": "privacyverzoek",
    "destruction_declaration": "bewaren_vernietigen",
    # by a destruction list's approval, or a granted wissing (then its endpoint's)
    "case.destroyed": "bewaren_vernietigen",
    "signal.destroyed": "bewaren_vernietigen",
    "subject.erased": "privacyverzoek",
    # the printable packs (the agenda also when it goes with an invitation, outside a request)
    "print.case_summary": "casusregie",
    "print.meeting_agenda": "casusoverleg",
    "print.meeting_minutes": "casusoverleg",
    "print.voordracht": "riec_voordracht",
}


def activity_of_endpoint(endpoint: str | None) -> ProcessingActivity | None:
    """The activity of a page or API endpoint (``cases.detail``), by the endpoint itself or its blueprint."""
    if not endpoint:
        return None
    activity_id = ENDPOINT_ACTIVITIES.get(endpoint) or ENDPOINT_ACTIVITIES.get(endpoint.rpartition(".")[0])
    return activity(activity_id) if activity_id else None


def activity_of_action(action: str) -> ProcessingActivity | None:
    """The activity of an audit action by its longest dotted prefix (``case.search`` → ``case``)."""
    parts = action.split(".")
    for length in range(len(parts), 0, -1):
        activity_id = ACTION_ACTIVITIES.get(".".join(parts[:length]))
        if activity_id:
            return activity(activity_id)
    return None


def activity_for(action: str, *, endpoint: str | None = None, explicit: str | None = None) -> ProcessingActivity | None:
    """The activity an audit event belongs to: the explicit one, else the endpoint's, else the action's."""
    if explicit:
        return activity(explicit)
    return activity_of_endpoint(endpoint) or activity_of_action(action)
