"""What each kind of notification says: a title and a one-line explanation, in the reader's language.

Texts name the kind of thing that needs attention and at most a case reference and a date — never a
case title, a subject or anything else a recipient might not be allowed to see (the recipient is always
someone who may see the case; the reference is how they find it). New kinds (meetings, escalations)
register here with :func:`register`.

The texts are Dutch source texts in the catalogue (``N_``, see :mod:`casus.labels`); a notification stores
its kind and params and is shown in whatever language its reader has now.
"""

from __future__ import annotations

from contextlib import suppress
from dataclasses import dataclass
from datetime import date

from casus.labels import N_, Label, translate
from workflow.enums import is_english

__all__ = ["KINDS", "Kind", "register", "render_intro", "render_title"]


@dataclass(frozen=True)
class Kind:
    """Title (short, for lists and e-mail subjects) and a one-line explanation.

    Placeholders: ``%(reference)s``, ``%(date)s`` (shown as dd-mm-jjjj), ``%(count)s``, ``%(months)s``,
    ``%(references)s``, for meetings ``%(meeting)s`` (its title) and ``%(time)s`` (local, 09:30), and for RIEC
    voordrachten ``%(number)s``. The params of the placeholders in ``translated`` hold a Dutch source text
    (an enum's ``label_nl``, or an ``N_`` text; never one with a context), shown in the reader's language;
    those in ``lowered`` are shown in lower case, inside a sentence.

    ``attachment``: the e-mail of a notification of this kind carries an attachment, built at send time (see
    :func:`casus.notifications.services.send_pending_emails`) by the builder the domain that owns the kind
    registers at app start (``init_attachments``); such notifications are mailed one per message.
    """

    name: str
    title: Label
    intro: Label
    translated: tuple[str, ...] = ()
    lowered: tuple[str, ...] = ()
    attachment: bool = False


KINDS: dict[str, Kind] = {}


def register(kind: Kind) -> Kind:
    KINDS[kind.name] = kind
    return kind


TRIAGE_DEADLINE = register(Kind(
    "triage_deadline",
    N_("Triagetermijn verloopt: casus %(reference)s"),
    N_("De triage van casus %(reference)s moet uiterlijk %(date)s klaar zijn.")))
ACTIONS_OVERDUE = register(Kind(
    "actions_overdue",
    N_("%(count)s actie(s) over datum"),
    N_("Acties over datum in de casussen %(references)s.")))
ACTION_STALE = register(Kind(
    "action_stale",
    N_("Actie zonder voortgang: casus %(reference)s"),
    N_("Een actie in casus %(reference)s heeft sinds %(date)s geen voortgang gehad.")))
REVIEW_DUE = register(Kind(
    "review_due",
    N_("Herbeoordeling nodig: casus %(reference)s"),
    N_("Casus %(reference)s moest op %(date)s opnieuw worden besproken.")))
NAZORG_CHECKIN = register(Kind(
    "nazorg_checkin",
    N_("Nazorgcontact na %(months)s maanden: casus %(reference)s"),
    N_("Het nazorgcontact van casus %(reference)s na %(months)s maanden staat voor %(date)s gepland.")))
APPROVAL_REQUESTED = register(Kind(
    "approval_requested",
    N_("Akkoord gevraagd (%(what)s): casus %(reference)s"),
    N_("Er wacht een verzoek op uw besluit: %(what)s in casus %(reference)s. Een andere supervisor dan de "
       "aanvrager beslist."),
    translated=("what",)))
APPROVAL_DECIDED = register(Kind(
    "approval_decided",
    N_("Uw verzoek is %(verdict)s: casus %(reference)s"),
    N_("Over uw verzoek (%(what)s) in casus %(reference)s is besloten: %(verdict)s."),
    translated=("what", "verdict"),
    lowered=("verdict",)))
APPROVAL_WITHDRAWN = register(Kind(
    "approval_withdrawn",
    N_("Uw verzoek is vervallen: casus %(reference)s"),
    N_("Uw verzoek (%(what)s) in casus %(reference)s is automatisch ingetrokken: de casus is niet meer in de "
       "fase waarvoor het gold."),
    translated=("what",)))
APPROVAL_REMINDER = register(Kind(
    "approval_reminder",
    N_("Akkoord wacht nog (%(what)s): casus %(reference)s"),
    N_("Sinds %(date)s wacht een verzoek op het besluit van een supervisor: %(what)s in casus %(reference)s."),
    translated=("what",)))
ESCALATION_RAISED = register(Kind(
    "escalation_raised",
    N_("Opgeschaald naar %(level)s: casus %(reference)s"),
    N_("Casus %(reference)s is opgeschaald naar %(level)s. De beslisser, de beslistermijn en de reden staan "
       "bij de escalaties van de casus."),
    translated=("level",)))
ESCALATION_DECISION_OVERDUE = register(Kind(
    "escalation_decision_overdue",
    N_("Escalatiebesluit over de termijn: casus %(reference)s"),
    N_("Het besluit over de escalatie van casus %(reference)s moest uiterlijk %(date)s zijn genomen en is "
       "nog niet vastgelegd.")))
ESCALATION_REVIEW_DUE = register(Kind(
    "escalation_review_due",
    N_("Afschalen heroverwegen: casus %(reference)s"),
    N_("Voor casus %(reference)s stond op %(date)s de heroverweging van het escalatieniveau gepland.")))

MEETING_INVITATION = register(Kind(
    "meeting_invitation",
    N_("Uitnodiging: %(meeting)s op %(date)s om %(time)s"),
    N_("U bent uitgenodigd voor %(meeting)s op %(date)s om %(time)s. De afspraak zit als agendabestand "
       "(.ics) bij dit bericht; de agenda staat in Casus."),
    attachment=True))
MEETING_UPDATE = register(Kind(
    "meeting_update",
    N_("Gewijzigd: %(meeting)s op %(date)s om %(time)s"),
    N_("Het overleg %(meeting)s is gewijzigd: het is nu op %(date)s om %(time)s. De bijgewerkte afspraak zit "
       "als agendabestand (.ics) bij dit bericht."),
    attachment=True))
MEETING_CANCELLED = register(Kind(
    "meeting_cancelled",
    N_("Geannuleerd: %(meeting)s op %(date)s"),
    N_("Het overleg %(meeting)s op %(date)s om %(time)s gaat niet door. Met het agendabestand (.ics) bij dit "
       "bericht haalt u het uit uw agenda."),
    attachment=True))
MEETING_UNINVITED = register(Kind(
    "meeting_uninvited",
    N_("Niet meer uitgenodigd: %(meeting)s op %(date)s"),
    N_("Uw organisatie is niet meer uitgenodigd voor %(meeting)s op %(date)s om %(time)s. Met het "
       "agendabestand (.ics) bij dit bericht haalt u het uit uw agenda."),
    attachment=True))
MEETING_REMINDER = register(Kind(
    "meeting_reminder",
    N_("Herinnering: %(meeting)s op %(date)s om %(time)s"),
    N_("Het overleg %(meeting)s begint op %(date)s om %(time)s. De agenda staat in Casus.")))
# RIEC voordrachten: the addressee's riec users may not see the case, so these name the voordracht's own number
# (RV-12) and never a case reference; only the team's "answered" notice adds the case reference.
VOORDRACHT_RECEIVED = register(Kind(
    "voordracht_received",
    N_("Nieuwe RIEC-voordracht %(number)s"),
    N_("Er is een RIEC-voordracht (%(number)s, urgentie: %(urgency)s) bij uw RIEC ingediend. Neem hem aan of "
       "leg hem terug met advies."),
    translated=("urgency",),
    lowered=("urgency",)))
VOORDRACHT_ANSWERED = register(Kind(
    "voordracht_answered",
    N_("RIEC-voordracht %(number)s %(verdict)s: casus %(reference)s"),
    N_("Het RIEC heeft de voordracht %(number)s uit casus %(reference)s %(verdict)s."),
    translated=("verdict",)))
VOORDRACHT_STALE = register(Kind(
    "voordracht_stale",
    N_("RIEC-voordracht %(number)s ligt stil"),
    N_("RIEC-voordracht %(number)s (%(state)s) is sinds %(date)s niet meer gewijzigd."),
    translated=("state",),
    lowered=("state",)))

# The audit chain: the daily verification found something (casus.notifications.audit_checks). The privacy
# officers read the findings on the audit page; the notification names only their number.
AUDIT_VERIFICATION_FAILED = register(Kind(
    "audit_verification_failed",
    N_("Controle van het auditlog: %(count)s bevinding(en)"),
    N_("De controle van het auditlog op %(date)s vond %(count)s bevinding(en): gebeurtenissen of zegels die niet "
       "kloppen met de keten. Het resultaat staat op de pagina Auditlog.")))

# Data-subject requests (casus.subject_requests.jobs): the request's reference (AVG-2026-0001) only, never the person.
SUBJECT_REQUEST_DUE_SOON = register(Kind(
    "subject_request_due_soon",
    N_("Termijn verzoek %(reference)s loopt af"),
    N_("Het verzoek van een betrokkene %(reference)s moet uiterlijk %(date)s zijn afgehandeld.")))
SUBJECT_REQUEST_OVERDUE = register(Kind(
    "subject_request_overdue",
    N_("Termijn verstreken: verzoek %(reference)s"),
    N_("De termijn van het verzoek van een betrokkene %(reference)s is op %(date)s verstreken. Handel het "
       "verzoek af of verleng de termijn.")))

# Destruction lists (casus.retention.lists): they name the list's reference (VL-2026-0001), never a case.
DESTRUCTION_LIST_PROPOSED = register(Kind(
    "destruction_list_proposed",
    N_("Nieuwe vernietigingslijst %(reference)s"),
    N_("Vernietigingslijst %(reference)s staat klaar. Beoordeel de lijst en bied hem ter goedkeuring aan.")))
DESTRUCTION_LIST_SUBMITTED = register(Kind(
    "destruction_list_submitted",
    N_("Akkoord gevraagd: vernietigingslijst %(reference)s"),
    N_("Vernietigingslijst %(reference)s wacht op uw besluit. Wie de lijst heeft voorbereid, beslist er niet "
       "zelf over.")))
DESTRUCTION_LIST_REMINDER = register(Kind(
    "destruction_list_reminder",
    N_("Vernietigingslijst %(reference)s wacht nog op een besluit"),
    N_("Vernietigingslijst %(reference)s wacht al drie werkdagen of langer op het besluit van een tweede persoon.")))
DESTRUCTION_LIST_DECIDED = register(Kind(
    "destruction_list_decided",
    N_("Vernietigingslijst %(reference)s is %(verdict)s"),
    N_("Over vernietigingslijst %(reference)s is besloten: %(verdict)s."),
    translated=("verdict",),
    lowered=("verdict",)))
# Rectificatie (casus.subject_requests.rights): the case's partners and procesregisseur learn that a subject's data
# was corrected — the reference only, never what or whose.
SUBJECT_CORRECTED = register(Kind(
    "subject_corrected",
    N_("Gegevens van een betrokkene gecorrigeerd: casus %(reference)s"),
    N_("Op verzoek van een betrokkene heeft de privacyfunctionaris gegevens gecorrigeerd in casus %(reference)s. "
       "Werk uw eigen administratie zo nodig bij.")))


def _values(spec: Kind, params: dict, locale: object) -> dict:
    values = dict(params or {})
    if isinstance(values.get("date"), str):
        with suppress(ValueError):
            values["date"] = date.fromisoformat(values["date"]).strftime("%d-%m-%Y")
    if isinstance(values.get("references"), list):
        values["references"] = ", ".join(values["references"])
    for name in spec.translated:
        if name in values:
            values[name] = translate(values[name], locale)
        else:  # stored before these texts went through the catalogue: one param per language (what_nl, what_en)
            with suppress(KeyError):
                values[name] = values[f"{name}_{'en' if is_english(locale) else 'nl'}"]
    for name in spec.lowered:
        if name in values:
            values[name] = values[name].lower()
    return values


def _render(spec: Kind, text: Label, params: dict, locale: object) -> str:
    locale = locale or "nl"  # a reader who never chose a language reads Dutch, as the notification was written
    template = translate(text, locale)
    try:
        return template % _values(spec, params, locale)
    except (KeyError, ValueError, TypeError):
        return template.split("%(", 1)[0].strip(" :")


def render_title(kind: str, params: dict, locale: object, fallback: str = "") -> str:
    spec = KINDS.get(kind)
    if spec is None:
        return fallback
    return _render(spec, spec.title, params, locale)[:200]


def render_intro(kind: str, params: dict, locale: object) -> str:
    spec = KINDS.get(kind)
    if spec is None:
        return ""
    return _render(spec, spec.intro, params, locale)
