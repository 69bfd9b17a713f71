"""The world the destruction-list tests share: two teams, two privacy officers, supervisors, confirmed and
unconfirmed retention terms, and closed cases and signals on either side of every rule the monthly list asks."""

from __future__ import annotations

from datetime import timedelta

import pytest

PAST = timedelta(days=40)


def build_list_world(db, categories, make_organisation, make_team, make_user, make_case, make_subject):
    """The fixture's body: each test module makes it its ``list_world`` fixture (``world_fixture()``)."""
    import pyotp

    from casus.cases.models import Archiefnominatie
    from casus.clock import today
    from casus.database import utcnow
    from casus.organisations.models import OrganisationKind
    from casus.retention.models import LegalHold, RetentionTerm, SignalOutcome
    from casus.signals.models import Signal, SignalStatus

    day = today()
    zvh = make_organisation(name="Zorg- en Veiligheidshuis Lijst", kind=OrganisationKind.ZVH)
    team, other_team = make_team(organisation=zvh, name="Team Lijst"), make_team(organisation=zvh, name="Team Ander")

    def user(*roles, **fields):
        fields.setdefault("organisation", zvh)
        return make_user(*roles, totp_secret=pyotp.random_base32(), **fields)

    w = {"team": team, "other_team": other_team, "day": day,
         "privacy": user("privacy", name="Pia Privacy"), "privacy2": user("privacy", name="Piet Privacy"),
         "supervisor": user("supervisor", team=team, name="Sem Supervisor"),
         "elsewhere": user("supervisor", team=other_team, name="Eva Elders"),
         "regisseur": user("procesregisseur", team=team, name="Rosa Regisseur")}
    for category in ("woonoverlast", "ondermijning"):
        db.session.add(RetentionTerm(category_id=categories[category].id, months=60, confirmed_at=utcnow(),
                                     confirmed_by_id=w["privacy"].id))
    db.session.add(RetentionTerm(category_id=categories["jeugd"].id, months=60))  # never confirmed
    db.session.add(RetentionTerm(signal_outcome=SignalOutcome.DISMISSED, months=12, confirmed_at=utcnow(),
                                 confirmed_by_id=w["privacy"].id))
    db.session.add(RetentionTerm(signal_outcome=SignalOutcome.REFERRED, months=12))  # never confirmed

    def closed(title, *, on=day - PAST, nominatie=Archiefnominatie.VERNIETIGEN, category="woonoverlast",
               case_team=team, phase="afgesloten", subjects=()):
        return make_case(team=case_team, phase=phase, title=title, category=categories[category],
                         closed_on=day - timedelta(days=3000) if phase == "afgesloten" else None,
                         archiefnominatie=nominatie, archiefactiedatum=on, subjects=subjects)

    w["subject"] = make_subject(name="Bram Bewaard", bsn="111222333")
    w["due"] = closed("Vervallen Dossierlaan", subjects=[w["subject"]])
    w["due2"] = closed("Vervallen Tweede", category="ondermijning")
    w["held"] = closed("Bevroren Hofje")
    db.session.add(LegalHold(case_id=w["held"].id, reason="Lopende rechtszaak", placed_by_id=w["privacy"].id))
    w["lifted"] = closed("Opgeheven Bevriezing")  # a hold that ended yesterday keeps nothing
    db.session.add(LegalHold(case_id=w["lifted"].id, reason="Verlopen", placed_by_id=w["privacy"].id,
                             until=day - timedelta(days=1)))
    w["future"] = closed("Nog Niet", on=day + timedelta(days=1))
    w["today"] = closed("Precies Vandaag", on=day)
    w["kept"] = closed("Blijvend Bewaard", nominatie=Archiefnominatie.BLIJVEND_BEWAREN)
    w["unconfirmed"] = closed("Jeugd Onbevestigd", category="jeugd")
    w["open"] = closed("Nog In Aanpak", phase="aanpak.uitvoering")
    w["other"] = closed("Ander Team", case_team=other_team)

    reporter = user("partner", name="Paul Partner")

    def signal(number, status, on, case=None):
        row = Signal(reference=f"S-2026-{900100 + number}", category_id=categories["woonoverlast"].id,
                     description=f"Melding {number}", team_id=team.id, reporting_organisation_id=zvh.id,
                     reported_by_id=reporter.id, status=status, closed_on=day - timedelta(days=500),
                     archiefactiedatum=on, case_id=getattr(case, "id", None))
        db.session.add(row)
        db.session.flush()
        return row

    w["signal_due"] = signal(1, SignalStatus.AFGESLOTEN, day - PAST)
    w["signal_future"] = signal(2, SignalStatus.AFGESLOTEN, day + timedelta(days=10))
    w["signal_unconfirmed"] = signal(3, SignalStatus.DOORVERWEZEN, day - PAST)
    w["signal_bundled"] = signal(4, SignalStatus.GEBUNDELD, day - PAST, case=w["open"])
    db.session.flush()
    return w


def world_fixture():
    return pytest.fixture(name="list_world")(build_list_world)


def propose(world):
    """Run the monthly proposal for the world's day; the list of its own team."""
    from casus.retention.lists import get_list, propose_lists

    proposed = propose_lists(world["day"])
    mine = [row for row in proposed if row.team_id == world["team"].id]
    return get_list(mine[0].id) if mine else None


def item_for(destruction_list, record):
    """The list's item of a case or signal (the list read again: the test may have expired it)."""
    from casus.retention.lists import get_list
    from casus.signals.models import Signal

    destruction_list = get_list(destruction_list.id)

    column = "signal_id" if isinstance(record, Signal) else "case_id"
    return next(item for item in destruction_list.items if getattr(item, column) == record.id)
