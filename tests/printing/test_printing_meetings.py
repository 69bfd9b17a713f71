"""A meeting's agenda and minutes per invited organisation: each PDF holds, by its extracted text, exactly the
cases that organisation takes part in; the team and the chair print for any invited organisation, a partner only
for their own; every print is audited with the organisation it was printed for."""

from __future__ import annotations

import re
from datetime import timedelta

import pytest
import sqlalchemy as sa
from print_support import add_item, pdf_text

from casus.audit.models import AuditEvent, Outcome
from casus.database import utcnow

REFERENCE = re.compile(r"\b2026-\d{5}\b")


def agenda_url(world, organisation=None) -> str:
    url = f"/overleggen/{world.meeting.id}/agenda.pdf"
    return url if organisation is None else f"{url}?organisatie={organisation.id}"


def references_in(data: bytes) -> set[str]:
    return set(REFERENCE.findall(pdf_text(data)))


def test_the_chair_prints_one_agenda_per_organisation_with_exactly_its_cases(client, login, world):
    login(world.regisseur)
    expected = {world.politie: {world.case_a.reference, world.case_c.reference},
                world.ggz: {world.case_b.reference, world.case_c.reference},
                world.corporatie: set()}
    for organisation, references in expected.items():
        response = client.get(agenda_url(world, organisation))
        assert response.status_code == 200 and response.mimetype == "application/pdf"
        assert references_in(response.data) == references, organisation.name
        assert organisation.name in pdf_text(response.data)


@pytest.mark.parametrize(("reader", "own", "others"), [("agent", "politie", ("ggz", "corporatie", "zvh")),
                                                         ("behandelaar", "ggz", ("politie", "corporatie"))])
def test_a_partner_prints_only_their_own_organisation_s_agenda(db, client, login, world, reader, own, others):
    login(getattr(world, reader))
    mine = client.get(agenda_url(world))
    assert mine.status_code == 200
    assert references_in(mine.data) == references_in(client.get(agenda_url(world, getattr(world, own))).data)
    for other in others:
        response = client.get(agenda_url(world, getattr(world, other)))
        assert response.status_code == 404, other
        assert not REFERENCE.search(response.get_data(as_text=True))
    for junk in ("abc", "-1", "99999999999999"):
        assert client.get(f"/overleggen/{world.meeting.id}/agenda.pdf?organisatie={junk}").status_code == 404
    refused = db.session.execute(sa.select(AuditEvent).where(
        AuditEvent.action == "print.meeting_agenda", AuditEvent.outcome == Outcome.DENIED)).scalars().all()
    assert refused


def test_an_organisation_that_left_a_case_no_longer_gets_it_on_its_agenda(db, client, login, world):
    from casus.cases.models import Participation

    db.session.execute(sa.update(Participation).where(Participation.case_id == world.case_c.id,
                                                      Participation.organisation_id == world.ggz.id)
                       .values(left_on=world.today))
    login(world.regisseur)
    assert references_in(client.get(agenda_url(world, world.ggz)).data) == {world.case_b.reference}


def test_an_outsider_gets_404_for_the_agenda_and_the_minutes(client, login_as, world, make_organisation):
    login_as("partner", organisation=make_organisation(name="Niet Uitgenodigd"))
    assert client.get(agenda_url(world)).status_code == 404
    assert client.get(f"/overleggen/{world.meeting.id}/notulen.pdf").status_code == 404


def test_every_agenda_print_is_audited_with_the_organisation_and_the_cases_shown(db, client, login, world):
    from casus.audit.models import AuditShownCase

    login(world.regisseur)
    client.get(agenda_url(world, world.ggz))
    event = db.session.execute(sa.select(AuditEvent).where(AuditEvent.action == "print.meeting_agenda",
                                                           AuditEvent.outcome == Outcome.SUCCESS)).scalar_one()
    assert (event.object_type, event.object_id) == ("meeting", str(world.meeting.id))
    assert event.details["organisation_id"] == world.ggz.id and event.user_id == world.regisseur.id
    shown = set(db.session.execute(sa.select(AuditShownCase.case_id)
                                   .where(AuditShownCase.event_id == event.id)).scalars())
    assert shown == {world.case_b.id, world.case_c.id}


def test_minutes_only_once_the_meeting_has_begun(db, client, login, world):
    login(world.regisseur)
    early = client.get(f"/overleggen/{world.meeting.id}/notulen.pdf?organisatie={world.ggz.id}")
    assert early.status_code == 302 and early.location.endswith(f"/overleggen/{world.meeting.id}")
    _begin(db, world)
    world.items[0].beeldvorming = "Beeld bij de politiecasus"
    world.items[1].beeldvorming = "Beeld bij de zorgcasus"
    db.session.flush()
    response = client.get(f"/overleggen/{world.meeting.id}/notulen.pdf?organisatie={world.ggz.id}")
    assert response.status_code == 200
    text = pdf_text(response.data)
    assert "Beeld bij de zorgcasus" in text and "Beeld bij de politiecasus" not in text
    assert references_in(response.data) == {world.case_b.reference, world.case_c.reference}
    event = db.session.execute(sa.select(AuditEvent).where(AuditEvent.action == "print.meeting_minutes")).scalar_one()
    assert event.details["organisation_id"] == world.ggz.id


def test_a_partner_prints_the_minutes_of_their_own_cases_only(db, client, login, world):
    _begin(db, world)
    world.items[1].beeldvorming = "Alleen voor de zorg"
    db.session.flush()
    login(world.agent)
    response = client.get(f"/overleggen/{world.meeting.id}/notulen.pdf")
    assert response.status_code == 200
    assert "Alleen voor de zorg" not in pdf_text(response.data)
    assert references_in(response.data) == {world.case_a.reference, world.case_c.reference}
    assert client.get(f"/overleggen/{world.meeting.id}/notulen.pdf?organisatie={world.ggz.id}").status_code == 404


def test_the_agenda_pdf_costs_the_same_number_of_queries_for_more_items(db, client, login, world, make_case,
                                                                         count_queries):
    login(world.regisseur)

    def queries_for_print() -> int:
        with count_queries() as counter:
            assert client.get(agenda_url(world, world.ggz)).status_code == 200
        return len(counter.statements)

    few = queries_for_print()
    for position in range(4, 12):
        case = make_case(team=world.team, partners=[world.ggz, world.zvh], phase="aanpak.uitvoering")
        add_item(db, world.meeting, case, position)
    assert queries_for_print() == few


def _begin(db, world):
    world.meeting.starts_at = utcnow() - timedelta(hours=1)
    world.meeting.ends_at = utcnow() + timedelta(hours=1)
    db.session.flush()


def test_the_meeting_page_offers_the_chair_every_invited_organisation_and_a_partner_their_own(client, auth, login,
                                                                                                world):
    login(world.regisseur)
    page = client.get(f"/overleggen/{world.meeting.id}").get_data(as_text=True)
    select = page.split('id="afdrukken-organisatie"')[1].split("</select>")[0]
    options = set(re.findall(r'<option value="(\d+)">', select))
    assert options == {str(world.politie.id), str(world.ggz.id), str(world.corporatie.id)}
    assert "notulen.pdf" not in page  # no minutes before the meeting begins
    auth.logout()
    login(world.agent)
    page = client.get(f"/overleggen/{world.meeting.id}").get_data(as_text=True)
    assert 'id="afdrukken-organisatie"' not in page
    assert f'name="organisatie" value="{world.politie.id}"' in page
