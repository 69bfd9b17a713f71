"""Imports every domain's models so SQLAlchemy's metadata (and Alembic) sees the whole schema."""

from casus.audit.models import AuditEvent
from casus.organisations.models import Organisation, Team
from casus.users.models import ApiToken, User, UserRole, UserSession

__all__ = ["ApiToken", "AuditEvent", "Organisation", "Team", "User", "UserRole", "UserSession"]
