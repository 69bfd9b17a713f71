"""docs/DESIGN.md §3 transcribed by hand, plus facts under which each trigger's guards hold.

The expectations here are copied from docs/DESIGN.md §3.1–§3.3, *not* derived from ``workflow.tables``, so
that a wrong table fails the tests instead of agreeing with itself. A plain module rather than conftest
constants: ``from conftest import`` is ambiguous next to tests/conftest.py.
"""

from __future__ import annotations

from datetime import UTC, date, datetime, timedelta

from workflow import (
    ActionFacts,
    CaseFacts,
    EscalationFacts,
    InclusionCriterion,
    Participation,
    VoordrachtFacts,
)

# A Wednesday in the Netherlands, 13:00 local time; no holiday near.
NOW = datetime(2026, 3, 11, 12, 0, tzinfo=UTC)
TODAY = date(2026, 3, 11)

PR, SUP, RIEC = "procesregisseur", "supervisor", "riec"

# trigger -> ({source: destination}, roles that may fire it)
DESIGN = {
    "case": {
        "start_triage": ({"signalering": "triage"}, {PR, SUP}),
        "dismiss": ({"signalering": "afgesloten", "triage": "afgesloten"}, {PR, SUP}),
        "refer": ({"triage": "afgesloten"}, {PR}),
        "accept": ({"triage": "aanpak.plan"}, {PR}),
        "adopt_plan": ({"aanpak.plan": "aanpak.uitvoering"}, {PR}),
        "step_down": ({"aanpak.uitvoering": "nazorg"}, {PR}),
        "relapse": ({"nazorg": "aanpak.uitvoering"}, {PR, SUP}),
        "close": ({"nazorg": "afgesloten"}, {PR, SUP}),
        "close_early": ({"aanpak.plan": "afgesloten", "aanpak.uitvoering": "afgesloten"}, {SUP}),
        "reopen": ({"afgesloten": "triage"}, {SUP}),
    },
    "escalation": {
        "escalate": ({"operationeel": "tactisch", "tactisch": "bestuurlijk"}, {PR, SUP}),
        "deescalate": ({"tactisch": "operationeel", "bestuurlijk": "tactisch"}, {PR, SUP}),
    },
    "voordracht": {
        "submit": ({"concept": "ter_beoordeling"}, {PR, SUP}),
        "approve": ({"ter_beoordeling": "goedgekeurd"}, {SUP}),
        "reject": ({"ter_beoordeling": "afgewezen"}, {SUP}),
        "revise": ({"afgewezen": "concept"}, {PR}),
        "send_to_riec": ({"goedgekeurd": "ingediend"}, {PR, SUP}),
        "accept": ({"ingediend": "aangenomen"}, {RIEC}),
        "return_with_advice": ({"ingediend": "teruggelegd"}, {RIEC}),
    },
}
# One four-eyes mechanism serves the voordracht, close_early and reopen (docs/DESIGN.md §3.1, §3.3): reopening
# is asked by the team and approved by a supervisor who did not ask, like early closure.
FOUR_EYES = {("case", "close_early"), ("case", "reopen"), ("voordracht", "approve"), ("voordracht", "reject")}
STATES = {
    "case": ("signalering", "triage", "aanpak.plan", "aanpak.uitvoering", "nazorg", "afgesloten"),
    "escalation": ("operationeel", "tactisch", "bestuurlijk"),
    "voordracht": (
        "concept",
        "ter_beoordeling",
        "goedgekeurd",
        "afgewezen",
        "ingediend",
        "aangenomen",
        "teruggelegd",
    ),
}

REQUESTER_ID = 99
_PARTNERS = (
    Participation(1, "aanbrenger", has_legal_basis=True),
    Participation(2, "deelnemer", has_legal_basis=True),
)
_PLAN = {
    "goal_count": 1,
    "actions": (ActionFacts(1, TODAY + timedelta(days=30)),),
    "plan_discussed_in_meeting": True,
}
_ESCALATION_STEP = {
    "reason": "Woonoverlast houdt aan",
    "decision_owner": "ketenmanager politie",
    "decision_deadline": TODAY + timedelta(days=14),
    "review_on": TODAY + timedelta(days=60),
}

# (machine, trigger) -> (facts, context keyword arguments) under which every guard of the trigger holds
PASSING = {
    ("case", "start_triage"): (CaseFacts(signal_count=1, procesregisseur_id=7), {}),
    ("case", "dismiss"): (CaseFacts(), {"reason": "Geen zorg- en veiligheidsproblematiek"}),
    ("case", "refer"): (
        CaseFacts(triage_outcome="B", referral_organisation_id=3),
        {"reason": "Wijkteam pakt het op"},
    ),
    ("case", "accept"): (
        CaseFacts(
            triage_outcome="A",
            inclusion_criteria={InclusionCriterion.IMPACT_OMGEVING},
            participations=_PARTNERS,
        ),
        {},
    ),
    ("case", "adopt_plan"): (CaseFacts(**_PLAN), {}),
    ("case", "step_down"): (
        CaseFacts(actions=(ActionFacts(1, TODAY, "gereed"), ActionFacts(2, None, "vervallen")), evaluation="Rustig"),
        {},
    ),
    ("case", "relapse"): (CaseFacts(), {"reason": "Nieuwe meldingen van overlast"}),
    ("case", "close"): (CaseFacts(nazorg_started_on=TODAY - timedelta(days=200)), {"result": "doel_bereikt"}),
    ("case", "close_early"): (
        CaseFacts(requester_id=REQUESTER_ID),
        {"reason": "Betrokkene verhuisd", "result": "verhuisd"},
    ),
    ("case", "reopen"): (
        CaseFacts(closed_on=TODAY - timedelta(days=365), requester_id=REQUESTER_ID),
        {"reason": "Nieuwe signalen"},
    ),
    ("escalation", "escalate"): (EscalationFacts(), _ESCALATION_STEP),
    ("escalation", "deescalate"): (EscalationFacts(), {"decision": "Burgemeester legt gedragsaanwijzing op"}),
    ("voordracht", "submit"): (
        VoordrachtFacts(
            requester_id=REQUESTER_ID,
            summary="Vermoedelijke witwasconstructie",
            subject_count=1,
            legal_basis="RIEC-convenant art. 5",
        ),
        {},
    ),
    ("voordracht", "approve"): (VoordrachtFacts(requester_id=REQUESTER_ID), {}),
    ("voordracht", "reject"): (
        VoordrachtFacts(requester_id=REQUESTER_ID),
        {"motivation": "Te weinig feiten"},
    ),
    ("voordracht", "revise"): (VoordrachtFacts(requester_id=REQUESTER_ID), {}),
    ("voordracht", "send_to_riec"): (VoordrachtFacts(requester_id=REQUESTER_ID), {}),
    ("voordracht", "accept"): (VoordrachtFacts(riec_reference="RIEC-2026-017"), {}),
    ("voordracht", "return_with_advice"): (VoordrachtFacts(), {"motivation": "Eerst bestuurlijk aanpakken"}),
}


class Thing:
    """Stands in for an ORM object: the machines only read and set one attribute."""

    def __init__(self, state: str, attr: str = "state") -> None:
        setattr(self, attr, state)
