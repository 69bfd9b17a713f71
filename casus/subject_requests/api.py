"""``/api/v1/data-subject-requests``: the privacy officer's requests of the people in the cases (AVG art. 15–21) —
registration, the search for the person inside a request, the confirmed matches, the inzage package and its
review, the extension of the deadline and the completion.

The role ``privacy`` only: anyone else gets 403 on the collection and 404 on a request, both audited.
"""

from __future__ import annotations

from flask import Response
from flask.views import MethodView

from casus import policy
from casus.api.blueprint import ApiBlueprint
from casus.api.schemas import ProblemSchema
from casus.security import acting_user
from casus.subject_requests import inzage, rights, search, services
from casus.subject_requests.rights_schemas import (
    CorrectionInputSchema,
    CorrectionListSchema,
    ErasureInputSchema,
    ErasureOutcomeSchema,
    RestrictionInputSchema,
    RestrictionSchema,
)
from casus.subject_requests.schemas import (
    CandidateListSchema,
    CompletionInputSchema,
    ExtensionInputSchema,
    ItemDecisionInputSchema,
    ItemDecisionSchema,
    MatchInputSchema,
    PackageArgsSchema,
    PackageSchema,
    RegistrationInputSchema,
    SubjectRequestListArgsSchema,
    SubjectRequestListSchema,
    SubjectRequestSchema,
)

blp = ApiBlueprint("subject_requests_api", __name__,
                   description="Data-subject requests (AVG art. 15–21), handled by the privacy officer as the one "
                               "contact point")

NOT_FOUND = {"schema": ProblemSchema, "description": "No such request, or the caller is not the privacy officer"}
FORBIDDEN = {"schema": ProblemSchema, "description": "The caller is not the privacy officer"}
CONFLICT = {"schema": ProblemSchema, "description": "The `version` is stale, or the request is already completed"}


def _privacy_officer():
    user = acting_user()
    policy.require_privacy_audited(user, action="subject_request.list", object_type="subject_request")
    return user


def _loaded(user, request_id: int):
    subject_request = services.get_request(user, request_id)
    return services.with_matches(subject_request)


@blp.route("/data-subject-requests")
class SubjectRequests(MethodView):
    @blp.arguments(SubjectRequestListArgsSchema, location="query")
    @blp.response(200, SubjectRequestListSchema)
    @blp.alt_response(403, **FORBIDDEN)
    def get(self, args):
        """The requests, the earliest deadline first: `status=open` (default) or `all`."""
        user = _privacy_officer()
        requests = services.list_requests(user, open_only=args["status"] == "open")
        services.audit_list(user, requests)
        return {"items": requests}

    @blp.arguments(RegistrationInputSchema)
    @blp.response(201, SubjectRequestSchema)
    @blp.alt_response(403, **FORBIDDEN)
    def post(self, data):
        """Register a request: its `kind`, the person (a `bsn`, or `name` with `dateOfBirth`, or `postcode` with
        `huisnummer`), how identity was verified, when it was received. The deadline is one calendar month later."""
        user = _privacy_officer()
        person = services.Identification(**{key: data.pop(key) for key in (
            "bsn", "name", "date_of_birth", "postcode", "huisnummer", "toevoeging")})
        subject_request = services.register_request(user, person=person, **data)
        return services.with_matches(subject_request)


@blp.route("/data-subject-requests/<int:id>")
class SubjectRequestItem(MethodView):
    @blp.response(200, SubjectRequestSchema)
    @blp.alt_response(404, **NOT_FOUND)
    def get(self, id):
        """One request (audited: `subject_request.view`, the reference as purpose)."""
        user = acting_user()
        subject_request = _loaded(user, id)
        services.audit_view(user, subject_request)
        return subject_request


@blp.route("/data-subject-requests/<int:id>/extension")
class SubjectRequestExtension(MethodView):
    @blp.arguments(ExtensionInputSchema)
    @blp.response(200, SubjectRequestSchema)
    @blp.alt_response(404, **NOT_FOUND)
    @blp.alt_response(409, **CONFLICT)
    def post(self, data, id):
        """Extend the deadline by `months` (1 or 2; at most two months past the original deadline) with a
        `reason` and the date of the letter that told the requester (`letterOn`)."""
        user = acting_user()
        subject_request = services.get_request(user, id)
        services.extend(user, subject_request, months=data["months"], reason=data["reason"],
                        letter_on=data["letter_on"], expected_version=data["version"])
        return _loaded(user, id)


@blp.route("/data-subject-requests/<int:id>/completion")
class SubjectRequestCompletion(MethodView):
    @blp.arguments(CompletionInputSchema)
    @blp.response(200, SubjectRequestSchema)
    @blp.alt_response(404, **NOT_FOUND)
    @blp.alt_response(409, **CONFLICT)
    def post(self, data, id):
        """Complete the request with its `outcome` (today)."""
        user = acting_user()
        subject_request = services.get_request(user, id)
        services.complete(user, subject_request, outcome=data["outcome"], note=data["note"],
                          expected_version=data["version"])
        return _loaded(user, id)


@blp.route("/data-subject-requests/<int:id>/search")
class SubjectRequestSearch(MethodView):
    @blp.response(200, CandidateListSchema)
    @blp.alt_response(404, **NOT_FOUND)
    @blp.alt_response(409, **CONFLICT)
    def post(self, id):
        """Search for the person across all cases and signals, whatever team, with the request's own
        identification (no terms of the caller's). Audited as `subject_request.searched` with the reference as
        purpose; the first search puts the request in handling."""
        user = acting_user()
        return {"items": search.search(user, services.get_request(user, id))}


@blp.route("/data-subject-requests/<int:id>/matches")
class SubjectRequestMatches(MethodView):
    @blp.arguments(MatchInputSchema)
    @blp.response(200, SubjectRequestSchema)
    @blp.alt_response(404, **NOT_FOUND)
    @blp.alt_response(409, **CONFLICT)
    def post(self, data, id):
        """Confirm a candidate of the search (`subjectId`) as the requesting person."""
        user = acting_user()
        search.confirm(user, services.get_request(user, id), data["subject_id"])
        return _loaded(user, id)

    @blp.arguments(MatchInputSchema)
    @blp.response(200, SubjectRequestSchema)
    @blp.alt_response(404, **NOT_FOUND)
    @blp.alt_response(409, **CONFLICT)
    def delete(self, data, id):
        """Take a confirmed subject (`subjectId`) off the request."""
        user = acting_user()
        search.unconfirm(user, services.get_request(user, id), data["subject_id"])
        return _loaded(user, id)


def _package(id: int, fmt: str):
    user = acting_user()
    package = inzage.produce(user, services.get_request(user, id), format=fmt)
    if fmt == "pdf":
        return Response(inzage.as_pdf(package), mimetype="application/pdf", headers={
            "Content-Disposition": f'attachment; filename="inzage-{package.subject_request.reference}.pdf"'})
    return inzage.as_json(package)


@blp.route("/data-subject-requests/<int:id>/package")
class SubjectRequestPackage(MethodView):
    @blp.arguments(PackageArgsSchema, location="query")
    @blp.response(200, PackageSchema, content_type="application/json")
    @blp.alt_response(404, **NOT_FOUND)
    @blp.alt_response(409, **CONFLICT)
    def get(self, args, id):
        """The inzage package of the confirmed subjects: every item with its `itemKey`; a withheld item is only
        `{"itemKey", "kind", "withheld": true, "ground"}`. `?format=pdf` gives the readable PDF. Sets
        `packageProducedAt`; audited as `subject_request.package_produced`."""
        return _package(id, args["format"])


@blp.route("/data-subject-requests/<int:id>/items/<string:key>")
class SubjectRequestPackageItem(MethodView):
    @blp.arguments(ItemDecisionInputSchema)
    @blp.response(200, ItemDecisionSchema)
    @blp.alt_response(404, **NOT_FOUND)
    @blp.alt_response(409, **CONFLICT)
    def put(self, data, id, key):
        """Withhold an item of the package (`withheld: true` with a `ground`) or release it."""
        user = acting_user()
        return inzage.review(user, services.get_request(user, id), key, withheld=data["withheld"],
                             ground=data["ground"], note=data["ground_note"])


# --- rectificatie, beperking, wissing (rights.py) ---


def _restriction_for(restriction_id: int):
    """A restriction for the privacy officer; for anyone else (or an unknown id) a 404, audited."""
    user = acting_user()
    if not policy.handles_privacy(user):
        policy.refuse("subject.restriction_lifted", status=404, object_type="subject_restriction",
                      object_id=restriction_id)
    return user, rights.get_restriction(user, restriction_id)


@blp.route("/data-subject-requests/<int:id>/corrections")
class SubjectRequestCorrections(MethodView):
    @blp.arguments(CorrectionInputSchema)
    @blp.response(201, CorrectionListSchema)
    @blp.alt_response(404, **NOT_FOUND)
    @blp.alt_response(409, **CONFLICT)
    def post(self, data, id):
        """Rectificatie: correct fields of a subject confirmed in this request (`changes`: only the fields to
        correct). Answers each changed field with its old and new value; the affected cases' partners and
        procesregisseur are notified with the case reference only. (A subject has no version: the correction is
        checked against what is stored when it arrives.)"""
        user = acting_user()
        subject_request = services.get_request(user, id)
        corrections = rights.correct_subject(user, subject_request, data["subject_id"], data["changes"])
        return {"items": corrections}


@blp.route("/data-subject-requests/<int:id>/restrictions")
class SubjectRequestRestrictions(MethodView):
    @blp.arguments(RestrictionInputSchema)
    @blp.response(201, RestrictionSchema)
    @blp.alt_response(404, **NOT_FOUND)
    @blp.alt_response(409, **CONFLICT)
    def post(self, data, id):
        """Beperking: restrict the processing of a subject confirmed in this request. Until it is lifted, every
        case the subject is in refuses changes by anyone but the privacy officer (423 Locked)."""
        user = acting_user()
        subject_request = services.get_request(user, id)
        return rights.place_restriction(user, subject_request, data["subject_id"], reason=data["reason"])


@blp.route("/subject-restrictions/<int:id>/lift")
class SubjectRestrictionLift(MethodView):
    @blp.response(200, RestrictionSchema)
    @blp.alt_response(404, **NOT_FOUND)
    @blp.alt_response(409, **CONFLICT)
    def post(self, id):
        """Lift a restriction: the subject's cases can be changed again."""
        user, restriction = _restriction_for(id)
        return rights.lift_restriction(user, restriction)


@blp.route("/data-subject-requests/<int:id>/erasure")
class SubjectRequestErasure(MethodView):
    @blp.arguments(ErasureInputSchema)
    @blp.response(200, SubjectRequestSchema)
    @blp.alt_response(404, **NOT_FOUND)
    @blp.alt_response(409, **CONFLICT)
    def post(self, data, id):
        """Wissing, step one: grant the erasure of the subjects confirmed in this request (a case under legal hold
        refuses it, 409). A second privacy officer carries it out."""
        user = acting_user()
        subject_request = services.get_request(user, id)
        rights.grant_erasure(user, subject_request, expected_version=data["version"])
        return _loaded(user, id)


@blp.route("/data-subject-requests/<int:id>/erasure/confirmation")
class SubjectRequestErasureConfirmation(MethodView):
    @blp.arguments(ErasureInputSchema)
    @blp.response(200, ErasureOutcomeSchema)
    @blp.alt_response(403, **FORBIDDEN)
    @blp.alt_response(404, **NOT_FOUND)
    @blp.alt_response(409, **CONFLICT)
    def post(self, data, id):
        """Wissing, step two, by a privacy officer other than the one who granted it (403 otherwise): the confirmed
        subjects are erased from every case, signal and voordracht; each case left without any subject is destroyed
        and declared in a verklaring van vernietiging (kind `wissing`); the request is completed as granted."""
        user = acting_user()
        subject_request = services.get_request(user, id)
        return rights.confirm_erasure(user, subject_request, expected_version=data["version"])
