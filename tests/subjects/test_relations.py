"""Relations between subjects: which kinds fit which subjects, dates, duplicates, ending and removing, and the one
query that loads a case's relations; the diagram drawn from them."""

from __future__ import annotations

from datetime import date

import pytest


@pytest.fixture
def people(db, make_subject):
    from casus.subjects.models import Subject

    def collective(kind, name):
        subject = Subject(kind=kind, name=name, name_key=name.lower())
        db.session.add(subject)
        db.session.flush()
        return subject

    return {"jan": make_subject("persoon", name="Jan de Vries"),
            "sanne": make_subject("persoon", name="Sanne de Vries"),
            "adres": make_subject("adres", postcode="3511AB", huisnummer=12),
            "bedrijf": make_subject("bedrijf", name="Vries Vastgoed B.V."),
            "huishouden": collective("huishouden", "Huishouden De Vries"),
            "groep": collective("groep", "Jongeren Stationsplein")}


def refused(call) -> tuple[str | None, str]:
    from casus.services import ServiceError

    with pytest.raises(ServiceError) as caught:
        call()
    return caught.value.field, caught.value.message


@pytest.mark.parametrize(("source", "kind", "target"), [
    ("jan", "ouder_van", "sanne"), ("sanne", "kind_van", "jan"), ("jan", "partner_van", "sanne"),
    ("jan", "lid_van", "huishouden"), ("sanne", "lid_van", "groep"), ("jan", "woont_op", "adres"),
    ("huishouden", "woont_op", "adres"), ("jan", "bewoner_van", "huishouden"), ("jan", "eigenaar_van", "adres"),
    ("bedrijf", "eigenaar_van", "adres"), ("jan", "eigenaar_van", "bedrijf"),
])
def test_a_kind_that_fits_its_subjects_is_recorded(db, people, source, kind, target):
    from casus.subjects.relations import add_relation

    relation = add_relation(people[source], people[target], kind, start_on=date(2020, 3, 1), created_by_id=None)
    assert relation.id and str(relation.kind) == kind and relation.start_on == date(2020, 3, 1)
    assert relation.end_on is None


@pytest.mark.parametrize(("source", "kind", "target", "says"), [
    ("jan", "lid_van", "sanne", "alleen van een huishouden of groep"),
    ("huishouden", "lid_van", "groep", "Alleen een persoon kan lid zijn"),
    ("jan", "ouder_van", "huishouden", "tussen twee personen"),
    ("bedrijf", "partner_van", "jan", "tussen twee personen"),
    ("jan", "woont_op", "bedrijf", "woont op een adres"),
    ("jan", "bewoner_van", "sanne", "woont op een adres"),
    ("jan", "eigenaar_van", "sanne", "eigenaar van een adres of bedrijf"),
    ("huishouden", "eigenaar_van", "adres", "eigenaar van een adres of bedrijf"),
])
def test_a_kind_that_does_not_fit_is_refused_on_the_kind(db, people, source, kind, target, says):
    from casus.subjects.relations import add_relation

    field, message = refused(lambda: add_relation(people[source], people[target], kind))
    assert field == "kind" and says in message


def test_no_relation_to_itself_unknown_kind_or_end_before_start(db, people):
    from casus.subjects.relations import add_relation

    assert refused(lambda: add_relation(people["jan"], people["jan"], "partner_van"))[0] == "related_subject_id"
    assert refused(lambda: add_relation(people["jan"], people["sanne"], "buurman_van"))[0] == "kind"
    field, message = refused(lambda: add_relation(people["jan"], people["sanne"], "ouder_van",
                                                  start_on=date(2020, 1, 2), end_on=date(2020, 1, 1)))
    assert field == "end_on" and "voor de begindatum" in message


def test_the_same_relation_twice_is_refused_as_a_conflict_an_other_kind_is_not(db, people):
    from casus.subjects.relations import add_relation

    add_relation(people["jan"], people["sanne"], "ouder_van", end_on=date(2021, 1, 1))
    with pytest.raises(Exception) as caught:
        add_relation(people["jan"], people["sanne"], "ouder_van")
    assert caught.value.status == 409 and "al vastgelegd" in caught.value.message
    assert add_relation(people["sanne"], people["jan"], "kind_van").id  # the other direction is its own relation


def test_ending_clearing_and_removing(db, people):
    from casus.subjects.models import SubjectRelation
    from casus.subjects.relations import add_relation, end_relation, remove_relation

    relation = add_relation(people["jan"], people["huishouden"], "lid_van", start_on=date(2019, 5, 1))
    assert end_relation(relation, date(2024, 2, 29)).end_on == date(2024, 2, 29)
    assert refused(lambda: end_relation(relation, date(2019, 4, 30)))[0] == "end_on"
    assert end_relation(relation, None).end_on is None
    relation_id = relation.id
    remove_relation(relation)
    assert db.session.get(SubjectRelation, relation_id) is None


def test_relations_touching_loads_both_subjects_in_one_query(db, people, make_subject, count_queries):
    from casus.subjects.relations import add_relation, relations_touching

    for index in range(12):
        child = make_subject("persoon", name=f"Kind {index}")
        add_relation(people["jan"], child, "ouder_van")
        add_relation(child, people["huishouden"], "lid_van")
    add_relation(people["bedrijf"], people["adres"], "eigenaar_van")  # touches neither: not loaded
    db.session.expunge_all()
    with count_queries() as counter:
        found = relations_touching({people["jan"].id})
        names = {(relation.subject.display_name, relation.related_subject.display_name) for relation in found}
    assert counter.count == 1
    assert len(found) == 12 and ("Jan de Vries", "Kind 0") in names
    assert relations_touching(set()) == []


def test_the_diagram_draws_every_subject_and_labelled_arrow_escaped(db, people, make_subject):
    from casus.subjects import diagram
    from casus.subjects.relations import add_relation

    outsider = make_subject("persoon", name="<script>Piet</script>")
    relations = [add_relation(people["jan"], people["sanne"], "ouder_van"),
                 add_relation(people["sanne"], people["jan"], "kind_van", end_on=date(2024, 1, 1)),
                 add_relation(outsider, people["huishouden"], "lid_van")]
    subjects = [people["jan"], people["sanne"], people["huishouden"], outsider]
    svg, truncated = diagram.render(subjects, relations, labelledby="titel r1 r2",
                                    kind_label=lambda subject: str(subject.kind),
                                    relation_label=lambda relation: str(relation.kind).replace("_", " "),
                                    in_case={people["jan"].id, people["sanne"].id, people["huishouden"].id})
    text = str(svg)
    assert not truncated
    assert text.startswith("<svg") and 'role="img"' in text and 'aria-labelledby="titel r1 r2"' in text
    assert text.count("<line") == 3 and text.count('stroke-dasharray="6 4"') == 1  # the ended relation
    assert ">ouder van<" in text and ">kind van<" in text and ">lid van<" in text
    assert "Jan de Vries" in text and "<script>" not in text and "&lt;script&gt;Piet" in text
    assert 'stroke-dasharray="4 3"' in text  # the subject outside the case


def test_the_diagram_leaves_out_what_does_not_fit(db, make_subject):
    from casus.subjects import diagram

    many = [make_subject("persoon", name=f"Persoon {index}") for index in range(diagram.MAX_NODES + 5)]
    svg, truncated = diagram.render(many, [], labelledby="t", kind_label=lambda s: "persoon",
                                    relation_label=lambda r: "", in_case=set())
    assert truncated and str(svg).count("<rect") == diagram.MAX_NODES
