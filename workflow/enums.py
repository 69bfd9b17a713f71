"""Vocabulary of the workflow as string enums, each member with its Dutch label.

Values are the Dutch domain terms of docs/DESIGN.md §2 and are what the app persists; they are plain strings
(``StrEnum``), so ``CasePhase.TRIAGE == "triage"``. Every member carries its Dutch label, marked with
:func:`N_` so that the app's catalogue extractor (``scripts/translations.sh``) collects it:
``CasePhase.AANPAK_PLAN.label_nl == "Aanpak: plan"``. The English text lives in that catalogue, next to every
other UI text, and the app labels members through it (``casus.labels.label``); this package stays
framework-free and knows no language but the Dutch source.
"""

from __future__ import annotations

from enum import StrEnum


def is_english(locale: object) -> bool:
    """True for ``"en"``, ``"en_GB"``, ``"en-US"`` or a babel ``Locale('en')``; Dutch is the default."""
    return str(locale or "nl").lower().startswith("en")


class Label(str):
    """A Dutch source text for the catalogue. ``context`` (gettext's msgctxt) tells apart two equal Dutch
    words that English translates differently, such as an action that is "Open" and a request that is
    "Open" (pending)."""

    __slots__ = ("context",)

    def __new__(cls, text: str, context: str | None = None) -> Label:
        label = super().__new__(cls, text)
        label.context = context
        return label


def N_(text: str) -> Label:
    """Mark ``text`` as a Dutch source text for the catalogue (``pybabel extract -k N_``); nothing is
    translated here."""
    return Label(text)


def NC_(context: str, text: str) -> Label:
    """:func:`N_` with a context (``pybabel extract -k NC_:1c,2``), for a Dutch word English splits."""
    return Label(text, context)


class LabelledEnum(StrEnum):
    """A ``StrEnum`` whose members are declared as ``NAME = value, N_("Dutch label")``."""

    label_nl: Label

    def __new__(cls, value: str, label_nl: Label) -> LabelledEnum:
        if not isinstance(label_nl, Label):
            raise TypeError(f"{cls.__name__}.{value}: mark the label with N_() so the catalogue has it")
        member = str.__new__(cls, value)
        member._value_ = value
        member.label_nl = label_nl
        return member

    @classmethod
    def values(cls) -> tuple[str, ...]:
        return tuple(member.value for member in cls)


class CasePhase(LabelledEnum):
    SIGNALERING = "signalering", N_("Signalering")
    TRIAGE = "triage", N_("Triage")
    AANPAK_PLAN = "aanpak.plan", N_("Aanpak: plan")
    AANPAK_UITVOERING = "aanpak.uitvoering", N_("Aanpak: uitvoering")
    NAZORG = "nazorg", N_("Nazorg")
    AFGESLOTEN = "afgesloten", N_("Afgesloten")


class EscalationLevel(LabelledEnum):
    OPERATIONEEL = "operationeel", N_("Operationeel (casusoverleg)")
    TACTISCH = "tactisch", N_("Tactisch (ketenmanagers)")
    BESTUURLIJK = "bestuurlijk", N_("Bestuurlijk (burgemeester, driehoek)")


class VoordrachtState(LabelledEnum):
    CONCEPT = "concept", N_("Concept")
    TER_BEOORDELING = "ter_beoordeling", N_("Ter beoordeling")
    GOEDGEKEURD = "goedgekeurd", N_("Goedgekeurd")
    AFGEWEZEN = "afgewezen", N_("Afgewezen")
    INGEDIEND = "ingediend", N_("Ingediend bij het RIEC")
    AANGENOMEN = "aangenomen", N_("Aangenomen als RIEC-casus")
    TERUGGELEGD = "teruggelegd", N_("Teruggelegd met advies")


class Role(LabelledEnum):
    PROCESREGISSEUR = "procesregisseur", N_("Procesregisseur")
    PARTNER = "partner", N_("Ketenpartner")
    SUPERVISOR = "supervisor", N_("Supervisor (teamleider)")
    RIEC = "riec", N_("RIEC-medewerker")
    PRIVACY = "privacy", N_("Privacyfunctionaris")
    BEHEERDER = "beheerder", N_("Beheerder")


class TriageOutcome(LabelledEnum):
    A = "A", N_("A: casusoverleg")
    B = "B", N_("B: bilateraal")
    C = "C", N_("C: lokaal/regulier")
    ADVIES = "advies", N_("Advies")
    GEEN_CASUS = "geen_casus", N_("Geen casus")


class InclusionCriterion(LabelledEnum):
    MEERDERE_LEEFGEBIEDEN = "meerdere_leefgebieden", N_("Problemen op meer dan één leefgebied")
    MEERDERE_KETENS = (
        "meerdere_ketens",
        N_("Samenwerking van meerdere ketens nodig (zorg en veiligheid, drang en dwang)"),
    )
    IMPACT_OMGEVING = "impact_omgeving", N_("Impact op het huishouden of de omgeving")
    ERNSTIG_VEILIGHEIDSPROBLEEM = "ernstig_veiligheidsprobleem", N_("Ernstig lokaal veiligheidsprobleem")


class ClosureResult(LabelledEnum):
    DOEL_BEREIKT = "doel_bereikt", N_("Doel bereikt")
    OVERGEDRAGEN_REGULIER = "overgedragen_regulier", N_("Overgedragen aan reguliere zorg")
    VERHUISD = "verhuisd", N_("Verhuisd")
    OVERLEDEN = "overleden", N_("Overleden")
    ZONDER_RESULTAAT = "zonder_resultaat", N_("Zonder resultaat")
    GEEN_CASUS = "geen_casus", N_("Geen casus")
    DOORVERWEZEN = "doorverwezen", N_("Doorverwezen")


class ParticipationRole(LabelledEnum):
    AANBRENGER = "aanbrenger", N_("Aanbrenger")
    CASUSHOUDER = "casushouder", N_("Casushouder")
    DEELNEMER = "deelnemer", N_("Deelnemer")


class ActionStatus(LabelledEnum):
    OPEN = "open", NC_("action status", "Open")
    IN_UITVOERING = "in_uitvoering", N_("In uitvoering")
    GEREED = "gereed", N_("Gereed")
    VERVALLEN = "vervallen", N_("Vervallen")


FINISHED_ACTION_STATUSES = frozenset({ActionStatus.GEREED.value, ActionStatus.VERVALLEN.value})
REFERRAL_OUTCOMES = frozenset({TriageOutcome.B.value, TriageOutcome.C.value, TriageOutcome.ADVIES.value})
