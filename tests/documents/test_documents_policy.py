"""Need-to-know for documents: who sees a document on a case, an agenda item, a voordracht and a signal, by its
visibility; who may add, change and see old versions; the audited getter (404 when hidden)."""

from __future__ import annotations

from datetime import time, timedelta

import pytest
import sqlalchemy as sa
from document_world import upload
from werkzeug.exceptions import NotFound

from casus import policy
from casus.audit.models import AuditEvent
from casus.clock import today
from casus.documents import queries
from casus.documents.models import Document
from casus.documents.parents import ParentKind, get_parent


def visible(user, document) -> bool:
    return db_session().execute(sa.select(Document.id).where(Document.id == document.id,
                                                              policy.document_scope(user))).first() is not None


def db_session():
    from casus.extensions import db

    return db.session


def meeting_item(db, w, invited):
    from casus.meetings.models import AgendaItem, Meeting, MeetingInvitation
    from casus.meetings.services import local_start

    starts = local_start(today() + timedelta(days=3), time(9, 30))
    meeting = Meeting(team_id=w["team"].id, type="casusoverleg", title="Overleg Documenten", starts_at=starts,
                      ends_at=starts + timedelta(hours=2), location="Zaal 1", chair_id=w["regisseur"].id,
                      ical_uid="meeting-documenten@casus")
    db.session.add(meeting)
    db.session.flush()
    db.session.add_all(MeetingInvitation(meeting_id=meeting.id, organisation_id=org.id) for org in invited)
    item = AgendaItem(meeting_id=meeting.id, case_id=w["case"].id, purpose="bespreken", position=1)
    db.session.add(item)
    db.session.flush()
    return item


def test_visibility_as_notes_on_a_case(db, docs_world):
    w = docs_world
    parent = get_parent(w["agent"], ParentKind.CASE, w["case"].id)
    everyone = upload(w["agent"], parent)
    own = upload(w["agent"], parent, visibility="eigen_organisatie")
    named = upload(w["agent"], parent, visibility="genoemde_organisaties", audience_ids=[w["ggz"].id])
    expected = {"agent": (True, True, True), "ggz_user": (True, False, True), "regisseur": (True, False, False),
                "outsider": (False, False, False)}
    for name, sees in expected.items():
        assert tuple(visible(w[name], d) for d in (everyone, own, named)) == sees, name


def test_an_agenda_items_documents_follow_the_item(db, docs_world):
    w = docs_world
    item = meeting_item(db, w, invited=[w["politie"]])
    document = upload(w["regisseur"], get_parent(w["regisseur"], ParentKind.AGENDA_ITEM, item.id))
    assert (document.agenda_item_id, document.case_id) == (item.id, w["case"].id)
    assert visible(w["regisseur"], document) and visible(w["agent"], document)
    assert not visible(w["ggz_user"], document)  # takes part in the case, not invited to the meeting
    assert policy.uploads_to(w["agent"], get_parent(w["agent"], ParentKind.AGENDA_ITEM, item.id))
    # The case's list shows it to those who see it.
    assert [d.id for d in queries.documents_of(w["agent"], get_parent(w["agent"], ParentKind.CASE, w["case"].id))
            ] == [document.id]


def test_a_voordrachts_documents_are_the_teams_and_the_addressed_riecs(db, docs_world, make_organisation, make_user):
    from casus.voordrachten.models import RiecLegalBasis, Voordracht

    w = docs_world
    riec = make_organisation(name="RIEC Documenten")
    voordracht = Voordracht(case_id=w["case"].id, state="concept", addressee_organisation_id=riec.id,
                            summary="Samenvatting", indicators=["drugs"], legal_basis=RiecLegalBasis.RIEC_CONVENANT,
                            created_by_id=w["regisseur"].id)
    db.session.add(voordracht)
    db.session.flush()
    parent = get_parent(w["regisseur"], ParentKind.VOORDRACHT, voordracht.id)
    assert policy.uploads_to(w["regisseur"], parent)
    document = upload(w["regisseur"], parent)
    riec_user = make_user("riec", organisation=riec)
    assert visible(w["regisseur"], document)
    assert not visible(w["agent"], document) and not visible(riec_user, document)
    voordracht.state = "ingediend"
    db.session.flush()
    assert visible(riec_user, document) and not policy.uploads_to(w["regisseur"], parent)


def test_get_document_is_404_when_hidden_and_audited_either_way(db, docs_world):
    w = docs_world
    parent = get_parent(w["regisseur"], ParentKind.CASE, w["case"].id)
    document = upload(w["regisseur"], parent, visibility="eigen_organisatie")
    assert policy.get_document(w["regisseur"], document.id).id == document.id
    with pytest.raises(NotFound):
        policy.get_document(w["agent"], document.id)
    outcomes = db.session.execute(sa.select(AuditEvent.outcome).where(AuditEvent.action == "document.view")
                                  .order_by(AuditEvent.id)).scalars().all()
    assert outcomes == ["success", "denied"]


def test_changing_and_old_versions_belong_to_the_uploader_and_the_team(db, docs_world):
    w = docs_world
    document = upload(w["agent"], get_parent(w["agent"], ParentKind.CASE, w["case"].id))
    for name, may in (("agent", True), ("regisseur", True), ("ggz_user", False)):
        assert policy.changes_document(w[name], document) is may, name
        assert policy.sees_old_versions(w[name], document) is may, name


def test_a_tijdlijn_line_about_a_hidden_document_is_hidden(db, docs_world):
    from casus.timeline.models import TimelineEvent

    w = docs_world
    upload(w["agent"], get_parent(w["agent"], ParentKind.CASE, w["case"].id), visibility="eigen_organisatie")
    query = sa.select(sa.func.count()).select_from(TimelineEvent).where(TimelineEvent.kind == "document.added")
    assert db.session.scalar(query.where(policy.timeline_scope(w["agent"]))) == 1
    assert db.session.scalar(query.where(policy.timeline_scope(w["regisseur"]))) == 0
