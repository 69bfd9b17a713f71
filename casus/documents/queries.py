"""Reading documents: a parent's list as the reader may see it, in a fixed number of queries."""

from __future__ import annotations

import sqlalchemy as sa
from sqlalchemy.orm import contains_eager, joinedload, selectinload

from casus import policy
from casus.documents.models import Document, DocumentAudience, DocumentVersion
from casus.documents.parents import Parent, ParentKind
from casus.extensions import db
from casus.organisations.models import Organisation
from casus.users.models import User


def _of_parent(parent: Parent) -> sa.ColumnElement[bool]:
    """A case's list holds every document of the case (its agenda items' and voordrachten's too, as far as the reader
    sees them); the other parents hold their own."""
    if parent.kind == ParentKind.CASE:
        return Document.case_id == parent.case_id
    if parent.kind == ParentKind.SIGNAL:
        return Document.signal_id == parent.signal_id
    if parent.kind == ParentKind.AGENDA_ITEM:
        return Document.agenda_item_id == parent.id
    return Document.voordracht_id == parent.id


def documents_of(user: User, parent: Parent) -> list[Document]:
    """The documents of ``parent`` that ``user`` may see, newest date first, each with its current version, its
    uploading organisation and its audience loaded (two queries, however many documents)."""
    current = sa.orm.aliased(DocumentVersion)
    query = (sa.select(Document)
             .join(current, sa.and_(current.document_id == Document.id, current.number == Document.current_number))
             .where(_of_parent(parent), policy.document_scope(user))
             .options(contains_eager(Document.versions.of_type(current)), joinedload(Document.organisation),
                      selectinload(Document.audience))
             .order_by(Document.document_date.desc(), Document.id.desc()))
    return list(db.session.execute(query).unique().scalars())


def count_of(user: User, parent: Parent) -> int:
    """How many documents of ``parent`` ``user`` may see (the case file's tab)."""
    query = sa.select(sa.func.count()).select_from(Document).where(_of_parent(parent), policy.document_scope(user))
    return db.session.execute(query).scalar_one()


def count_of_case(user: User, case) -> int:
    """How many documents of ``case`` (a case already read through the policy) ``user`` may see."""
    query = sa.select(sa.func.count()).select_from(Document).where(Document.case_id == case.id,
                                                                    policy.document_scope(user))
    return db.session.execute(query).scalar_one()


def current_version(document: Document) -> DocumentVersion:
    """The current version of a document read by :func:`documents_of` (its only loaded version)."""
    return next(version for version in document.versions if version.number == document.current_number)


def audience_of(document: Document) -> list[Organisation]:
    """The organisations a document names (visibility "genoemde organisaties"), by name."""
    query = (sa.select(Organisation).join(DocumentAudience, DocumentAudience.organisation_id == Organisation.id)
             .where(DocumentAudience.document_id == document.id).order_by(Organisation.name))
    return list(db.session.execute(query).scalars())
