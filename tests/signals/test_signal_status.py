"""The status a reporter sees on a signal follows the phase of the case it is bundled into (one rule, used by
the case workflow and by the seed)."""

from __future__ import annotations

import pytest

from casus.signals.models import SignalStatus
from casus.signals.services import signal_status_for
from workflow import CasePhase, ClosureResult


@pytest.mark.parametrize(("phase", "result", "status"), [
    (CasePhase.SIGNALERING, None, SignalStatus.IN_TRIAGE),
    (CasePhase.TRIAGE, None, SignalStatus.IN_TRIAGE),
    (CasePhase.AANPAK_PLAN, None, SignalStatus.GEBUNDELD),
    (CasePhase.AANPAK_UITVOERING, None, SignalStatus.GEBUNDELD),
    (CasePhase.NAZORG, None, SignalStatus.GEBUNDELD),
    (CasePhase.AFGESLOTEN, ClosureResult.DOORVERWEZEN, SignalStatus.DOORVERWEZEN),
    (CasePhase.AFGESLOTEN, ClosureResult.GEEN_CASUS, SignalStatus.AFGESLOTEN),
    (CasePhase.AFGESLOTEN, ClosureResult.DOEL_BEREIKT, SignalStatus.AFGESLOTEN),
])
def test_signal_status_follows_the_case(phase, result, status):
    assert signal_status_for(phase.value, result and result.value) == status
