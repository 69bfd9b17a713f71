"""Recording and correcting leefgebieden assessments (docs/DESIGN.md, "Leefgebieden").

Only the case's managers (``policy.manages``) write; the views and the API check that first (audited), and this
module refuses again, so no other caller can get round it. Every change is audited and put on the tijdlijn;
a correction is checked against the version the writer read (``casus.versioning``: stale → 409).
"""

from __future__ import annotations

from collections.abc import Mapping
from datetime import date

from sqlalchemy.orm.attributes import flag_modified

from casus import clock, policy
from casus.assessments import domains
from casus.assessments.models import Assessment, AssessmentMoment, AssessmentScore
from casus.audit.services import record
from casus.cases.models import Case
from casus.extensions import db
from casus.labels import label
from casus.services import MAX_TEXT, ServiceError
from casus.timeline.services import add_timeline
from casus.users.models import User
from casus.versioning import check_version, flush_versioned

MAX_PARTICIPANTS = 500


def _checked(user: User, case: Case, *, moment: str, assessed_on: date | None, participants: str | None,
             note: str | None, scores: Mapping[str, int | None]) -> tuple[AssessmentMoment, dict[str, int]]:
    """Every rule once; each refusal names its field (``scores.<code>`` for one domain)."""
    if not policy.manages(user, case):
        raise ServiceError("Alleen de regie van deze casus legt leefgebieden vast.", status=403)
    try:
        chosen = AssessmentMoment(moment)
    except ValueError as error:
        raise ServiceError("Kies het moment: triage, evaluatie of afsluiting.", field="moment") from error
    if case.is_closed and chosen != AssessmentMoment.AFSLUITING:
        raise ServiceError("Van een afgesloten casus wordt alleen de afsluiting gescoord.", field="moment")
    if assessed_on is None:
        raise ServiceError("Vul de datum van de scoring in.", field="assessed_on")
    if assessed_on > clock.today():
        raise ServiceError("De datum kan niet in de toekomst liggen.", field="assessed_on")
    opened = case.created_at.astimezone(clock.local_zone()).date()
    if assessed_on < opened:
        raise ServiceError("De datum kan niet vóór het begin van de casus (%(date)s) liggen.", field="assessed_on",
                           date=opened.strftime("%d-%m-%Y"))
    if participants and len(participants) > MAX_PARTICIPANTS:
        raise ServiceError("Hoogstens %(max)s tekens.", field="participants", max=MAX_PARTICIPANTS)
    if note and len(note) > MAX_TEXT:
        raise ServiceError("Hoogstens %(max)s tekens.", field="note", max=MAX_TEXT)
    known = set(domains.codes())
    given: dict[str, int] = {}
    for code, score in scores.items():
        if score is None:
            continue  # not every domain applies to every case: left unscored
        if code not in known:
            raise ServiceError("Dit leefgebied bestaat niet: %(code)s.", field="scores", code=code)
        if not isinstance(score, int) or isinstance(score, bool) or score not in domains.SCALE:
            raise ServiceError("Kies een score van 1 tot en met 5.", field="scores." + code)
        given[code] = score
    if not given:
        raise ServiceError("Scoor ten minste één leefgebied.", field="scores")
    return chosen, given


def _clean(text: str | None) -> str | None:
    return (text or "").strip() or None


def record_assessment(user: User, case: Case, *, moment: str, assessed_on: date | None,
                      participants: str | None = None, note: str | None = None,
                      scores: Mapping[str, int | None]) -> Assessment:
    """A new assessment of ``case``: at triage, at an evaluation or at closure."""
    participants, note = _clean(participants), _clean(note)
    chosen, given = _checked(user, case, moment=moment, assessed_on=assessed_on, participants=participants,
                             note=note, scores=scores)
    assessment = Assessment(case_id=case.id, moment=chosen, assessed_on=assessed_on, participants=participants,
                            note=note, recorded_by_id=user.id,
                            scores=[AssessmentScore(domain=code, score=score) for code, score in given.items()])
    db.session.add(assessment)
    db.session.flush()
    add_timeline(case, "assessment.recorded", f"Leefgebieden gescoord ({chosen.label_nl.lower()})", actor=user)
    record("assessment.recorded", object_type="assessment", object_id=assessment.id, case_id=case.id,
           details={"moment": chosen.value, "domains": len(given)}, user=user)
    return assessment


def correct_assessment(user: User, case: Case, assessment: Assessment, *, expected_version: int | None,
                       moment: str, assessed_on: date | None, participants: str | None = None,
                       note: str | None = None, scores: Mapping[str, int | None]) -> Assessment:
    """Correct an assessment (its scores loaded): the version the writer read must be the stored one."""
    check_version(assessment, expected_version)
    participants, note = _clean(participants), _clean(note)
    chosen, given = _checked(user, case, moment=moment, assessed_on=assessed_on, participants=participants,
                             note=note, scores=scores)
    before = {score.domain: score.score for score in assessment.scores}
    changed = [name for name, old, new in (
        ("moment", assessment.moment, chosen), ("assessedOn", assessment.assessed_on, assessed_on),
        ("participants", assessment.participants, participants), ("note", assessment.note, note),
        ("scores", before, given)) if old != new]
    assessment.moment, assessment.assessed_on = chosen, assessed_on
    assessment.participants, assessment.note = participants, note
    # In place: a score row keeps its key (assessment, domain), so no delete and insert of the same key.
    for score in list(assessment.scores):
        if score.domain not in given:
            assessment.scores.remove(score)
        else:
            score.score = given[score.domain]
    assessment.scores.extend(AssessmentScore(domain=code, score=value) for code, value in given.items()
                             if code not in before)
    flag_modified(assessment, "moment")  # the row itself is updated, so its version moves even if only scores did
    flush_versioned(assessment)
    add_timeline(case, "assessment.corrected", f"Leefgebieden gecorrigeerd ({chosen.label_nl.lower()})", actor=user)
    record("assessment.corrected", object_type="assessment", object_id=assessment.id, case_id=case.id,
           details={"moment": chosen.value, "changed": changed}, user=user)
    return assessment


def moment_label(moment: object, locale: object = None) -> str:
    try:
        return label(AssessmentMoment(str(moment)), locale)
    except ValueError:
        return str(moment)
