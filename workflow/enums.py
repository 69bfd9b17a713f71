"""Vocabulary of the workflow as string enums with a Dutch and an English label.

Values are the Dutch domain terms of docs/DESIGN.md §2 and are what the app persists; they are plain strings
(``StrEnum``), so ``CasePhase.TRIAGE == "triage"``. Every member carries a label per language for the UI:
``CasePhase.AANPAK_PLAN.label("en") == "Approach: plan"``.
"""

from __future__ import annotations

from enum import StrEnum


def is_english(locale: object) -> bool:
    """True for ``"en"``, ``"en_GB"``, ``"en-US"`` or a babel ``Locale('en')``; Dutch is the default."""
    return str(locale or "nl").lower().startswith("en")


class LabelledEnum(StrEnum):
    """A ``StrEnum`` whose members are declared as ``NAME = value, label_nl, label_en``."""

    label_nl: str
    label_en: str

    def __new__(cls, value: str, label_nl: str, label_en: str) -> LabelledEnum:
        member = str.__new__(cls, value)
        member._value_ = value
        member.label_nl = label_nl
        member.label_en = label_en
        return member

    def label(self, locale: object = "nl") -> str:
        """The label in ``locale``: English for any ``en*`` locale, otherwise Dutch."""
        return self.label_en if is_english(locale) else self.label_nl

    @classmethod
    def values(cls) -> tuple[str, ...]:
        return tuple(member.value for member in cls)

    @classmethod
    def choices(cls, locale: object = "nl") -> list[tuple[str, str]]:
        """``(value, label)`` pairs, ready for a select field."""
        return [(member.value, member.label(locale)) for member in cls]


class CasePhase(LabelledEnum):
    SIGNALERING = "signalering", "Signalering", "Signalling"
    TRIAGE = "triage", "Triage", "Triage"
    AANPAK_PLAN = "aanpak.plan", "Aanpak: plan", "Approach: plan"
    AANPAK_UITVOERING = "aanpak.uitvoering", "Aanpak: uitvoering", "Approach: execution"
    NAZORG = "nazorg", "Nazorg", "Aftercare"
    AFGESLOTEN = "afgesloten", "Afgesloten", "Closed"


class EscalationLevel(LabelledEnum):
    OPERATIONEEL = "operationeel", "Operationeel (casusoverleg)", "Operational (case meeting)"
    TACTISCH = "tactisch", "Tactisch (ketenmanagers)", "Tactical (chain managers)"
    BESTUURLIJK = "bestuurlijk", "Bestuurlijk (burgemeester, driehoek)", "Administrative (mayor, triangle)"


class VoordrachtState(LabelledEnum):
    CONCEPT = "concept", "Concept", "Draft"
    TER_BEOORDELING = "ter_beoordeling", "Ter beoordeling", "Under review"
    GOEDGEKEURD = "goedgekeurd", "Goedgekeurd", "Approved"
    AFGEWEZEN = "afgewezen", "Afgewezen", "Rejected"
    INGEDIEND = "ingediend", "Ingediend bij het RIEC", "Submitted to the RIEC"
    AANGENOMEN = "aangenomen", "Aangenomen als RIEC-casus", "Accepted as RIEC case"
    TERUGGELEGD = "teruggelegd", "Teruggelegd met advies", "Returned with advice"


class Role(LabelledEnum):
    PROCESREGISSEUR = "procesregisseur", "Procesregisseur", "Process director"
    PARTNER = "partner", "Ketenpartner", "Partner"
    SUPERVISOR = "supervisor", "Supervisor (teamleider)", "Supervisor (team lead)"
    RIEC = "riec", "RIEC-medewerker", "RIEC officer"
    PRIVACY = "privacy", "Privacyfunctionaris", "Privacy officer"
    BEHEERDER = "beheerder", "Beheerder", "Administrator"


class TriageOutcome(LabelledEnum):
    A = "A", "A: casusoverleg", "A: case meeting"
    B = "B", "B: bilateraal", "B: bilateral"
    C = "C", "C: lokaal/regulier", "C: local/regular care"
    ADVIES = "advies", "Advies", "Advice only"
    GEEN_CASUS = "geen_casus", "Geen casus", "Not a case"


class InclusionCriterion(LabelledEnum):
    MEERDERE_LEEFGEBIEDEN = (
        "meerdere_leefgebieden",
        "Problemen op meer dan één leefgebied",
        "Problems in more than one area of life",
    )
    MEERDERE_KETENS = (
        "meerdere_ketens",
        "Samenwerking van meerdere ketens nodig (zorg en veiligheid, drang en dwang)",
        "Several chains must cooperate (care and safety, persuasion and coercion)",
    )
    IMPACT_OMGEVING = (
        "impact_omgeving",
        "Impact op het huishouden of de omgeving",
        "Impact on the household or surroundings",
    )
    ERNSTIG_VEILIGHEIDSPROBLEEM = (
        "ernstig_veiligheidsprobleem",
        "Ernstig lokaal veiligheidsprobleem",
        "Serious local safety problem",
    )


class ClosureResult(LabelledEnum):
    DOEL_BEREIKT = "doel_bereikt", "Doel bereikt", "Goal achieved"
    OVERGEDRAGEN_REGULIER = (
        "overgedragen_regulier",
        "Overgedragen aan reguliere zorg",
        "Handed over to regular care",
    )
    VERHUISD = "verhuisd", "Verhuisd", "Moved away"
    OVERLEDEN = "overleden", "Overleden", "Deceased"
    ZONDER_RESULTAAT = "zonder_resultaat", "Zonder resultaat", "Without result"
    GEEN_CASUS = "geen_casus", "Geen casus", "Not a case"
    DOORVERWEZEN = "doorverwezen", "Doorverwezen", "Referred"


class ParticipationRole(LabelledEnum):
    AANBRENGER = "aanbrenger", "Aanbrenger", "Referring partner"
    CASUSHOUDER = "casushouder", "Casushouder", "Case holder"
    DEELNEMER = "deelnemer", "Deelnemer", "Participant"


class ActionStatus(LabelledEnum):
    OPEN = "open", "Open", "Open"
    IN_UITVOERING = "in_uitvoering", "In uitvoering", "In progress"
    GEREED = "gereed", "Gereed", "Done"
    VERVALLEN = "vervallen", "Vervallen", "Cancelled"


FINISHED_ACTION_STATUSES = frozenset({ActionStatus.GEREED.value, ActionStatus.VERVALLEN.value})
REFERRAL_OUTCOMES = frozenset({TriageOutcome.B.value, TriageOutcome.C.value, TriageOutcome.ADVIES.value})
