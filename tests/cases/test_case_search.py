"""Case search through the search index: the same answers as the LIKE scan it replaced, accents and case
ignored, BSN and postcode in any spelling, always inside the need-to-know scope, and a constant number of
statements per search page."""

from __future__ import annotations

import random
import re
from contextlib import suppress

import pytest
import sqlalchemy as sa

FIRST = ["Jan", "Marieke", "Ömer", "José", "Anouk", "Chloë", "Daan", "Zoë", "Li", "Ng", "Éva", "Bram"]
LAST = ["de Vries", "Vriës", "van den Berg", "Brink", "ten Brink", "Çelik", "O'Brien", "Jansen-Smit",
        "Müller", "de  Jong", "Vriesland", "Bakker"]
TITLES = ["Overlast Dorpsstraat", "Zorgen om gezin De Vries", "Jeugdgroep Stationsplein", "Ondermijning Brink",
          "Café 't Hoekje", "Woonoverlast Vriëslaan", "Casus 100% zeker"]
BSNS = ["123456782", "111222333", "010464554"]
TERMS = ["vries", "Vries", "VRIËS", "de vries", "de  vries", "de vr", "ries", "vriesl", "brink", "ten b", "Çelik",
         "celik", "o'brien", "o'b", "brien", "jansen-", "smit", "müller", "muller", "jong", "de jong", "zoë", "zoe",
         "li", "l", "ng", "eva", "é", "marieke van", "van den berg", "berg", "café", "cafe", "'t hoekje", "hoekje",
         "stationsplein", "overlast", "100%", "100", "%", "_", "-", "'", "casus", "1234 AB", "1234ab", "1234",
         "5678", "123456782", "123.456.782", "123 456 782", "12345678", "111222333", "010464554", "10464554",
         "2026", "2026-0", "2026-00003", "niemand", "a", "e", ""]


@pytest.fixture
def search_world(db, make_organisation, make_team, make_user, make_case, make_subject):
    """Cases of two teams with persons (accents, hyphens, apostrophes), addresses and titles; a partner who
    takes part in some of them and a procesregisseur of the first team."""
    from casus.organisations.models import OrganisationKind

    rng = random.Random(19)
    zvh = make_organisation(name="ZVH Zoeken", kind=OrganisationKind.ZVH)
    team, other_team = make_team(organisation=zvh, name="Team Zoeken"), make_team(organisation=zvh, name="Ander")
    politie = make_organisation(name="Politie Zoeken", kind=OrganisationKind.POLITIE)
    partner = make_user("partner", organisation=politie)
    regisseur = make_user("procesregisseur", organisation=zvh, team=team)
    for number in range(40):
        subjects = [make_subject(name=f"{rng.choice(FIRST)} {rng.choice(LAST)}",
                                 bsn=BSNS[number % 3] if number % 4 == 0 else None)
                    for _ in range(rng.randint(0, 2))]
        if number % 5 == 0:
            subjects.append(make_subject(kind="adres", postcode=rng.choice(["1234AB", "1234ZZ", "5678CD"])))
        make_case(team=team if number % 3 else other_team, partners=[politie, zvh] if number % 2 == 0 else [zvh],
                  subjects=subjects, phase="aanpak.uitvoering",
                  **({"title": rng.choice(TITLES)} if number % 2 else {}))
    return {"partner": partner, "regisseur": regisseur, "team": team, "politie": politie, "zvh": zvh}


def _old_scan(term: str):
    """The search before the index, as a LIKE scan (kept here as the reference): word prefix over every subject's
    key, reference and postcode prefixes — on the folded keys, with the BSN and title it now also answers."""
    from casus.cases.models import Case, CaseSubject
    from casus.cases.queries import REFERENCE_TERM
    from casus.search.keys import fold
    from casus.services import ServiceError
    from casus.subjects.models import Subject
    from casus.subjects.validation import bsn, postcode

    def subject_match(*conditions):
        return Case.id.in_(sa.select(CaseSubject.case_id).join(Subject, Subject.id == CaseSubject.subject_id)
                           .where(*conditions))

    def word_prefix(key, name):
        return sa.or_(key.startswith(name, autoescape=True), key.contains(" " + name, autoescape=True))

    term = term.strip()
    conditions = []
    if REFERENCE_TERM.match(term):
        conditions.append(Case.reference.startswith(term, autoescape=True))
    with suppress(ServiceError):
        conditions.append(subject_match(Subject.bsn == bsn(re.sub(r"[\s.]", "", term))))
    try:
        conditions.append(subject_match(Subject.postcode == postcode(term)))
    except ServiceError:
        if re.fullmatch(r"[1-9]\d{3}", term):
            conditions.append(subject_match(Subject.postcode.startswith(term, autoescape=True)))
    name = fold(term)
    if name and not name.isdigit():
        conditions.append(subject_match(word_prefix(Subject.search_key, name)))
        conditions.append(word_prefix(Case.search_key, name))
    return sa.or_(*conditions) if conditions else sa.false()


def _found(user, condition) -> set[int]:
    from casus.cases.models import Case
    from casus.extensions import db
    from casus.policy import visible_cases

    return set(db.session.scalars(visible_cases(user).where(condition).with_only_columns(Case.id)))


@pytest.mark.parametrize("who", ["partner", "regisseur"])
def test_the_indexed_search_answers_exactly_what_the_like_scan_did(db, search_world, who):
    from casus.cases.models import Case
    from casus.cases.queries import search_condition
    from casus.policy import visible_cases

    user = search_world[who]
    visible = set(db.session.scalars(visible_cases(user).with_only_columns(Case.id)))
    answered = 0
    for term in TERMS:
        indexed = _found(user, search_condition(term))
        assert indexed == _found(user, _old_scan(term)), term
        assert indexed <= visible, term
        answered += bool(indexed)
    assert answered >= 30  # most terms find something: the comparison is not between empty sets


def test_name_search_ignores_case_and_accents_but_keeps_word_prefixes(db, make_case, make_subject, make_team):
    from casus.cases.models import Case
    from casus.cases.queries import search_condition
    from casus.extensions import db as database

    team = make_team()
    cases = {name: make_case(team=team, subjects=[make_subject(name=name)]).id
             for name in ("Jan de Vries", "Anna Vriës", "Piet Adriesen", "Kees Vriesland")}

    def found(term):
        ids = set(database.session.scalars(sa.select(Case.id).where(search_condition(term))))
        return {name for name, case_id in cases.items() if case_id in ids}

    assert found("vries") == found("Vriës") == found("VRIES") == {"Jan de Vries", "Anna Vriës", "Kees Vriesland"}
    assert found("de vries") == found("De  Vries") == {"Jan de Vries"}
    assert found("ries") == set()  # inside a word: not a word prefix, as before
    assert found("vriesl") == {"Kees Vriesland"}


def test_bsn_postcode_and_title_in_any_spelling(db, make_case, make_subject, make_team):
    from casus.cases.models import Case
    from casus.cases.queries import search_condition
    from casus.extensions import db as database

    team = make_team()
    by_bsn = make_case(team=team, subjects=[make_subject(name="Eva Bakker", bsn="123456782")])
    by_address = make_case(team=team, subjects=[make_subject(kind="adres", postcode="1234AB", huisnummer=3)])
    by_title = make_case(team=team, title="Overlast Café 't Hoekje")

    def found(term):
        return set(database.session.scalars(sa.select(Case.id).where(search_condition(term))))

    for spelling in ("123456782", "123.456.782", "123 456 782", " 123456782 "):
        assert found(spelling) == {by_bsn.id}, spelling
    assert found("123456783") == set()  # fails the 11-proef: no BSN search
    for spelling in ("1234AB", "1234 ab", "1234ab", "1234"):
        assert found(spelling) == {by_address.id}, spelling
    for spelling in ("cafe", "Café", "hoekje", "'t hoek", "overlast café"):
        assert found(spelling) == {by_title.id}, spelling
    assert found("hoekje overlast") == set()


def test_a_match_outside_the_scope_is_neither_listed_nor_counted(client, db, login_as, make_case, make_subject,
                                                                  make_organisation):
    from casus.cases.queries import CaseFilters, count_cases

    politie = make_organisation(name="Politie Scope")
    agent = login_as("partner", organisation=politie)
    mine = make_case(partners=[politie], subjects=[make_subject(name="Sanne Zoekmans")], phase="aanpak.uitvoering")
    hidden = make_case(subjects=[make_subject(name="Sanne Zoekmans")], title="Zoekmans", phase="aanpak.uitvoering")
    page = client.get("/casussen", query_string={"q": "zoekmans"}).get_data(as_text=True)
    assert mine.reference in page and hidden.reference not in page
    assert count_cases(agent, CaseFilters(q="zoekmans")) == 1


def _search_cost(count_queries, client, term) -> int:
    client.get("/casussen", query_string={"q": term})  # warm-up (session touch)
    with count_queries() as counter:
        response = client.get("/casussen", query_string={"q": term})
    assert response.status_code == 200
    return counter.count


@pytest.mark.parametrize("role", ["partner", "procesregisseur"])
def test_a_search_page_costs_the_same_with_1_and_50_matches(client, db, login_as, make_organisation, make_team,
                                                            make_case, make_subject, count_queries, role):
    from casus.organisations.models import OrganisationKind

    zvh = make_organisation(name="ZVH Telling", kind=OrganisationKind.ZVH)
    team = make_team(organisation=zvh, name="Team Telling")
    politie = make_organisation(name="Politie Telling", kind=OrganisationKind.POLITIE)
    user = login_as(role, organisation=politie if role == "partner" else zvh,
                    **({"team": team} if role == "procesregisseur" else {}))

    def add_matching_case():
        make_case(team=team, partners=[politie, zvh], phase="aanpak.uitvoering",
                  subjects=[make_subject(name="Truus de Vriës")])

    add_matching_case()
    costs = {term: _search_cost(count_queries, client, term) for term in ("vries", "1234 AB", "123456782")}
    for _ in range(49):
        add_matching_case()
    assert {term: _search_cost(count_queries, client, term) for term in costs} == costs
    assert client.get("/casussen", query_string={"q": "vries"}).get_data(as_text=True).count("2026-") >= 25
    del user
