"""Need-to-know for documents (docs/DESIGN.md §4, "Documents").

A document is seen by who sees its parent — the case, the agenda item (visible meeting and case), the voordracht
(the team, and the addressed RIEC once sent) or the signal — and, within that, by its visibility, exactly as a
note: everyone who sees the parent, only the uploading organisation, or the organisations it names (the uploader's
own always among them). Anything else is absent: 404, never 403.

Re-exported from :mod:`casus.policy`, which passes in the parents' scopes (this module imports none of it: no
import cycle) and fetches a document through its one audited getter.
"""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

import sqlalchemy as sa
from sqlalchemy.sql.elements import ColumnElement

from casus.cases.models import Case, Participation
from casus.documents.models import Document, DocumentAudience, DocumentVisibility
from casus.extensions import db
from casus.meetings.models import AgendaItem, Meeting, MeetingInvitation
from casus.policy.roles import manages_team, takes_part_in_cases
from casus.signals.models import Signal, SignalStatus
from casus.users.models import User
from casus.voordrachten.models import Voordracht

# A signal's reporter adds documents while the team has not yet handled it.
OPEN_SIGNAL_STATES = (SignalStatus.ONTVANGEN, SignalStatus.IN_TRIAGE)
Scope = Callable[[User], ColumnElement[bool]]


def parent_visible(user: User, *, cases: Scope, agenda_items: Scope, voordrachten: Scope,
                   signals: Scope) -> ColumnElement[bool]:
    """The document's parent is one ``user`` may see, by that parent's own scope."""
    on_case = sa.and_(
        Document.case_id.is_not(None), Document.agenda_item_id.is_(None), Document.voordracht_id.is_(None),
        sa.exists().where(Case.id == Document.case_id, cases(user)).correlate_except(Case))
    on_item = sa.and_(Document.agenda_item_id.is_not(None),
                      sa.exists().where(AgendaItem.id == Document.agenda_item_id, agenda_items(user))
                      .correlate_except(AgendaItem))
    on_voordracht = sa.and_(Document.voordracht_id.is_not(None),
                            sa.exists().where(Voordracht.id == Document.voordracht_id, voordrachten(user))
                            .correlate_except(Voordracht))
    on_signal = sa.and_(Document.signal_id.is_not(None),
                        sa.exists().where(Signal.id == Document.signal_id, signals(user)).correlate_except(Signal))
    return sa.or_(on_case, on_item, on_voordracht, on_signal)


def document_visibility_scope(user: User) -> ColumnElement[bool]:
    """Within a visible parent: the document's visibility lets ``user``'s organisation read it (as notes)."""
    named = sa.exists().where(DocumentAudience.document_id == Document.id,
                              DocumentAudience.organisation_id == user.organisation_id)
    return sa.or_(Document.visibility == DocumentVisibility.ALL,
                  Document.organisation_id == user.organisation_id,
                  sa.and_(Document.visibility == DocumentVisibility.NAMED, named))


def _team_of(document: Document) -> int | None:
    """The team that runs the document's case (or weighs its signal)."""
    if document.case_id is not None:
        return db.session.execute(sa.select(Case.team_id).where(Case.id == document.case_id)).scalar_one_or_none()
    return db.session.execute(sa.select(Signal.team_id).where(Signal.id == document.signal_id)).scalar_one_or_none()


def _takes_part(user: User, case_id: int) -> bool:
    """``user``'s organisation has an active casusdeelname in the case (and the user works on cases)."""
    if not takes_part_in_cases(user):
        return False
    return db.session.execute(sa.select(sa.exists().where(
        Participation.case_id == case_id, Participation.organisation_id == user.organisation_id,
        Participation.left_on.is_(None)))).scalar_one()


def _invited(user: User, meeting_id: int) -> bool:
    return db.session.execute(sa.select(sa.exists().where(
        MeetingInvitation.meeting_id == meeting_id,
        MeetingInvitation.organisation_id == user.organisation_id))).scalar_one()


def uploads_to(user: User, parent: Any) -> bool:
    """Who may add a document to ``parent`` (a ``casus.documents.parents.Parent``, already read through the policy):
    a case — its team and the organisations taking part; a signal — its team, and its reporter while the team has
    not handled it; a voordracht — the team while it is a concept; an agenda item — the meeting's team and the
    invited organisations that take part in the case."""
    kind, target = str(parent.kind), parent.object
    if kind == "case":
        return manages_team(user, target.team_id) or _takes_part(user, target.id)
    if kind == "signal":
        return manages_team(user, target.team_id) or (
            target.reporting_organisation_id == user.organisation_id and target.status in OPEN_SIGNAL_STATES)
    if kind == "voordracht":
        return str(target.state) == "concept" and manages_team(user, _case_team(target.case_id))
    if kind == "agenda_item":
        team_id = db.session.execute(sa.select(Meeting.team_id).where(Meeting.id == target.meeting_id)).scalar_one()
        return manages_team(user, team_id) or (_invited(user, target.meeting_id) and _takes_part(user, target.case_id))
    return False


def _case_team(case_id: int) -> int | None:
    return db.session.execute(sa.select(Case.team_id).where(Case.id == case_id)).scalar_one_or_none()


def changes_document(user: User, document: Document) -> bool:
    """Editing, a new version and deleting: the uploading organisation, or the team that runs the case (or signal)."""
    return document.organisation_id == user.organisation_id or manages_team(user, _team_of(document))


def sees_old_versions(user: User, document: Document) -> bool:
    """Earlier versions: the case's team and the uploading organisation."""
    return changes_document(user, document)
