"""The job registry: every scheduled job, its function and its schedule (cron in the local zone, casus.clock).

A job is a plain function ``job(app, now)`` given as ``"module:function"`` (imported when it runs, so
this registry imports no domain code). Add a job — a meeting reminder, say — with one more ``JobSpec``
line in :data:`JOBS`; the scheduler adds it to the persistent store at its next start, and removes
jobs that left the registry. Avoid 02:00–03:00: those local times are skipped or doubled on DST nights
(harmless for idempotent jobs, but confusing in logs).
"""

from __future__ import annotations

import importlib
from collections.abc import Callable
from dataclasses import dataclass, field
from datetime import datetime, tzinfo

from apscheduler.triggers.cron import CronTrigger
from flask import Flask

from casus.clock import local_zone

WORKDAYS = "mon-fri"


@dataclass(frozen=True)
class JobSpec:
    """``name`` is the job's id in the store; ``cron`` holds CronTrigger fields (local time)."""

    name: str
    func: str
    cron: dict = field(default_factory=dict)
    description: str = ""

    def trigger(self, timezone: tzinfo | None = None) -> CronTrigger:
        """The cron in ``timezone``: the scheduler's own (the configured zone), else ``clock.local_zone()``."""
        return CronTrigger(timezone=timezone or local_zone(), **self.cron)

    def resolve(self) -> Callable[[Flask, datetime], object]:
        module, _, attribute = self.func.partition(":")
        return getattr(importlib.import_module(module), attribute)


JOBS: tuple[JobSpec, ...] = (
    JobSpec("triage_deadlines", "casus.notifications.jobs:triage_deadlines",
            {"day_of_week": WORKDAYS, "hour": 7, "minute": 0},
            "Triagetermijn binnen 1 werkdag of verstreken: procesregisseur, anders supervisors."),
    JobSpec("overdue_actions", "casus.notifications.jobs:overdue_actions",
            {"day_of_week": WORKDAYS, "hour": 7, "minute": 0},
            "Acties over datum, elke werkdag 07:00: eigenaar, anders contactpersoon, anders procesregisseur."),
    JobSpec("stale_actions", "casus.notifications.jobs:stale_actions",
            {"day_of_week": WORKDAYS, "hour": 7, "minute": 5},
            "Acties 14 dagen zonder voortgang: procesregisseur."),
    JobSpec("review_due", "casus.notifications.jobs:review_due",
            {"day_of_week": WORKDAYS, "hour": 7, "minute": 10},
            "Herbeoordeling bereikt (aanpak): procesregisseur."),
    JobSpec("nazorg_checkins", "casus.notifications.jobs:nazorg_checkins",
            {"day_of_week": WORKDAYS, "hour": 7, "minute": 15},
            "Nazorgcontact na 3 en 6 maanden: procesregisseur."),
    JobSpec("approval_reminders", "casus.approvals.jobs:approval_reminders",
            {"day_of_week": WORKDAYS, "hour": 7, "minute": 20},
            "Akkoorden die 3 werkdagen of langer openstaan: de supervisors van het team behalve de aanvrager."),
    JobSpec("escalation_decisions_overdue", "casus.escalations.jobs:escalation_decisions_overdue",
            {"day_of_week": WORKDAYS, "hour": 7, "minute": 20},
            "Escalatiebesluit over de beslistermijn: de supervisors van het team, eenmaal per escalatie."),
    JobSpec("escalation_reviews_due", "casus.escalations.jobs:escalation_reviews_due",
            {"day_of_week": WORKDAYS, "hour": 7, "minute": 25},
            "Datum om afschalen te heroverwegen bereikt: de supervisors van het team."),
    JobSpec("stale_voordrachten", "casus.voordrachten.jobs:stale_voordrachten",
            {"day_of_week": WORKDAYS, "hour": 7, "minute": 35},
            "RIEC-voordrachten 14 dagen onaangeroerd: supervisors, opsteller of RIEC, naar wie erop wacht."),
    JobSpec("meeting_reminders", "casus.notifications.jobs:meeting_reminders", {"minute": "*/15"},
            "Herinnering aan een overleg, een dag vooraf op dezelfde kloktijd: de genodigden."),
    JobSpec("agenda_review_due", "casus.meetings.agenda:schedule_review_due_cases", {"hour": 6, "minute": 0},
            "Casussen met herbeoordeling binnen 7 dagen op de agenda van het eerstvolgende passende overleg."),
    JobSpec("report_rollup", "casus.reports.jobs:refresh_report_rollup", {"minute": "*/15"},
            "Telt de cijfers van de rapportages opnieuw (de pagina toont 'Bijgewerkt om')."),
    JobSpec("send_emails", "casus.notifications.jobs:send_emails",
            {"minute": "*"},
            "Verstuurt de e-mails bij nieuwe meldingen; mislukte pogingen met oplopende wachttijd."),
    JobSpec("audit_chain", "casus.audit.jobs:chain_new_events", {"minute": "*"},
            "Geeft nieuwe auditgebeurtenissen hun plaats in de hashketen (ook met CASUS_AUDIT_CHAIN=inline: wat "
            "buiten de sessie is geschreven)."),
    JobSpec("audit_seal", "casus.audit.jobs:seal_daily", {"hour": 1, "minute": 30},
            "Verzegelt de kop van de auditketen: ondertekend, naar het zegelbestand en/of per e-mail."),
    JobSpec("audit_verify", "casus.notifications.audit_checks:verify_audit_log", {"hour": 4, "minute": 0},
            "Controleert de auditketen tegen de zegels; bij een bevinding: de privacyfunctionarissen."),
    JobSpec("destruction_lists", "casus.retention.jobs:propose_destruction_lists",
            {"day": 1, "hour": 6, "minute": 30},
            "Stelt per team de vernietigingslijst van de maand voor: wat over de archiefactiedatum is en niet "
            "bevroren; de privacyfunctionarissen krijgen bericht."),
    JobSpec("inactive_accounts", "casus.notifications.inactive_accounts:deactivate_inactive_accounts",
            {"hour": 5, "minute": 30},
            "Deactiveert accounts die CASUS_INACTIVE_DAYS (standaard 90) dagen niet hebben ingelogd; de beheerders "
            "krijgen bericht."),
    JobSpec("subject_request_deadlines", "casus.subject_requests.jobs:subject_request_deadlines",
            {"hour": 7, "minute": 15},
            "Herinnert de privacyfunctionarissen aan verzoeken van betrokkenen die binnen vijf werkdagen of al "
            "te laat zijn (elk eenmaal)."),
)


def registry(jobs: tuple[JobSpec, ...] | list[JobSpec] | None = None) -> dict[str, JobSpec]:
    return {spec.name: spec for spec in (JOBS if jobs is None else jobs)}
