"""Optimistic locking, the same for every object people change: no save silently overwrites another.

Every changeable object has a ``version`` column that is SQLAlchemy's ``version_id_col``. A change is checked
twice: :func:`check_version` compares the version the writer last read with the stored one, and the UPDATE
itself matches only the version it read, so of two writers that passed the compare at the same moment the
second matches no row — :func:`flush_versioned` turns that into the same :class:`StaleVersion`.
"""

from __future__ import annotations

from sqlalchemy.orm.exc import ObjectDeletedError, StaleDataError

from casus.audit.services import rollback_keeping_audit
from casus.extensions import db
from casus.services import ServiceError


class StaleVersion(ServiceError):
    """The object changed since the user loaded it; nothing was changed. ``current_version`` is the version
    stored now (the API answers it as ``currentVersion``), when known."""

    def __init__(self, current_version: int | None = None) -> None:
        super().__init__("Deze gegevens zijn intussen door iemand anders gewijzigd. Laad de pagina opnieuw.",
                         status=409)
        self.current_version = current_version


def check_version(obj, expected: int | None) -> None:
    """Optimistic locking, step one: the version the writer last read must be the stored one.

    Every view and API write passes the version its form or body carried (both require it, so a missing one is
    refused before it gets here); ``None`` is for internal callers only (jobs, the seed, one service calling
    another). Step two is SQLAlchemy's ``version_id_col``: the UPDATE matches the version it read, so of two
    writers that passed this check at the same moment the second matches no row (``StaleDataError``, see
    :func:`flush_versioned`)."""
    if expected is not None and int(expected) != obj.version:
        raise StaleVersion(obj.version)


def flush_versioned(obj) -> None:
    """Flush the changes to ``obj`` (and everything else pending). A concurrent writer that committed first makes
    the versioned UPDATE match no row: the whole transaction is rolled back — nothing of this request's change
    stays, its audit events do (marked refused, ``rollback_keeping_audit``) — and the writer gets the same
    ``StaleVersion`` as a stale form, with the version stored now."""
    try:
        db.session.flush()
    except StaleDataError as error:
        rollback_keeping_audit(409)
        try:
            current = obj.version  # expired by the rollback: read again, as committed by the winner
        except ObjectDeletedError:
            current = None
        raise StaleVersion(current) from error
