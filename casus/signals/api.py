"""``/signals``: report a signal, list and read the signals the caller may see.

The BSN travels only in a request body, never in a URL; searching by BSN would be a POST too.
"""

from __future__ import annotations

from datetime import datetime
from types import SimpleNamespace

import sqlalchemy as sa
from flask import url_for
from flask.views import MethodView
from flask_smorest import abort

from casus import policy
from casus.api.blueprint import ApiBlueprint
from casus.api.schemas import ProblemSchema
from casus.audit.services import record
from casus.cases.models import Case
from casus.extensions import db
from casus.pagination import decode_cursor
from casus.security import acting_user
from casus.services import ServiceError
from casus.signals import services
from casus.signals.models import Signal
from casus.signals.schemas import (
    ReportedSignalSchema,
    SignalBundleInputSchema,
    SignalBundleSchema,
    SignalDetailSchema,
    SignalInputSchema,
    SignalListQuerySchema,
    SignalPageSchema,
    SignalSchema,
)
from casus.subjects.schemas import to_subject_input

blp = ApiBlueprint("signals_api", __name__, description="Signals (signalen) reported by partners")


class SignalView:
    """A signal with what this caller may see of its surroundings, for the schemas."""

    def __init__(self, signal: Signal, visible_case_id: int | None, subject_list=(), known_elsewhere=()) -> None:
        self._signal = signal
        self.visible_case_id = visible_case_id
        self.subject_list = list(subject_list)
        self.known_elsewhere = list(known_elsewhere)
        self.known_elsewhere_limit_reached = getattr(known_elsewhere, "limit_reached", False)

    def __getattr__(self, name):
        return getattr(self._signal, name)



def _visible_case_id(signal: Signal) -> int | None:
    if signal.case_id is None:
        return None
    return db.session.execute(
        sa.select(Case.id).where(Case.id == signal.case_id, policy.case_scope(acting_user()))).scalar_one_or_none()


@blp.route("/signals")
class Signals(MethodView):
    @blp.arguments(SignalListQuerySchema, location="query")
    @blp.response(200, SignalPageSchema)
    def get(self, args):
        """The signals the caller may see (their organisation's, and their team's), newest first.

        Keyset pagination: follow `next` until it is null.
        """
        cursor = args.get("cursor")
        if cursor and decode_cursor(cursor, datetime.fromisoformat) is None:
            abort(400, errors={"query": {"cursor": ["Not a valid cursor; use the `next` link of a page."]}})
        page = services.visible_signals_page(acting_user(), after=cursor, limit=args["limit"])
        items = [SignalView(signal, signal.case_id if reference else None) for signal, reference in page.items]
        next_url = (url_for("signals_api.Signals", cursor=page.next_cursor, limit=args["limit"])
                    if page.next_cursor else None)
        return {"items": items, "next": next_url}

    @blp.arguments(SignalInputSchema)
    @blp.response(201, ReportedSignalSchema)
    @blp.alt_response(403, schema=ProblemSchema, description="The caller's roles do not report signals")
    def post(self, data):
        """Report a signal about one or more betrokkenen, from the caller's own organisation.

        `knownElsewhere` lists whom to contact for a subject that is already in a case the caller may not
        see; it says nothing else about that case. A caller gets a limited number of such hints a day:
        past it `knownElsewhereLimitReached` is true and the hints are withheld; the signal is saved.
        """
        user = acting_user()
        if not policy.reports_signals(user):
            abort(403, message="Only partners, procesregisseurs and supervisors report signals.")
        try:
            signal, known = services.report_signal(
                user, category_id=data["categoryId"], team_id=data["teamId"], description=data["description"],
                urgency=data["urgency"], subjects=[to_subject_input(subject) for subject in data["subjects"]])
        except ServiceError as error:
            raise _api_field(error) from None
        view = SignalView(signal, _visible_case_id(signal), _subjects_for(user, signal), known)
        return view, 201, {"Location": url_for("signals_api.SignalItem", id=signal.id)}


def _api_field(error: ServiceError) -> ServiceError:
    """``subjects-0-date_of_birth`` (the form's name) as the API names it: ``subjects.0.date_of_birth``."""
    if error.field and error.field.startswith("subjects-"):
        error.field = error.field.replace("-", ".")
    return error


@blp.route("/signals/<int:id>")
class SignalItem(MethodView):
    @blp.response(200, SignalDetailSchema)
    @blp.alt_response(404, schema=ProblemSchema, description="No such signal, or not one the caller may see")
    def get(self, id):
        """One signal the caller may see, with its description and betrokkenen. The read is audited."""
        user = acting_user()
        signal = policy.get_signal(user, id)
        record("signal.view", object_type="signal", object_id=signal.id, case_id=signal.case_id, user=user)
        return SignalView(signal, _visible_case_id(signal), _subjects_for(user, signal))


@blp.route("/signals/<int:id>/withdrawal")
class SignalWithdrawal(MethodView):
    @blp.response(200, SignalSchema)
    @blp.alt_response(403, schema=ProblemSchema, description="Only the signal's reporter withdraws it")
    @blp.alt_response(404, schema=ProblemSchema, description="No such signal, or not one the caller may see")
    @blp.alt_response(409, schema=ProblemSchema, description="The signal was weighed or ended already; nothing "
                                                             "changed")
    def post(self, id):
        """The reporter withdraws their own signal while it is not yet weighed (`ontvangen`): its status becomes
        `ingetrokken` and it is kept for the retention term of withdrawn signals. No body. Audited:
        `signal.withdrawn`."""
        user = acting_user()
        signal = policy.get_signal(user, id, action="signal.withdrawn")
        try:
            services.withdraw_signal(user, signal)
        except ServiceError as error:
            if error.status == 403:
                abort(403, message=error.message)  # answered, so the audited refusal commits
            raise
        return SignalView(signal, _visible_case_id(signal))


@blp.route("/signals/bundles")
class SignalBundles(MethodView):
    @blp.arguments(SignalBundleInputSchema)
    @blp.response(201, SignalBundleSchema)
    @blp.alt_response(403, schema=ProblemSchema, description="A signal the caller may see but not weigh: only the "
                                                             "receiving team's procesregisseurs and supervisors do")
    @blp.alt_response(404, schema=ProblemSchema, description="A signal that does not exist or that the caller may "
                                                             "not see; nothing changed")
    @blp.alt_response(409, schema=ProblemSchema, description="A signal was bundled, dismissed or withdrawn already; "
                                                             "nothing changed, none is half-bundled")
    def post(self, data):
        """Open one new case (`signalering`) from one or more pending signals of the caller's team — a duplicate
        group of the triage queue — with the subjects of all of them. Every signal is checked before anything
        changes: all are bundled or none. The first signal's reporter becomes the aanbrenger (on `legalBasis`);
        the reporters of the others are suggested as participants
        (`GET /cases/{id}/participant-suggestions`). Audited: `case.created`, and `signal.bundled` per signal."""
        user = acting_user()
        signals = [policy.get_signal(user, signal_id, action="signal.triage")
                   for signal_id in dict.fromkeys(data["signalIds"])]
        first, *others = signals
        for signal in signals:
            if not policy.triages_signals(user, signal):
                policy.refuse("signal.triage", status=403, object_type="signal", object_id=signal.id, user=user)
        # A refusal (409 weighed already, 400 naming its field) is answered as problem+json; nothing was written.
        case = services.open_case(user, first, title=data["title"], risk_level=data["riskLevel"],
                                  legal_basis=data["legalBasis"],
                                  confidentiality_signed_on=data["confidentialitySignedOn"], also=others)
        body = SimpleNamespace(case_id=case.id, case_reference=case.reference,
                               signals=[SignalView(signal, case.id) for signal in signals])
        return body, 201, {"Location": url_for("cases_api.CaseItem", id=case.id)}


def _subjects_for(user, signal: Signal) -> list[dict]:
    """The betrokkenen: for the team that weighs the signal the subjects as they are now; for the reporter
    what it typed itself (a matched subject may carry details from cases its organisation does not join)."""
    if policy.triages_signals(user, signal):
        return [{"kind": subject.kind, "displayName": subject.display_name}
                for subject in services.signal_subjects(signal)]
    return [{"kind": subject.kind, "displayName": subject.reported_as}
            for subject in services.reported_subjects(signal)]
