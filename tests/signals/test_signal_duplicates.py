"""Duplicate groups in the triage queue: pending signals that may be about the same betrokkene, grouped by
the same subject row, BSN, name and date of birth, address (also a person's own), membership of a household or
group and living at an address — within the team only, in a bounded number of queries."""

from __future__ import annotations

from datetime import date, timedelta
from itertools import count

import pytest


@pytest.fixture
def pending(db, region):
    """``pending(subject, ..., team=..., reporter=..., status=...)``: a signal row with these subjects, written
    directly so that subjects need not be shared (as ``find_or_create`` would make them)."""
    from casus.database import utcnow
    from casus.signals.models import Signal, SignalSubject

    numbers = count(1)

    def make(*subjects, team=None, reporter=None, status="ontvangen", case_id=None, received_at=None):
        number = next(numbers)
        signal = Signal(reference=f"S-2026-{900000 + number:06d}", category=region.category,
                        team=team or region.team, description="Zorgen over de bewoner",
                        reporting_organisation_id=(reporter or region.politie).id,
                        reported_by_id=region.regisseur.id, status=status, case_id=case_id,
                        received_at=received_at or utcnow() - timedelta(hours=100 - number))
        db.session.add(signal)
        db.session.flush()
        for subject in subjects:
            db.session.add(SignalSubject(signal_id=signal.id, subject_id=subject.id))
        db.session.flush()
        return signal

    return make


@pytest.fixture
def relate(db):
    def make(subject, kind, related, **fields):
        from casus.subjects.models import SubjectRelation

        db.session.add(SubjectRelation(subject_id=subject.id, kind=kind, related_subject_id=related.id, **fields))
        db.session.flush()

    return make


def _groups(app, user, signals):
    from casus.signals.duplicates import duplicate_groups

    with app.test_request_context():
        return [(sorted(group.ids), group.match_kinds) for group in duplicate_groups(user, signals)]


def test_same_subject_row_and_same_bsn(app, region, pending, make_subject):
    from casus.signals.duplicates import MatchKind

    shared = make_subject(name="Jan de Vries", bsn="111222333")
    twin = make_subject(name="J. de Vries", bsn="111222333")
    first, second, third = pending(shared), pending(shared), pending(twin)
    alone = pending(make_subject(name="Piet Pietersen"))
    assert _groups(app, region.regisseur, [first, second, third, alone]) == [
        (sorted([first.id, second.id, third.id]), [MatchKind.BSN])]


def test_same_subject_row_without_other_keys_says_zelfde_betrokkene(app, region, pending, make_subject):
    from casus.signals.duplicates import MatchKind

    shared = make_subject(name="Kees Zonder")
    first, second = pending(shared), pending(shared)
    assert _groups(app, region.regisseur, [first, second]) == [(sorted([first.id, second.id]),
                                                                 [MatchKind.BETROKKENE])]


def test_same_name_and_date_of_birth(app, region, pending, make_subject):
    from casus.signals.duplicates import MatchKind

    born = date(1980, 5, 17)
    first = pending(make_subject(name="Anna Bakker", date_of_birth=born))
    second = pending(make_subject(name="Anna Bakker", date_of_birth=born))
    other_day = pending(make_subject(name="Anna Bakker", date_of_birth=date(1981, 5, 17)))
    assert _groups(app, region.regisseur, [first, second, other_day]) == [(sorted([first.id, second.id]),
                                                                           [MatchKind.NAAM])]


def test_same_address_also_a_persons_own_address_and_woont_op(app, region, pending, make_subject, relate):
    from casus.signals.duplicates import MatchKind
    from casus.subjects.models import RelationKind

    address = make_subject("adres", postcode="1234AB", huisnummer=12, toevoeging="A")
    by_address = pending(address)
    own_address = pending(make_subject(name="Bewoner Een", postcode="1234AB", huisnummer=12, toevoeging="A"))
    lodger = make_subject(name="Bewoner Twee")
    relate(lodger, RelationKind.WOONT_OP, address)
    living_there = pending(lodger)
    next_door = pending(make_subject("adres", postcode="1234AB", huisnummer=12))  # no toevoeging: another door
    groups = _groups(app, region.regisseur, [by_address, own_address, living_there, next_door])
    assert groups == [(sorted([by_address.id, own_address.id, living_there.id]), [MatchKind.ADRES])]


def test_member_of_a_household_another_signal_names_and_two_members(app, region, pending, make_subject, relate):
    from casus.signals.duplicates import MatchKind
    from casus.subjects.models import RelationKind

    household = make_subject("huishouden", name="Huishouden De Vries")
    mother, son = make_subject(name="Moeder De Vries"), make_subject(name="Zoon De Vries")
    relate(mother, RelationKind.LID_VAN, household)
    relate(son, RelationKind.LID_VAN, household)
    about_household, about_mother, about_son = pending(household), pending(mother), pending(son)
    assert _groups(app, region.regisseur, [about_household, about_mother, about_son]) == [
        (sorted([about_household.id, about_mother.id, about_son.id]), [MatchKind.HUISHOUDEN])]


def test_membership_of_a_group_and_an_ended_membership(app, region, pending, make_subject, relate):
    from casus.signals.duplicates import MatchKind
    from casus.subjects.models import RelationKind

    group = make_subject("groep", name="Jongeren Stationsplein")
    member, former = make_subject(name="Lid Een"), make_subject(name="Oud Lid")
    relate(member, RelationKind.LID_VAN, group)
    relate(former, RelationKind.LID_VAN, group, start_on=date(2020, 1, 1), end_on=date(2021, 1, 1))
    about_group, about_member, about_former = pending(group), pending(member), pending(former)
    assert _groups(app, region.regisseur, [about_group, about_member, about_former]) == [
        (sorted([about_group.id, about_member.id]), [MatchKind.GROEP])]


def test_a_group_follows_matches_through_a_signal_off_the_page(app, region, pending, make_subject):
    from casus.signals.duplicates import MatchKind

    with_bsn = pending(make_subject(name="Jan de Vries", bsn="111222333"))
    bridge = pending(make_subject(name="J. de Vries", bsn="111222333", postcode="1234AB", huisnummer=5))
    address = pending(make_subject("adres", postcode="1234AB", huisnummer=5))
    pending(make_subject(name="Iemand Anders"))
    assert _groups(app, region.regisseur, [with_bsn]) == [
        (sorted([with_bsn.id, bridge.id, address.id]), [MatchKind.BSN, MatchKind.ADRES])]


def test_no_group_across_teams_nor_with_weighed_signals(app, region, pending, make_subject, make_team, make_case):
    shared = make_subject(name="Jan de Vries", bsn="111222333")
    ours = pending(shared)
    pending(shared, team=make_team(organisation=region.zvh, name="Team Noord"))
    case = make_case(team=region.team)
    pending(shared, status="in_triage", case_id=case.id)
    pending(shared, status="afgesloten")
    assert _groups(app, region.regisseur, [ours]) == []


def test_members_off_the_page_are_shown_with_their_group(app, region, pending, make_subject):
    shared = make_subject(name="Jan de Vries", bsn="111222333")
    on_page, off_page = pending(shared), pending(shared)
    from casus.signals.duplicates import duplicate_groups

    with app.test_request_context():
        [group] = duplicate_groups(region.regisseur, [on_page])
    assert [signal.reference for signal in group.signals] == [on_page.reference, off_page.reference]


def test_the_queue_shows_groups_together_with_a_badge(client, login_as, region, pending, make_subject):
    household = make_subject("huishouden", name="Huishouden Jansen")
    shared = make_subject(name="Jan de Vries", bsn="111222333")
    first = pending(shared)
    between = pending(make_subject(name="Iemand Anders"))
    last = pending(shared)
    lonely = pending(household)
    login_as("procesregisseur", organisation=region.zvh, team=region.team)
    page = client.get("/triage").get_data(as_text=True)
    assert "Mogelijk dezelfde betrokkene (2 signalen)" in page and "zelfde BSN" in page
    # The group sits where its first member is: the later duplicate comes before the signal in between.
    assert page.index(first.reference) < page.index(last.reference) < page.index(between.reference)
    assert lonely.reference in page and page.count("Mogelijk dezelfde betrokkene") == 1
    assert f"/signalen/{first.id}?bundel=groep#nieuwe-casus" in page
    assert "Bundel tot één casus" in page
    # Never more personal data than the queue shows: no names or BSNs.
    assert "Jan de Vries" not in page and "111222333" not in page


def test_a_partner_sees_no_groups_of_their_own_reports(app, region, pending, make_subject, make_user):
    shared = make_subject(name="Jan de Vries", bsn="111222333")
    first, second = pending(shared), pending(shared)
    agent = make_user("partner", organisation=region.politie)
    assert _groups(app, agent, [first, second]) == []


def test_query_count_is_bounded_for_a_page_of_25_signals_with_groups(app, region, pending, make_subject,
                                                                       count_queries):
    from casus.signals.duplicates import duplicate_groups

    signals = []
    for number in range(12):
        shared = make_subject(name=f"Persoon {number}", bsn=None, date_of_birth=date(1970, 1, 1 + number))
        signals += [pending(shared), pending(make_subject(name=f"Persoon {number}",
                                                          date_of_birth=date(1970, 1, 1 + number)))]
    off_page = pending(make_subject(name="Persoon 0", date_of_birth=date(1970, 1, 1)))
    signals.append(pending(make_subject(name="Alleen")))
    with app.test_request_context(), count_queries() as counter:
        groups = duplicate_groups(region.regisseur, signals)
    assert len(signals) == 25 and len(groups) == 12
    assert off_page.id in groups[0].ids
    assert counter.count <= 2


def test_the_detail_page_offers_the_group_preselected(client, login_as, region, pending, make_subject):
    shared = make_subject(name="Jan de Vries", bsn="111222333")
    first, second = pending(shared), pending(shared)
    login_as("procesregisseur", organisation=region.zvh, team=region.team)
    page = client.get(f"/signalen/{first.id}?bundel=groep").get_data(as_text=True)
    assert "Bundel ook deze signalen in de casus" in page
    assert f'name="also" value="{second.id}" checked' in page
    plain = client.get(f"/signalen/{first.id}").get_data(as_text=True)
    assert f'name="also" value="{second.id}">' in plain


def test_the_queue_page_costs_the_same_queries_with_more_groups(client, login_as, region, pending, make_subject,
                                                                count_queries):
    login_as("procesregisseur", organisation=region.zvh, team=region.team)

    def add_group(number: int) -> None:
        shared = make_subject(name=f"Groepslid {number}", bsn=None, date_of_birth=date(1960, 1, 1 + number))
        pending(shared)
        pending(make_subject(name=f"Groepslid {number}", date_of_birth=date(1960, 1, 1 + number)))

    def statements() -> int:
        with count_queries() as counter:
            assert client.get("/triage").status_code == 200
        return counter.count

    add_group(0)
    one = statements()
    for number in range(1, 12):
        add_group(number)
    many = statements()
    assert many == one
