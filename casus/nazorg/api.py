"""Nazorg check-ins over the API: ``GET /cases/{id}/checkins`` and ``PATCH /cases/{id}/checkins/{checkin}``.

Everyone who may see the case reads its check-ins (a case in nazorg without planned rows gets them on this
first read); the case's procesregisseurs and supervisors record one (403 for a partner, 404 for anyone who
cannot see the case, 409 for a stale version or a case no longer in that nazorg period).
"""

from __future__ import annotations

from flask.views import MethodView

from casus import policy
from casus.api.blueprint import ApiBlueprint
from casus.api.responses import CASE_FORBIDDEN, CASE_NOT_FOUND
from casus.api.schemas import ProblemSchema
from casus.extensions import db
from casus.nazorg import services
from casus.nazorg.models import NazorgCheckin
from casus.nazorg.schemas import CheckinInputSchema, CheckinSchema
from casus.security import acting_user

blp = ApiBlueprint("nazorg_api", __name__, description="Nazorg check-ins: planned and recorded")

CHECKIN_NOT_FOUND = {**CASE_NOT_FOUND, "description": "No such case or check-in, or the caller may not know about it"}
CHECKIN_CONFLICT = {"schema": ProblemSchema, "description": "The `version` is stale, or the case is no longer in the "
                                                            "check-in's nazorg period; nothing was changed"}


@blp.route("/cases/<int:id>/checkins")
class CaseCheckins(MethodView):
    @blp.response(200, CheckinSchema(many=True))
    @blp.alt_response(404, **CASE_NOT_FOUND)
    def get(self, id):
        """The nazorg check-ins of the case, the current nazorg period first, by months."""
        return services.checkins_of(policy.get_case(acting_user(), id))


@blp.route("/cases/<int:id>/checkins/<int:checkin>")
class CaseCheckin(MethodView):
    @blp.arguments(CheckinInputSchema)
    @blp.response(200, CheckinSchema)
    @blp.alt_response(403, **CASE_FORBIDDEN)
    @blp.alt_response(404, **CHECKIN_NOT_FOUND)
    @blp.alt_response(409, **CHECKIN_CONFLICT)
    def patch(self, data, id, checkin):
        """Record (or correct) a check-in: when, whether contact was made, the outcome and whether there is a
        signal of relapse (with the check-in's `version`). Managers of the case only."""
        user = acting_user()
        case = policy.get_case(user, id)
        policy.require_manager_audited(user, case, action="nazorg_checkin.recorded")
        checkin_id, checkin = checkin, db.session.get(NazorgCheckin, checkin)
        if checkin is None or checkin.case_id != case.id:
            policy.refuse("nazorg_checkin.recorded", status=404, object_type="nazorg_checkin", object_id=checkin_id,
                          case_id=case.id)
        services.record_checkin(user, case, checkin, done_on=data["done_on"], contact_made=data["contact_made"],
                                outcome=data["outcome"], relapse_signal=data["relapse_signal"],
                                expected_version=data["version"])
        db.session.flush()
        return checkin
