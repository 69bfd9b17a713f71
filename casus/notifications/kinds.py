"""What each kind of notification says, in Dutch and English.

Texts name the kind of thing that needs attention and at most a case reference and a date — never a
case title, a subject or anything else a recipient might not be allowed to see (the recipient is always
someone who may see the case; the reference is how they find it). New kinds (meetings, escalations)
register here with :func:`register`.
"""

from __future__ import annotations

from contextlib import suppress
from dataclasses import dataclass
from datetime import date

__all__ = ["KINDS", "Kind", "register", "render_intro", "render_title"]


@dataclass(frozen=True)
class Kind:
    """Title (short, for lists and e-mail subjects) and a one-line explanation, per language.

    Placeholders: ``{reference}``, ``{date}`` (shown as dd-mm-jjjj), ``{count}``, ``{months}``, ``{references}``,
    and for meetings ``{meeting}`` (its title) and ``{time}`` (local, 09:30).

    ``attachment`` names a ``"module:function"`` that builds an e-mail attachment for one notification of
    this kind at send time (see :func:`casus.notifications.services.send_pending_emails`); such
    notifications are mailed one per message.
    """

    name: str
    title_nl: str
    title_en: str
    intro_nl: str
    intro_en: str
    attachment: str | None = None


KINDS: dict[str, Kind] = {}


def register(kind: Kind) -> Kind:
    KINDS[kind.name] = kind
    return kind


TRIAGE_DEADLINE = register(Kind(
    "triage_deadline",
    "Triagetermijn verloopt: casus {reference}",
    "Triage deadline: case {reference}",
    "De triage van casus {reference} moet uiterlijk {date} klaar zijn.",
    "Triage of case {reference} is due by {date}."))
ACTIONS_OVERDUE = register(Kind(
    "actions_overdue",
    "{count} actie(s) over datum",
    "{count} overdue action(s)",
    "Acties over datum in de casussen {references}.",
    "Overdue actions in cases {references}."))
ACTION_STALE = register(Kind(
    "action_stale",
    "Actie zonder voortgang: casus {reference}",
    "Action without progress: case {reference}",
    "Een actie in casus {reference} heeft sinds {date} geen voortgang gehad.",
    "An action in case {reference} has had no progress since {date}."))
REVIEW_DUE = register(Kind(
    "review_due",
    "Herbeoordeling nodig: casus {reference}",
    "Review due: case {reference}",
    "Casus {reference} moest op {date} opnieuw worden besproken.",
    "Case {reference} was due for review on {date}."))
NAZORG_CHECKIN = register(Kind(
    "nazorg_checkin",
    "Nazorgcontact na {months} maanden: casus {reference}",
    "Aftercare check-in after {months} months: case {reference}",
    "Het nazorgcontact van casus {reference} na {months} maanden staat voor {date} gepland.",
    "The aftercare check-in of case {reference} after {months} months is due on {date}."))
APPROVAL_REQUESTED = register(Kind(
    "approval_requested",
    "Akkoord gevraagd ({what_nl}): casus {reference}",
    "Approval requested ({what_en}): case {reference}",
    "Er wacht een verzoek op uw besluit: {what_nl} in casus {reference}. Een andere supervisor dan de aanvrager "
    "beslist.",
    "A request awaits your decision: {what_en} in case {reference}. A supervisor other than the requester "
    "decides."))
APPROVAL_DECIDED = register(Kind(
    "approval_decided",
    "Uw verzoek is {verdict_nl}: casus {reference}",
    "Your request was {verdict_en}: case {reference}",
    "Over uw verzoek ({what_nl}) in casus {reference} is besloten: {verdict_nl}.",
    "Your request ({what_en}) in case {reference} was decided: {verdict_en}."))
APPROVAL_WITHDRAWN = register(Kind(
    "approval_withdrawn",
    "Uw verzoek is vervallen: casus {reference}",
    "Your request has lapsed: case {reference}",
    "Uw verzoek ({what_nl}) in casus {reference} is automatisch ingetrokken: de casus is niet meer in de fase "
    "waarvoor het gold.",
    "Your request ({what_en}) in case {reference} was withdrawn automatically: the case is no longer in the "
    "phase it was meant for."))
APPROVAL_REMINDER = register(Kind(
    "approval_reminder",
    "Akkoord wacht nog ({what_nl}): casus {reference}",
    "Approval still pending ({what_en}): case {reference}",
    "Sinds {date} wacht een verzoek op het besluit van een supervisor: {what_nl} in casus {reference}.",
    "Since {date} a request has been waiting for a supervisor's decision: {what_en} in case {reference}."))
ESCALATION_RAISED = register(Kind(
    "escalation_raised",
    "Opgeschaald naar {level_nl}: casus {reference}",
    "Escalated to {level_en}: case {reference}",
    "Casus {reference} is opgeschaald naar {level_nl}. De beslisser, de beslistermijn en de reden staan bij de "
    "escalaties van de casus.",
    "Case {reference} was escalated to {level_en}. The decision owner, the deadline and the reason are on the "
    "case's escalations tab."))
ESCALATION_DECISION_OVERDUE = register(Kind(
    "escalation_decision_overdue",
    "Escalatiebesluit over de termijn: casus {reference}",
    "Escalation decision overdue: case {reference}",
    "Het besluit over de escalatie van casus {reference} moest uiterlijk {date} zijn genomen en is nog niet "
    "vastgelegd.",
    "The decision on the escalation of case {reference} was due by {date} and has not been recorded."))
ESCALATION_REVIEW_DUE = register(Kind(
    "escalation_review_due",
    "Afschalen heroverwegen: casus {reference}",
    "Review de-escalation: case {reference}",
    "Voor casus {reference} stond op {date} de heroverweging van het escalatieniveau gepland.",
    "Reviewing the escalation level of case {reference} was due on {date}."))

MEETING_INVITATION = register(Kind(
    "meeting_invitation",
    "Uitnodiging: {meeting} op {date} om {time}",
    "Invitation: {meeting} on {date} at {time}",
    "U bent uitgenodigd voor {meeting} op {date} om {time}. De afspraak zit als agendabestand (.ics) bij dit "
    "bericht; de agenda staat in Casus.",
    "You are invited to {meeting} on {date} at {time}. The appointment is attached as a calendar file (.ics); "
    "the agenda is in Casus.",
    attachment="casus.meetings.calendar:invitation_attachment"))
MEETING_UPDATE = register(Kind(
    "meeting_update",
    "Gewijzigd: {meeting} op {date} om {time}",
    "Changed: {meeting} on {date} at {time}",
    "Het overleg {meeting} is gewijzigd: het is nu op {date} om {time}. De bijgewerkte afspraak zit als "
    "agendabestand (.ics) bij dit bericht.",
    "{meeting} has changed: it now takes place on {date} at {time}. The updated appointment is attached as a "
    "calendar file (.ics).",
    attachment="casus.meetings.calendar:invitation_attachment"))
MEETING_CANCELLED = register(Kind(
    "meeting_cancelled",
    "Geannuleerd: {meeting} op {date}",
    "Cancelled: {meeting} on {date}",
    "Het overleg {meeting} op {date} om {time} gaat niet door. Met het agendabestand (.ics) bij dit bericht "
    "haalt u het uit uw agenda.",
    "{meeting} on {date} at {time} will not take place. The attached calendar file (.ics) removes it from "
    "your calendar.",
    attachment="casus.meetings.calendar:invitation_attachment"))
MEETING_UNINVITED = register(Kind(
    "meeting_uninvited",
    "Niet meer uitgenodigd: {meeting} op {date}",
    "No longer invited: {meeting} on {date}",
    "Uw organisatie is niet meer uitgenodigd voor {meeting} op {date} om {time}. Met het agendabestand (.ics) "
    "bij dit bericht haalt u het uit uw agenda.",
    "Your organisation is no longer invited to {meeting} on {date} at {time}. The attached calendar file (.ics) "
    "removes it from your calendar.",
    attachment="casus.meetings.calendar:invitation_attachment"))
MEETING_REMINDER = register(Kind(
    "meeting_reminder",
    "Herinnering: {meeting} op {date} om {time}",
    "Reminder: {meeting} on {date} at {time}",
    "Het overleg {meeting} begint op {date} om {time}. De agenda staat in Casus.",
    "{meeting} starts on {date} at {time}. The agenda is in Casus."))
# RIEC voordrachten: the addressee's riec users may not see the case, so these name the voordracht's own number
# (RV-12) and never a case reference; only the team's "answered" notice adds the case reference.
VOORDRACHT_RECEIVED = register(Kind(
    "voordracht_received",
    "Nieuwe RIEC-voordracht {number}",
    "New RIEC referral {number}",
    "Er is een RIEC-voordracht ({number}, urgentie: {urgency_nl}) bij uw RIEC ingediend. Neem hem aan of leg "
    "hem terug met advies.",
    "A RIEC referral ({number}, urgency: {urgency_en}) was sent to your RIEC. Accept it or return it with advice."))
VOORDRACHT_ANSWERED = register(Kind(
    "voordracht_answered",
    "RIEC-voordracht {number} {verdict_nl}: casus {reference}",
    "RIEC referral {number} {verdict_en}: case {reference}",
    "Het RIEC heeft de voordracht {number} uit casus {reference} {verdict_nl}.",
    "The RIEC has {verdict_en} referral {number} from case {reference}."))
VOORDRACHT_STALE = register(Kind(
    "voordracht_stale",
    "RIEC-voordracht {number} ligt stil",
    "RIEC referral {number} is waiting",
    "RIEC-voordracht {number} ({state_nl}) is sinds {date} niet meer gewijzigd.",
    "RIEC referral {number} ({state_en}) has not changed since {date}."))


def _english(locale: object) -> bool:
    return str(locale or "nl").lower().startswith("en")


def _values(params: dict) -> dict:
    values = dict(params or {})
    if isinstance(values.get("date"), str):
        with suppress(ValueError):
            values["date"] = date.fromisoformat(values["date"]).strftime("%d-%m-%Y")
    if isinstance(values.get("references"), list):
        values["references"] = ", ".join(values["references"])
    return values


def _render(template: str, params: dict) -> str:
    try:
        return template.format(**_values(params))
    except (KeyError, IndexError, ValueError):
        return template.split("{", 1)[0].strip(" :")


def render_title(kind: str, params: dict, locale: object, fallback: str = "") -> str:
    spec = KINDS.get(kind)
    if spec is None:
        return fallback
    return _render(spec.title_en if _english(locale) else spec.title_nl, params)[:200]


def render_intro(kind: str, params: dict, locale: object) -> str:
    spec = KINDS.get(kind)
    if spec is None:
        return ""
    return _render(spec.intro_en if _english(locale) else spec.intro_nl, params)
