"""The invite form of the partners page: which organisations it offers (the case's reporters first), which
contact persons, and what a one-click "Uitnodigen" of a suggestion preselects.

The contact select lists the active users of the chosen organisation only. Before an organisation is chosen it
lists every candidate's users in an optgroup per organisation, each option marked with its organisation
(``data-organisation``), so that casus/static/js/invite-contacts.js can hide the others as soon as one is chosen;
without JavaScript the optgroups say whose they are, and the service still refuses a contact of another
organisation (``invite_organisation``) — the form then shows only the chosen organisation's users.
"""

from __future__ import annotations

from collections.abc import Sequence

import sqlalchemy as sa

from casus.cases.forms import InviteForm
from casus.cases.models import LegalBasis
from casus.cases.suggestions import Suggestion
from casus.extensions import db
from casus.organisations.models import Organisation
from casus.users.models import User
from workflow import ParticipationRole


def contacts_of(organisations: Sequence[Organisation]) -> list[User]:
    """The active users of ``organisations``, by organisation and name. One query."""
    ids = [organisation.id for organisation in organisations]
    if not ids:
        return []
    return list(db.session.execute(
        sa.select(User).where(User.active.is_(True), User.organisation_id.in_(ids))
        .order_by(User.organisation_id, User.name, User.id)).scalars())


def chosen_organisation(form: InviteForm, candidates: Sequence[Organisation]) -> Organisation | None:
    """The organisation the form names, if it is one that may be invited."""
    return next((organisation for organisation in candidates if organisation.id == form.organisation_id.data), None)


def fill_invite_form(form: InviteForm, locale, *, candidates: Sequence[Organisation],
                     suggestions: Sequence[Suggestion], all_contacts: bool = False) -> None:
    """Choices for the invite form: the suggested organisations first; the chosen organisation's contacts only
    (``all_contacts``: every candidate's, to check a posted form — the service names a wrong one)."""
    chosen = chosen_organisation(form, candidates)
    contacts = contacts_of(candidates if all_contacts or chosen is None else [chosen])
    form.fill(locale, organisations=candidates, contacts=contacts,
              suggested=[suggestion.organisation for suggestion in suggestions])


def preselect(form: InviteForm, candidates: Sequence[Organisation], organisation_id: str | None) -> None:
    """A one-click "Uitnodigen" (``?organisatie=<id>``): that organisation, as deelnemer, on the convenant when it
    is a convenant partner and else on a geheimhoudingsverklaring (whose signing date the user then fills in)."""
    if not (organisation_id or "").isdigit():
        return
    form.organisation_id.data = int(organisation_id)
    organisation = chosen_organisation(form, candidates)
    if organisation is None:
        form.organisation_id.data = None
        return
    form.role.data = ParticipationRole.DEELNEMER.value
    form.legal_basis.data = (LegalBasis.CONVENANT if organisation.convenant_partner
                             else LegalBasis.GEHEIMHOUDINGSVERKLARING).value
