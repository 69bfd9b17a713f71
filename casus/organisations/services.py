"""Creating and changing organisations and teams. Services flush; the request commits."""

from __future__ import annotations

import sqlalchemy as sa

from casus.audit.services import record
from casus.extensions import db
from casus.organisations.models import Organisation, OrganisationKind, Team
from casus.services import ServiceError


def list_organisations(include_inactive: bool = True) -> list[Organisation]:
    query = sa.select(Organisation).order_by(Organisation.name)
    if not include_inactive:
        query = query.where(Organisation.active.is_(True))
    return list(db.session.execute(query).scalars())


def list_teams() -> list[Team]:
    return list(db.session.execute(sa.select(Team).order_by(Team.gemeente, Team.name)).scalars())


def get_organisation(organisation_id: int) -> Organisation | None:
    return db.session.get(Organisation, organisation_id)


def get_team(team_id: int) -> Team | None:
    return db.session.get(Team, team_id)


def organisation_by_name(name: str) -> Organisation | None:
    return db.session.execute(sa.select(Organisation).where(Organisation.name == name)).scalar_one_or_none()


def save_organisation(organisation: Organisation | None, *, name: str, kind: str,
                      convenant_partner: bool, active: bool = True,
                      password_login: bool | None = None) -> Organisation:
    """Create (``organisation`` None) or update an organisation. ``password_login`` False: its people log in
    through single sign-on only (None: unchanged; on for a new organisation). A change is audited on its own."""
    name = name.strip()
    if not name:
        raise ServiceError("Vul een naam in.", field="name")
    clash = organisation_by_name(name)
    if clash is not None and clash is not organisation:
        raise ServiceError("Er bestaat al een organisatie met deze naam.", field="name")
    try:
        kind_value = OrganisationKind(kind)
    except ValueError as error:
        raise ServiceError("Kies een soort organisatie uit de lijst.", field="kind") from error
    created = organisation is None
    organisation = organisation or Organisation()
    organisation.name, organisation.kind = name, kind_value
    organisation.convenant_partner, organisation.active = convenant_partner, active
    previous = True if created else organisation.password_login
    if password_login is not None:
        organisation.password_login = password_login
    db.session.add(organisation)
    db.session.flush()
    record("organisation.created" if created else "organisation.updated",
           object_type="organisation", object_id=organisation.id)
    if not created and password_login is not None and password_login != previous:
        record("organisation.password_login", object_type="organisation", object_id=organisation.id,
               details={"enabled": password_login})
    return organisation


def save_team(team: Team | None, *, name: str, gemeente: str, organisation_id: int,
              active: bool = True) -> Team:
    name, gemeente = name.strip(), gemeente.strip()
    if not name:
        raise ServiceError("Vul een naam in.", field="name")
    if not gemeente:
        raise ServiceError("Vul de gemeente in.", field="gemeente")
    organisation = get_organisation(organisation_id)
    if organisation is None or not organisation.active:
        raise ServiceError("Kies een actieve organisatie.", field="organisation_id")
    clash = db.session.execute(sa.select(Team).where(
        Team.organisation_id == organisation_id, Team.name == name)).scalar_one_or_none()
    if clash is not None and clash is not team:
        raise ServiceError("Deze organisatie heeft al een team met deze naam.", field="name")
    created = team is None
    team = team or Team()
    team.name, team.gemeente, team.organisation, team.active = name, gemeente, organisation, active
    db.session.add(team)
    db.session.flush()
    record("team.created" if created else "team.updated", object_type="team", object_id=team.id)
    return team
