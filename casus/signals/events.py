"""What the signals domain publishes for the domains above it (the mechanism: ``casus.events``)."""

from __future__ import annotations

from dataclasses import dataclass

from casus.signals.models import Signal
from casus.users.models import User


@dataclass(frozen=True)
class SignalEnded:
    """``signal`` ended without a case — dismissed (geen casus) or withdrawn by its reporter — on
    ``signal.closed_on``; its status says how.

    Handler: retention gives it the archiefactiedatum of its outcome's retention term."""

    user: User
    signal: Signal
