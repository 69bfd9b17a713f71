"""A refused workflow step, told to the user who took it.

The workflow's guard messages are written for everybody (the workflow knows no users, pages or API); some refusals
read differently for whoever can do something about them. A supervisor closing a case during its nazorg is not
helped by "only a supervisor can close early": they are told until when the period runs and how to override it —
the checkbox on the page, ``override`` in the API. The failure codes stay as they are (they are the API contract).
"""

from __future__ import annotations

from casus import policy
from casus.cases.models import Case
from casus.clock import cadences
from casus.i18n import format_date_nl
from casus.users.models import User
from workflow import GuardFailure, TransitionRefused

NAZORG = "nazorg_period_over"

_PAGE_HOW = ("vink 'Nazorgperiode overslaan (supervisor)' aan en sluit opnieuw af.",
             "tick 'Skip the aftercare period (supervisor)' and close again.")
_API_HOW = ("stuur de stap opnieuw met override: true.", "send the step again with override: true.")


def for_user(refused: TransitionRefused, user: User, case: Case, *, api: bool = False) -> TransitionRefused:
    """``refused`` with the messages this user can act on; the same refusal for everyone else."""
    if NAZORG not in refused.codes or not policy.supervises(user):
        return refused
    how_nl, how_en = _API_HOW if api else _PAGE_HOW
    if case.nazorg_started_on is not None:
        ends = format_date_nl(cadences().nazorg_ends(case.nazorg_started_on))
        nl = f"De nazorgperiode loopt nog tot {ends}. Als supervisor kunt u toch afsluiten: {how_nl}"
        en = f"The aftercare period runs until {ends}. As a supervisor you can close the case anyway: {how_en}"
    else:
        nl = f"De nazorgperiode loopt nog. Als supervisor kunt u toch afsluiten: {how_nl}"
        en = f"The aftercare period has not ended yet. As a supervisor you can close the case anyway: {how_en}"
    failures = tuple(GuardFailure(NAZORG, nl, en) if failure.code == NAZORG else failure
                     for failure in refused.failures)
    return TransitionRefused(refused.record, failures)
