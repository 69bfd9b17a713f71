"""Reads the retention domain shares: which cases a legal hold — or a subject's restriction — keeps."""

from __future__ import annotations

from datetime import date

import sqlalchemy as sa
from flask import g
from sqlalchemy.sql.elements import ColumnElement

from casus.cases.models import Case, CaseSubject, Category
from casus.extensions import db
from casus.i18n import current_locale
from casus.retention.models import LegalHold
from casus.subject_requests.models import SubjectRestriction


def active_hold(today: date) -> ColumnElement[bool]:
    """A LegalHold row in force on ``today``: not lifted, and without an end date or not yet past it."""
    return sa.and_(LegalHold.lifted_at.is_(None), sa.or_(LegalHold.until.is_(None), LegalHold.until >= today))


def under_legal_hold(today: date) -> ColumnElement[bool]:
    """For a query over ``Case``: the case has a legal hold in force on ``today`` (it is kept off every list)."""
    return sa.exists().where(LegalHold.case_id == Case.id, active_hold(today)).correlate(Case)


def under_restriction() -> ColumnElement[bool]:
    """For a query over ``Case``: one of its subjects is under an active beperking (AVG art. 18). Its data may be
    stored, not destroyed, until the restriction is lifted — often the person needs it kept for a claim."""
    return sa.exists().where(CaseSubject.case_id == Case.id, SubjectRestriction.subject_id == CaseSubject.subject_id,
                             SubjectRestriction.lifted_at.is_(None)).correlate(Case)


def kept_from_destruction(today: date) -> ColumnElement[bool]:
    """For a query over ``Case``: a legal hold or a subject's restriction keeps the case off every destruction list."""
    return sa.or_(under_legal_hold(today), under_restriction())


def category_label(code: str) -> str:
    """A category's name in the reader's language, by the code a destruction list item or a verklaring copied (the
    code outlives a renamed category; an unknown one shows as itself). The categories are read once per request."""
    categories = g.get("casus_categories_by_code")
    if categories is None:
        categories = g.casus_categories_by_code = {category.code: category
                                                   for category in db.session.scalars(sa.select(Category))}
    category = categories.get(code)
    return category.label(current_locale()) if category is not None else code
