"""RIEC voordrachten over the API: ``/riec-referrals`` (docs/API.md explains the name) and a case's referrals.

Visibility comes from ``policy.voordracht_scope``/``get_voordracht``: 404 for anything hidden (audited). The
case's team reads everything (``RiecReferral``) and drafts, submits, revises and sends; a riec user of the
addressee reads only the shared projection (``SharedRiecReferral``) and accepts or returns. A visible
voordracht the caller may not change answers 403; a stale ``version`` or a refused step 409 (with the failing
guards in ``failedGuards``); invalid input 400 listing every problem. Approving and rejecting are four-eyes
decisions of the approvals API (``POST /approvals/{id}/decision``).
"""

from __future__ import annotations

from dataclasses import dataclass, field

import sqlalchemy as sa
from flask.views import MethodView
from flask_smorest import abort

from casus import policy
from casus.api.blueprint import ApiBlueprint
from casus.api.paging import page_body
from casus.api.responses import CASE_CONFLICT, CASE_FORBIDDEN, CASE_NOT_FOUND
from casus.api.schemas import ProblemSchema
from casus.audit.services import record
from casus.cases.models import Case
from casus.errors import refused_problem
from casus.extensions import db
from casus.organisations.models import Team
from casus.pagination import decode_cursor, keyset_page
from casus.security import acting_user
from casus.services import ServiceError
from casus.subjects.models import Subject
from casus.users.models import User
from casus.voordrachten import drafting, services
from casus.voordrachten.models import Voordracht
from casus.voordrachten.schemas import (
    RiecReferralInputSchema,
    RiecReferralListArgsSchema,
    RiecReferralPageSchema,
    RiecReferralSchema,
    RiecReferralSummarySchema,
    RiecReferralTransitionInputSchema,
    RiecReferralUpdateSchema,
    SharedRiecReferralSchema,
    SharedRiecReferralSummarySchema,
)
from workflow import TransitionRefused

blp = ApiBlueprint("voordrachten_api", __name__,
                   description="RIEC voordrachten (riec-referrals): drafting, four-eyes review, sending to the RIEC "
                               "and its answer")

NOT_FOUND = {"schema": ProblemSchema, "description": "No such referral, or the caller may not know about it"}
REFERRAL_FORBIDDEN = {"schema": ProblemSchema, "description": "The caller sees the referral but may not do this"}
INVALID = {"schema": ProblemSchema, "description": "Invalid input; `invalidParams` lists every problem"}
API_FIELDS = {"summary": "summary", "subject_ids": "subjectIds", "indicators": "indicators",
              "indicator_other": "indicatorOther", "legal_basis": "legalBasis", "urgency": "urgency",
              "addressee_organisation_id": "addresseeOrganisationId", "riec_reference": "riecReference",
              "advice": "advice", "trigger": "trigger"}


def _json(*schemas, description: str) -> dict:
    """A 200 response that is one of the projections: which one depends on who asks."""
    return {"200": {"description": description, "content": {"application/json": {"schema": {
        "oneOf": list(schemas)}}}}}


# --- projections ------------------------------------------------------------------------------------------------

@dataclass
class TeamView:
    """The voordracht plus what the team's projection shows around it; attributes fall through."""

    voordracht: Voordracht
    case_reference: str = ""
    subjects: list[Subject] = field(default_factory=list)
    created_by: User | None = None
    approval_id: int | None = None

    def __getattr__(self, name):
        return getattr(self.voordracht, name)


@dataclass
class RiecView:
    voordracht: Voordracht
    sender: Team | None = None
    subjects: list[Subject] = field(default_factory=list)

    def __getattr__(self, name):
        return getattr(self.voordracht, name)


def _view(user: User, voordracht: Voordracht):
    """(schema, object) of the voordracht in the caller's projection; the shared subjects' read is audited."""
    subjects = services.shared_subjects(voordracht)
    record("subject.view", object_type="voordracht", object_id=voordracht.id, case_id=voordracht.case_id,
           details={"subject_ids": [subject.id for subject in subjects]})
    if policy.reads_as_riec(user, voordracht):
        sender = db.session.execute(sa.select(Team).join(Case, Case.team_id == Team.id)
                                    .where(Case.id == voordracht.case_id)).scalar_one()
        return SharedRiecReferralSchema(), RiecView(voordracht, sender, subjects)
    approval = services.latest_approval(voordracht)
    return RiecReferralSchema(), TeamView(voordracht, case_reference=services.case_of(voordracht).reference,
                                          subjects=subjects, created_by=db.session.get(User, voordracht.created_by_id),
                                          approval_id=approval.id if approval else None)


def _shown(user: User, voordracht: Voordracht) -> dict:
    schema, view = _view(user, voordracht)
    return schema.dump(view)


def _reloaded(voordracht: Voordracht) -> Voordracht:
    """The voordracht as flushed (its new version)."""
    db.session.flush()
    db.session.refresh(voordracht)
    return voordracht


def _invalid(error: ServiceError):
    """400 naming every refused field (the service reports them all at once)."""
    problems = getattr(error, "problems", [error])
    errors: dict[str, list[str]] = {}
    for item in problems:
        errors.setdefault(API_FIELDS.get(item.field or "", item.field or "body"), []).append(item.message)
    abort(400, errors={"json": errors})



def _forbidden(action: str, voordracht: Voordracht):
    policy.refuse(action, status=403, object_type="voordracht", object_id=voordracht.id, case_id=voordracht.case_id)


# --- the list ------------------------------------------------------------------------------------------------------

@blp.route("/riec-referrals")
class Referrals(MethodView):
    @blp.arguments(RiecReferralListArgsSchema, location="query")
    @blp.doc(responses={"200": {"description": (
        "The referrals the caller may see, newest first, keyset-paginated: each in the caller's projection, "
        "`RiecReferralSummary` for the case's team, `SharedRiecReferralSummary` for a riec user of the addressee."),
        "content": {"application/json": {"schema": RiecReferralPageSchema}}}})
    def get(self, args):
        """The voordrachten the caller may see: the team's own, or those sent to the caller's RIEC."""
        user = acting_user()
        query = sa.select(Voordracht).where(policy.voordracht_scope(user))
        if args.get("state"):
            query = query.where(Voordracht.state == args["state"])
        cursor = args.get("cursor")
        after = decode_cursor(cursor, int) if cursor else None
        if cursor and after is None:
            abort(400, errors={"query": {"cursor": ["Not a cursor from a previous page."]}})
        page = keyset_page(query, key=Voordracht.id, id_col=Voordracht.id, descending=True, after=after,
                           before=None, limit=args["limit"], value_of=lambda v: v.id, dump=str)
        cases = {row.id: row for row in db.session.execute(sa.select(Case.id, Case.team_id, Case.reference).where(
            Case.id.in_({v.case_id for v in page.items}))).all()} if page.items else {}
        items = []
        for voordracht in page.items:
            case = cases[voordracht.case_id]
            if policy.manages_team(user, case.team_id):
                items.append(RiecReferralSummarySchema().dump(TeamView(voordracht, case_reference=case.reference)))
            else:  # in the scope only as the addressee: the shared projection
                items.append(SharedRiecReferralSummarySchema().dump(voordracht))
        record("voordracht.list", object_type="voordracht", details={"ids": [v.id for v in page.items]})
        return {**page_body(page, "voordrachten_api.Referrals"), "items": items}


# --- one referral ---------------------------------------------------------------------------------------------------

@blp.route("/riec-referrals/<int:id>")
class ReferralItem(MethodView):
    @blp.doc(responses=_json(RiecReferralSchema, SharedRiecReferralSchema, description=(
        "The referral: `RiecReferral` for the case's team, `SharedRiecReferral` (what it shares, nothing of "
        "the case) for a riec user of its addressee.")))
    @blp.alt_response(404, **NOT_FOUND)
    def get(self, id):
        """One voordracht in the caller's projection (audited: `voordracht.view`, `subject.view`)."""
        user = acting_user()
        return _shown(user, policy.get_voordracht(user, id))

    @blp.arguments(RiecReferralUpdateSchema)
    @blp.response(200, RiecReferralSchema)
    @blp.alt_response(400, **INVALID)
    @blp.alt_response(403, **REFERRAL_FORBIDDEN)
    @blp.alt_response(404, **NOT_FOUND)
    @blp.alt_response(409, **CASE_CONFLICT)
    def patch(self, data, id):
        """Change a concept (the case's team; with `version`): only the keys present change."""
        user = acting_user()
        voordracht = policy.get_voordracht(user, id, action="voordracht.updated")
        case = services.case_of(voordracht)
        if policy.reads_as_riec(user, voordracht) or not policy.manages(user, case):
            _forbidden("voordracht.updated", voordracht)
        expected = data.pop("version")
        try:
            drafting.update_voordracht(user, voordracht, expected_version=expected, **data)
        except ServiceError as error:
            if error.status == 400:
                _invalid(error)
            raise
        return _view(user, _reloaded(voordracht))[1]


@blp.route("/riec-referrals/<int:id>/transitions")
class ReferralTransitions(MethodView):
    @blp.arguments(RiecReferralTransitionInputSchema)
    @blp.doc(responses=_json(RiecReferralSchema, SharedRiecReferralSchema, description=(
        "The step was taken; the referral as it is now, in the caller's projection.")))
    @blp.alt_response(403, **REFERRAL_FORBIDDEN)
    @blp.alt_response(404, **NOT_FOUND)
    @blp.alt_response(409, **CASE_CONFLICT)
    def post(self, data, id):
        """Take a step: `submit` (asks the team's other supervisors for approval), `revise`, `send_to_riec`;
        the addressed RIEC: `accept` (with `riecReference`) or `return_with_advice` (with `advice`)."""
        user = acting_user()
        voordracht = policy.get_voordracht(user, id, action="voordracht.transition")
        trigger = data["trigger"]
        if trigger in services.RIEC_TRIGGERS:
            allowed = policy.reads_as_riec(user, voordracht)
        else:
            allowed = not policy.reads_as_riec(user, voordracht) and policy.manages(user, services.case_of(voordracht))
        if not allowed:
            _forbidden("voordracht.transition", voordracht)
        try:
            services.transition(user, voordracht, trigger, riec_reference=data["riec_reference"],
                                advice=data["advice"], expected_version=data["version"])
        except TransitionRefused as refused:
            return refused_problem(refused)
        except ServiceError as error:
            if error.status == 400:
                _invalid(error)
            raise
        return _shown(user, _reloaded(voordracht))


# --- a case's referrals -------------------------------------------------------------------------------------------

@blp.route("/cases/<int:id>/riec-referrals")
class CaseReferrals(MethodView):
    @blp.response(200, RiecReferralSummarySchema(many=True))
    @blp.alt_response(403, **{**CASE_FORBIDDEN, "description": "A partner of the case: its referrals are the team's"})
    @blp.alt_response(404, **CASE_NOT_FOUND)
    def get(self, id):
        """The case's voordrachten, newest first (the case's team only)."""
        user = acting_user()
        case = policy.get_case(user, id)
        policy.require_manager_audited(user, case, action="voordracht.list")
        return [TeamView(voordracht, case_reference=case.reference)
                for voordracht in services.voordrachten_of_case(user, case)]

    @blp.arguments(RiecReferralInputSchema)
    @blp.response(201, RiecReferralSchema)
    @blp.alt_response(400, **INVALID)
    @blp.alt_response(403, **{**CASE_FORBIDDEN, "description": "Only the case's team drafts a referral"})
    @blp.alt_response(404, **CASE_NOT_FOUND)
    @blp.alt_response(409, **{**CASE_CONFLICT, "description": "The case is closed"})
    def post(self, data, id):
        """Draft a referral (`concept`) from the case: its summary for the RIEC, the subjects to share (of this
        case, chosen explicitly), indicators, legal basis, urgency and the RIEC it is addressed to."""
        user = acting_user()
        case = policy.get_case(user, id)
        policy.require_manager_audited(user, case, action="voordracht.created")
        try:
            voordracht = drafting.create_voordracht(user, case, **data)
        except ServiceError as error:
            if error.status == 400:
                _invalid(error)
            raise
        return _view(user, _reloaded(voordracht))[1]
