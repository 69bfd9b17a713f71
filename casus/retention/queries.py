"""Reads the retention domain shares: which cases a legal hold keeps."""

from __future__ import annotations

from datetime import date

import sqlalchemy as sa
from sqlalchemy.sql.elements import ColumnElement

from casus.cases.models import Case
from casus.retention.models import LegalHold


def active_hold(today: date) -> ColumnElement[bool]:
    """A LegalHold row in force on ``today``: not lifted, and without an end date or not yet past it."""
    return sa.and_(LegalHold.lifted_at.is_(None), sa.or_(LegalHold.until.is_(None), LegalHold.until >= today))


def under_legal_hold(today: date) -> ColumnElement[bool]:
    """For a query over ``Case``: the case has a legal hold in force on ``today`` (it is kept off every list)."""
    return sa.exists().where(LegalHold.case_id == Case.id, active_hold(today)).correlate(Case)
