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
from casus.notifications.models import Delivery
from workflow.enums import is_english

__all__ = ["KINDS", "Kind", "default_delivery", "register", "render_intro", "render_title"]


@dataclass(frozen=True)
class Kind:
    """Title (short, for lists and e-mail subjects) and a one-line explanation.

    Placeholders: ``%(reference)s``, ``%(date)s`` (shown as dd-mm-jjjj), ``%(count)s``, ``%(months)s``,
    ``%(references)s``, for meetings ``%(meeting)s`` (its title) and ``%(time)s`` (local, 09:30), and for RIEC
    voordrachten ``%(number)s``. The params of the placeholders in ``translated`` hold a Dutch source text
    (an enum's ``label_nl``, or an ``N_`` text; never one with a context), shown in the reader's language;
    those in ``lowered`` are shown in lower case, inside a sentence.

    ``title_other`` / ``intro_other``: the texts for a ``count`` other than 1 (Dutch and English both have
    one form for 1 and one for the rest), so that no text reads "1 actie(s)"; ``counted_by`` names the param
    that holds the number when it is not ``count`` (a check-in "na 1 maand" / "na 3 maanden").

    ``attachment``: the e-mail of a notification of this kind carries an attachment, built at send time (see
    :func:`casus.notifications.services.send_pending_emails`) by the builder the domain that owns the kind
    registers at app start (``init_attachments``); such notifications are mailed one per message.

    ``label``: what the kind is about, for the page where a user chooses its delivery; ``delivery``: how it
    reaches a user who made no choice (``Delivery``: direct, dagoverzicht or alleen in de app).
    """

    name: str
    title: Label
    intro: Label
    translated: tuple[str, ...] = ()
    lowered: tuple[str, ...] = ()
    attachment: bool = False
    title_other: Label | None = None
    intro_other: Label | None = None
    label: Label | None = None
    delivery: Delivery = Delivery.IMMEDIATELY
    counted_by: str = "count"


KINDS: dict[str, Kind] = {}


def register(kind: Kind) -> Kind:
    KINDS[kind.name] = kind
    return kind


TRIAGE_DEADLINE = register(Kind(
    "triage_deadline",
    N_("Triagetermijn verloopt: casus %(reference)s"),
    N_("De triage van casus %(reference)s moet uiterlijk %(date)s klaar zijn."),
    label=N_("Triagetermijn die verloopt")))
ACTIONS_OVERDUE = register(Kind(
    "actions_overdue",
    N_("%(count)s actie over datum"),
    N_("Acties over datum in de casussen %(references)s."),
    title_other=N_("%(count)s acties over datum"),
    label=N_("Acties over datum (dagelijks overzicht)")))
ACTION_STALE = register(Kind(
    "action_stale",
    N_("Actie zonder voortgang: casus %(reference)s"),
    N_("Een actie in casus %(reference)s heeft sinds %(date)s geen voortgang gehad."),
    label=N_("Actie zonder voortgang")))
REVIEW_DUE = register(Kind(
    "review_due",
    N_("Herbeoordeling nodig: casus %(reference)s"),
    N_("Casus %(reference)s moest op %(date)s opnieuw worden besproken."),
    label=N_("Herbeoordeling van een casus nodig")))
NAZORG_CHECKIN = register(Kind(
    "nazorg_checkin",
    N_("Nazorgcontact na %(months)s maand: casus %(reference)s"),
    N_("Het nazorgcontact van casus %(reference)s na %(months)s maand staat voor %(date)s gepland."),
    title_other=N_("Nazorgcontact na %(months)s maanden: casus %(reference)s"),
    intro_other=N_("Het nazorgcontact van casus %(reference)s na %(months)s maanden staat voor %(date)s gepland."),
    counted_by="months",
    label=N_("Nazorgcontact gepland")))
APPROVAL_REQUESTED = register(Kind(
    "approval_requested",
    N_("Akkoord gevraagd (%(what)s): casus %(reference)s"),
    N_("Er wacht een verzoek op uw besluit: %(what)s in casus %(reference)s. Een andere supervisor dan de "
       "aanvrager beslist."),
    translated=("what",),
    lowered=("what",),
    label=N_("Verzoek om akkoord (vier ogen)")))
APPROVAL_DECIDED = register(Kind(
    "approval_decided",
    N_("Uw verzoek is %(verdict)s: casus %(reference)s"),
    N_("Over uw verzoek (%(what)s) in casus %(reference)s is besloten: %(verdict)s."),
    translated=("what", "verdict"),
    lowered=("what", "verdict"),
    label=N_("Besluit over uw verzoek om akkoord")))
APPROVAL_WITHDRAWN = register(Kind(
    "approval_withdrawn",
    N_("Uw verzoek is vervallen: casus %(reference)s"),
    N_("Uw verzoek (%(what)s) in casus %(reference)s is automatisch ingetrokken: de casus is niet meer in de "
       "fase waarvoor het gold."),
    translated=("what",),
    lowered=("what",),
    label=N_("Uw verzoek om akkoord vervallen")))
APPROVAL_REMINDER = register(Kind(
    "approval_reminder",
    N_("Akkoord wacht nog (%(what)s): casus %(reference)s"),
    N_("Sinds %(date)s wacht een verzoek op het besluit van een supervisor: %(what)s in casus %(reference)s."),
    translated=("what",),
    lowered=("what",),
    label=N_("Verzoek om akkoord wacht nog")))
ESCALATION_RAISED = register(Kind(
    "escalation_raised",
    N_("Opgeschaald naar %(level)s: casus %(reference)s"),
    N_("Casus %(reference)s is opgeschaald naar %(level)s. De beslisser, de beslistermijn en de reden staan "
       "bij de escalaties van de casus."),
    translated=("level",),
    label=N_("Casus opgeschaald")))
ESCALATION_DECISION_OVERDUE = register(Kind(
    "escalation_decision_overdue",
    N_("Escalatiebesluit over de termijn: casus %(reference)s"),
    N_("Het besluit over de escalatie van casus %(reference)s moest uiterlijk %(date)s zijn genomen en is "
       "nog niet vastgelegd."),
    label=N_("Escalatiebesluit over de termijn")))
ESCALATION_REVIEW_DUE = register(Kind(
    "escalation_review_due",
    N_("Afschalen heroverwegen: casus %(reference)s"),
    N_("Voor casus %(reference)s stond op %(date)s de heroverweging van het escalatieniveau gepland."),
    label=N_("Heroverweging van het escalatieniveau")))

MEETING_INVITATION = register(Kind(
    "meeting_invitation",
    N_("Uitnodiging: %(meeting)s op %(date)s om %(time)s"),
    N_("U bent uitgenodigd voor %(meeting)s op %(date)s om %(time)s. De afspraak zit als agendabestand "
       "(.ics) bij dit bericht; de agenda staat in Casus."),
    attachment=True,
    label=N_("Uitnodiging voor een overleg")))
MEETING_UPDATE = register(Kind(
    "meeting_update",
    N_("Gewijzigd: %(meeting)s op %(date)s om %(time)s"),
    N_("Het overleg %(meeting)s is gewijzigd: het is nu op %(date)s om %(time)s. De bijgewerkte afspraak zit "
       "als agendabestand (.ics) bij dit bericht."),
    attachment=True,
    label=N_("Overleg gewijzigd")))
MEETING_AGENDA = register(Kind(
    "meeting_agenda",
    N_("Agenda: %(meeting)s op %(date)s om %(time)s"),
    N_("De agenda van %(meeting)s op %(date)s om %(time)s: de casussen waaraan uw organisatie deelneemt staan in "
       "de PDF bij dit bericht, de afspraak in het agendabestand (.ics)."),
    attachment=True,
    label=N_("Agenda van een overleg")))
MEETING_CANCELLED = register(Kind(
    "meeting_cancelled",
    N_("Geannuleerd: %(meeting)s op %(date)s"),
    N_("Het overleg %(meeting)s op %(date)s om %(time)s gaat niet door. Met het agendabestand (.ics) bij dit "
       "bericht haalt u het uit uw agenda."),
    attachment=True,
    label=N_("Overleg geannuleerd")))
MEETING_UNINVITED = register(Kind(
    "meeting_uninvited",
    N_("Niet meer uitgenodigd: %(meeting)s op %(date)s"),
    N_("Uw organisatie is niet meer uitgenodigd voor %(meeting)s op %(date)s om %(time)s. Met het "
       "agendabestand (.ics) bij dit bericht haalt u het uit uw agenda."),
    attachment=True,
    label=N_("Niet meer uitgenodigd voor een overleg")))
MEETING_REMINDER = register(Kind(
    "meeting_reminder",
    N_("Herinnering: %(meeting)s op %(date)s om %(time)s"),
    N_("Het overleg %(meeting)s begint op %(date)s om %(time)s. De agenda staat in Casus."),
    label=N_("Herinnering aan een overleg")))
# RIEC voordrachten: the addressee's riec users may not see the case, so these name the voordracht's own number
# (RV-12) and never a case reference; only the team's "answered" notice adds the case reference.
VOORDRACHT_RECEIVED = register(Kind(
    "voordracht_received",
    N_("Nieuwe RIEC-voordracht %(number)s"),
    N_("Er is een RIEC-voordracht (%(number)s, urgentie: %(urgency)s) bij uw RIEC ingediend. Neem hem aan of "
       "leg hem terug met advies."),
    translated=("urgency",),
    lowered=("urgency",),
    label=N_("Nieuwe RIEC-voordracht")))
VOORDRACHT_ANSWERED = register(Kind(
    "voordracht_answered",
    N_("RIEC-voordracht %(number)s %(verdict)s: casus %(reference)s"),
    N_("Het RIEC heeft de voordracht %(number)s uit casus %(reference)s %(verdict)s."),
    translated=("verdict",),
    label=N_("Antwoord van het RIEC op een voordracht")))
VOORDRACHT_STALE = register(Kind(
    "voordracht_stale",
    N_("RIEC-voordracht %(number)s ligt stil"),
    N_("RIEC-voordracht %(number)s (%(state)s) is sinds %(date)s niet meer gewijzigd."),
    translated=("state",),
    lowered=("state",),
    label=N_("RIEC-voordracht die stilligt")))

# The audit chain: the daily verification found something (casus.notifications.audit_checks). The privacy
# officers read the findings on the audit page; the notification names only their number.
AUDIT_VERIFICATION_FAILED = register(Kind(
    "audit_verification_failed",
    N_("Controle van het auditlog: %(count)s bevinding"),
    N_("De controle van het auditlog op %(date)s vond %(count)s bevinding: een gebeurtenis of zegel die niet "
       "klopt met de keten. Het resultaat staat op de pagina Auditlog."),
    title_other=N_("Controle van het auditlog: %(count)s bevindingen"),
    intro_other=N_("De controle van het auditlog op %(date)s vond %(count)s bevindingen: gebeurtenissen of zegels "
                   "die niet kloppen met de keten. Het resultaat staat op de pagina Auditlog."),
    label=N_("Bevindingen bij de controle van het auditlog")))

# Accounts without a login for CASUS_INACTIVE_DAYS, deactivated by the scheduler
# (casus.notifications.inactive_accounts):
# the beheerders are told how many; who they are is in the user list and the audit log.
ACCOUNTS_DEACTIVATED = register(Kind(
    "accounts_deactivated",
    N_("%(count)s account gedeactiveerd wegens inactiviteit"),
    N_("Op %(date)s is %(count)s account gedeactiveerd dat %(days)s dagen niet heeft ingelogd. Een beheerder kan "
       "het weer activeren."),
    title_other=N_("%(count)s accounts gedeactiveerd wegens inactiviteit"),
    intro_other=N_("Op %(date)s zijn %(count)s accounts gedeactiveerd die %(days)s dagen niet hebben ingelogd. Een "
                   "beheerder kan ze weer activeren."),
    label=N_("Accounts gedeactiveerd wegens inactiviteit")))

# Data-subject requests (casus.subject_requests.jobs): the request's reference (AVG-2026-0001) only, never the person.
SUBJECT_REQUEST_DUE_SOON = register(Kind(
    "subject_request_due_soon",
    N_("Termijn verzoek %(reference)s loopt af"),
    N_("Het verzoek van een betrokkene %(reference)s moet uiterlijk %(date)s zijn afgehandeld."),
    label=N_("Termijn van een verzoek van een betrokkene loopt af")))
SUBJECT_REQUEST_OVERDUE = register(Kind(
    "subject_request_overdue",
    N_("Termijn verstreken: verzoek %(reference)s"),
    N_("De termijn van het verzoek van een betrokkene %(reference)s is op %(date)s verstreken. Handel het "
       "verzoek af of verleng de termijn."),
    label=N_("Termijn van een verzoek van een betrokkene verstreken")))

# Destruction lists (casus.retention.lists): they name the list's reference (VL-2026-0001), never a case.
DESTRUCTION_LIST_PROPOSED = register(Kind(
    "destruction_list_proposed",
    N_("Nieuwe vernietigingslijst %(reference)s"),
    N_("Vernietigingslijst %(reference)s staat klaar. Beoordeel de lijst en bied hem ter goedkeuring aan."),
    label=N_("Nieuwe vernietigingslijst")))
DESTRUCTION_LIST_SUBMITTED = register(Kind(
    "destruction_list_submitted",
    N_("Akkoord gevraagd: vernietigingslijst %(reference)s"),
    N_("Vernietigingslijst %(reference)s wacht op uw besluit. Wie de lijst heeft voorbereid, beslist er niet "
       "zelf over."),
    label=N_("Vernietigingslijst wacht op uw akkoord")))
DESTRUCTION_LIST_REMINDER = register(Kind(
    "destruction_list_reminder",
    N_("Vernietigingslijst %(reference)s wacht nog op een besluit"),
    N_("Vernietigingslijst %(reference)s wacht al drie werkdagen of langer op het besluit van een tweede persoon."),
    label=N_("Vernietigingslijst wacht nog op een besluit")))
DESTRUCTION_LIST_DECIDED = register(Kind(
    "destruction_list_decided",
    N_("Vernietigingslijst %(reference)s is %(verdict)s"),
    N_("Over vernietigingslijst %(reference)s is besloten: %(verdict)s."),
    translated=("verdict",),
    lowered=("verdict",),
    label=N_("Besluit over een vernietigingslijst")))
# Rectificatie (casus.subject_requests.rights): the case's partners and procesregisseur learn that a subject's data
# was corrected — the reference only, never what or whose.
SUBJECT_CORRECTED = register(Kind(
    "subject_corrected",
    N_("Gegevens van een betrokkene gecorrigeerd: casus %(reference)s"),
    N_("Op verzoek van een betrokkene heeft de privacyfunctionaris gegevens gecorrigeerd in casus %(reference)s. "
       "Werk uw eigen administratie zo nodig bij."),
    label=N_("Gegevens van een betrokkene gecorrigeerd")))


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
        if name in values and not str(values[name])[:2].isupper():  # an acronym (RIEC-voordracht) keeps its case
            values[name] = values[name].lower()
    return values

# Partners told what concerns them (casus.notifications.partners): the case reference and at most a date — never
# the title, a subject or what an action is about. A reporter learns the outcome of a signal by the signal's own
# reference (2026-S-0042): they may not see the case it went into.
PARTICIPATION_STARTED = register(Kind(
    "participation_started",
    N_("Uw organisatie neemt deel aan casus %(reference)s"),
    N_("Uw organisatie is op %(date)s uitgenodigd om deel te nemen aan casus %(reference)s. U ziet de casus nu "
       "in Casus."),
    label=N_("Uitnodiging om deel te nemen aan een casus")))
PARTICIPATION_ENDED = register(Kind(
    "participation_ended",
    N_("Deelname beëindigd: casus %(reference)s"),
    N_("De deelname van uw organisatie aan casus %(reference)s is op %(date)s beëindigd. U ziet de casus niet "
       "meer."),
    label=N_("Einde van de deelname aan een casus")))
ACTION_ASSIGNED = register(Kind(
    "action_assigned",
    N_("Nieuwe actie voor %(assignee)s: casus %(reference)s"),
    N_("In casus %(reference)s is een actie toegewezen aan %(assignee)s, uiterlijk klaar op %(date)s."),
    translated=("assignee",),
    label=N_("Actie toegewezen aan u of uw organisatie")))
ACTION_DUE_CHANGED = register(Kind(
    "action_due_changed",
    N_("Nieuwe uiterste datum voor een actie: casus %(reference)s"),
    N_("De uiterste datum van een actie van %(assignee)s in casus %(reference)s is nu %(date)s."),
    translated=("assignee",),
    label=N_("Uiterste datum van een actie gewijzigd"),
    delivery=Delivery.DIGEST))
SIGNAL_BUNDLED = register(Kind(
    "signal_bundled",
    N_("Uw signaal %(reference)s is gebundeld in een casus"),
    N_("Uw signaal %(reference)s is gewogen en gebundeld in een casus. De status staat bij uw signalen."),
    label=N_("Uw signaal gebundeld in een casus"),
    delivery=Delivery.DIGEST))
SIGNAL_REFERRED = register(Kind(
    "signal_referred",
    N_("Uw signaal %(reference)s: doorverwezen"),
    N_("De casus waarin uw signaal %(reference)s is gebundeld, is afgesloten met een doorverwijzing."),
    label=N_("Uw signaal doorverwezen"),
    delivery=Delivery.DIGEST))
SIGNAL_DISMISSED = register(Kind(
    "signal_dismissed",
    N_("Uw signaal %(reference)s is afgesloten"),
    N_("Uw signaal %(reference)s is gewogen en afgesloten zonder casus. De status staat bij uw signalen."),
    label=N_("Uw signaal afgesloten zonder casus"),
    delivery=Delivery.DIGEST))
CASE_ON_AGENDA = register(Kind(
    "case_on_agenda",
    N_("Casus %(reference)s op de agenda van %(date)s"),
    N_("Casus %(reference)s staat op de agenda van het overleg op %(date)s om %(time)s (%(meeting_type)s)."),
    translated=("meeting_type",),
    label=N_("Casus op de agenda van een overleg"),
    delivery=Delivery.DIGEST))
CASE_RELAPSE = register(Kind(
    "case_relapse",
    N_("Terugval: casus %(reference)s weer in aanpak"),
    N_("Casus %(reference)s is op %(date)s na een terugval in de nazorg weer in uitvoering genomen."),
    label=N_("Terugval in een casus waaraan u deelneemt")))

# A stored document that is missing, cannot be decrypted or no longer matches its SHA-256 was refused on download
# (casus.documents.services): the privacy officers are told which document; what happened is in the audit log.
DOCUMENT_CORRUPT = register(Kind(
    "document_corrupt",
    N_("Beschadigd bestand: document %(number)s"),
    N_("Een download van document %(number)s is geweigerd: het opgeslagen bestand ontbreekt, is niet te "
       "ontsleutelen of klopt niet meer met zijn controlegetal (SHA-256). Zie het auditlog."),
    label=N_("Beschadigde bestanden van documenten")))

# Who an action is for, in an ACTION_ASSIGNED or ACTION_DUE_CHANGED text (the param ``assignee``).
ASSIGNEE_YOU = N_("u")
ASSIGNEE_ORGANISATION = N_("uw organisatie")


def _counted(spec: Kind, one: Label, other: Label | None, params: dict) -> Label:
    """The text for the kind's number (``params["count"]`` unless ``counted_by`` names another): ``one`` for 1 (or
    no number), else ``other`` when the kind has it."""
    return other if other is not None and (params or {}).get(spec.counted_by, 1) != 1 else one


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
    return _render(spec, _counted(spec, spec.title, spec.title_other, params), params, locale)[:200]


def render_intro(kind: str, params: dict, locale: object) -> str:
    spec = KINDS.get(kind)
    if spec is None:
        return ""
    return _render(spec, _counted(spec, spec.intro, spec.intro_other, params), params, locale)


def default_delivery(kind: str) -> Delivery:
    """How ``kind`` reaches a user who made no choice; a kind unknown here is e-mailed at once, as before."""
    spec = KINDS.get(kind)
    return spec.delivery if spec is not None else Delivery.IMMEDIATELY
