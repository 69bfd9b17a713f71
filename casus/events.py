"""Domain events: how a lower domain sets off work in a higher one without importing it.

Domains import downward only (docs/ARCHITECTURE.md, "Domain events"). ``cases`` is the foundation of the case
work; ``notifications`` and ``approvals`` (the shared four-eyes mechanism) stand on ``cases``; ``signals``,
``escalations`` and ``voordrachten`` stand on those. Calls go down: a case's team asks for early closure or
reopening through ``approvals/case_requests.py``, which calls down into ``cases`` to carry the decision out.
When a change below must have an effect above — a case transition sets the status reporters see on their
signals and withdraws a pending request that no longer fits the case's phase; a decided or withdrawn approval
moves its RIEC voordracht — the lower domain publishes an event and the higher one handles it; no
function-level import gets round a cycle:

* An event is a frozen dataclass defined by the domain that publishes it, in its ``events.py``
  (``cases.events.CaseTransitioned``, ``approvals.events.ApprovalDecided``): the publisher owns the contract,
  and a subscriber imports it downward.
* Handlers are subscribed at app start, explicitly: ``create_app`` calls each reacting domain's
  ``register(events)``. Importing a module subscribes nothing. The registry belongs to the app
  (``app.extensions``), so each app built (the tests build several) has every handler exactly once.
* ``publish`` is synchronous: each handler runs at once, inside the publisher's transaction (and savepoint, if
  it holds one), in the order it was subscribed. Nothing is queued, deferred to the commit or retried.
* A handler's exception propagates unchanged to whoever published, and later handlers do not run: the
  publishing service fails as if it had done the work itself, and the request rolls back as a whole.
* Events match on their exact class; an event nobody handles is published to no one.

Keep it that small: a handler that needs to outlive the transaction (e-mail, say) records work for a job, as
the notifications do.
"""

from __future__ import annotations

from collections.abc import Callable, Iterable
from typing import Any, TypeVar

from flask import Flask, current_app

EXTENSION = "casus_events"

Event = TypeVar("Event")


class Events:
    """One app's handlers, per event class, in the order they were subscribed."""

    def __init__(self) -> None:
        self._handlers: dict[type, list[Callable[[Any], None]]] = {}

    def subscribe(self, event_type: type[Event], handler: Callable[[Event], None]) -> None:
        self._handlers.setdefault(event_type, []).append(handler)

    def handlers(self, event_type: type) -> tuple[Callable[[Any], None], ...]:
        return tuple(self._handlers.get(event_type, ()))

    def publish(self, event: object) -> None:
        """Run every handler of ``event``'s class, in order; the first exception propagates."""
        for handler in self.handlers(type(event)):
            handler(event)


def init_app(app: Flask, registrars: Iterable[Callable[[Events], None]]) -> Events:
    """Give ``app`` its registry, filled by each domain's ``register(events)`` in the order given."""
    events = Events()
    for register in registrars:
        register(events)
    app.extensions[EXTENSION] = events
    return events


def publish(event: object) -> None:
    """Publish ``event`` to the handlers of the current app (services always run in an app context)."""
    current_app.extensions[EXTENSION].publish(event)
