"""Domain events (casus.events): subscribed at app start, run at once in order, a handler's error propagates."""

from __future__ import annotations

from dataclasses import dataclass

import pytest
from flask import Flask

from casus import events
from casus.approvals import case_requests
from casus.approvals.events import ApprovalDecided, ApprovalWithdrawn
from casus.cases.events import CaseTransitioned, ParticipationEnded, ParticipationStarted
from casus.nazorg import services as nazorg
from casus.notifications import partners
from casus.plans.events import ActionAssigned, ActionDueChanged
from casus.retention import archive, extension, list_decisions
from casus.signals import services as signals
from casus.signals.events import SignalEnded
from casus.voordrachten import services as voordrachten


@dataclass(frozen=True)
class Happened:
    what: str


@dataclass(frozen=True)
class HappenedToo(Happened):
    pass


def test_handlers_run_in_the_order_they_were_subscribed():
    registry, seen = events.Events(), []
    registry.subscribe(Happened, lambda event: seen.append(("first", event.what)))
    registry.subscribe(Happened, lambda event: seen.append(("second", event.what)))
    registry.publish(Happened("x"))
    assert seen == [("first", "x"), ("second", "x")]


def test_an_error_in_a_handler_reaches_the_publisher_and_stops_the_rest():
    registry, seen = events.Events(), []

    def refuse(event):
        raise ValueError(event.what)

    registry.subscribe(Happened, refuse)
    registry.subscribe(Happened, seen.append)
    with pytest.raises(ValueError, match="nee"):
        registry.publish(Happened("nee"))
    assert seen == []


def test_events_match_their_exact_class_and_nobody_may_listen():
    registry, seen = events.Events(), []
    registry.subscribe(Happened, seen.append)
    registry.publish(HappenedToo("sub"))  # a subclass is another event
    registry.publish(object())
    assert seen == []


def test_each_app_gets_its_own_registry_filled_by_the_registrars_in_order(app):
    order, seen = [], []

    def first(registry):
        order.append("first")
        registry.subscribe(Happened, seen.append)

    other = Flask(__name__)
    registry = events.init_app(other, [first, lambda registry: order.append("second")])
    assert order == ["first", "second"] and other.extensions[events.EXTENSION] is registry
    assert app.extensions[events.EXTENSION] is not registry
    with other.app_context():
        events.publish(Happened("hier"))  # to the current app's handlers
    with app.app_context():
        events.publish(Happened("daar"))  # nobody in the session's app listens to this test's event
    assert seen == [Happened("hier")]


def test_create_app_subscribes_the_domains_above_to_the_events_below(app):
    """Signals follow a case before a pending request is withdrawn, and retention sets or clears the archive fields,
    then nazorg plans its check-ins and the partners hear of a relapse; the case's own requests are carried out
    before a voordracht's, a destruction list's and a retention
    extension's; voordrachten and destruction lists undo a withdrawal; retention dates a signal that ended."""
    registry = app.extensions[events.EXTENSION]
    assert [h.__module__ for h in registry.handlers(CaseTransitioned)] == [
        signals.__name__, case_requests.__name__, archive.__name__, nazorg.__name__, partners.__name__]
    assert [h.__module__ for h in registry.handlers(ParticipationStarted)] == [partners.__name__]
    assert [h.__module__ for h in registry.handlers(ParticipationEnded)] == [partners.__name__]
    assert [h.__module__ for h in registry.handlers(ActionAssigned)] == [partners.__name__]
    assert [h.__module__ for h in registry.handlers(ActionDueChanged)] == [partners.__name__]
    assert [h.__module__ for h in registry.handlers(ApprovalDecided)] == [
        case_requests.__name__, voordrachten.__name__, list_decisions.__name__, extension.__name__]
    assert [h.__module__ for h in registry.handlers(ApprovalWithdrawn)] == [voordrachten.__name__,
                                                                            list_decisions.__name__]
    assert [h.__module__ for h in registry.handlers(SignalEnded)] == [archive.__name__]
