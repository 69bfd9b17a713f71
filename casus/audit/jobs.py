"""The audit chain's scheduled jobs (``casus.scheduling.jobs``): chaining every minute, sealing daily.

The daily verification, which notifies the privacy officers when it finds something, is a notifications job
(``casus.notifications.audit_checks``): notifications stand above the audit log.
"""

from __future__ import annotations

import logging
from datetime import datetime

from flask import Flask

from casus.audit.chain import chain_all
from casus.audit.seals import SealRefused, check_can_seal, seal_chain
from casus.extensions import db

log = logging.getLogger("casus.audit")


def chain_new_events(app: Flask, now: datetime) -> int:
    """Link the events written since the last run (both modes: inline misses what bypassed the ORM session)."""
    return chain_all(db.session)


def seal_daily(app: Flask, now: datetime) -> int:
    """Seal the chain's head. Without a key (or, in production, anywhere outside the database to put the seal)
    production fails the job with the reason in the log; elsewhere the job is skipped with a warning."""
    config = app.config["CASUS"]
    try:
        check_can_seal(config)
    except SealRefused as refusal:
        if config.env != "production":
            log.warning("audit seal skipped: %s", refusal)
            return 0
        log.error("audit seal refused: %s", refusal)
        raise
    seal_chain(app, db.session)
    return 1
