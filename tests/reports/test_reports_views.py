"""The reports page and its downloads: figures, suppression on screen, in CSV, in XLSX and in the API alike,
access, filters, audit and a constant number of queries."""

from __future__ import annotations

import csv
import io
from datetime import UTC, datetime
from html.parser import HTMLParser
from urllib.parse import urlencode

import pytest
import sqlalchemy as sa
from openpyxl import load_workbook

from casus.audit.models import AuditEvent, Outcome
from casus.cases.models import Case
from casus.clock import today
from casus.reports.queries import REPORTS

PERIOD = {"van": "01-01-2025", "tot": "30-06-2025"}
QUERY = urlencode(PERIOD)


class Tables(HTMLParser):
    """Every table on a page, by caption id: its rows as lists of cell texts (visually hidden text left out)."""

    def __init__(self) -> None:
        super().__init__()
        self.tables: dict[str, list[list[str]]] = {}
        self._rows: list[list[str]] | None = None
        self._cell: list[str] | None = None
        self._hidden = 0
        self._id = None

    def handle_starttag(self, tag, attrs):
        attrs = dict(attrs)
        if tag == "table":
            self._rows = []
        elif tag == "caption" and self._rows is not None:
            self._id = attrs.get("id")
        elif tag == "tr" and self._rows is not None:
            self._rows.append([])
        elif tag in ("td", "th") and self._rows is not None:
            self._cell = []
        elif tag == "span" and self._cell is not None:
            self._hidden += 1 if "casus-visually-hidden" in (attrs.get("class") or "") else 0

    def handle_endtag(self, tag):
        if tag in ("td", "th") and self._cell is not None:
            self._rows[-1].append("".join(self._cell).strip())
            self._cell = None
        elif tag == "span" and self._hidden:
            self._hidden -= 1
        elif tag == "table" and self._rows is not None:
            self.tables[self._id.removeprefix("tabel-").removesuffix("-caption")] = self._rows
            self._rows = None

    def handle_data(self, data):
        if self._cell is not None and not self._hidden:
            self._cell.append(data)


def page_tables(response) -> dict[str, list[list[str]]]:
    parser = Tables()
    parser.feed(response.get_data(as_text=True))
    return parser.tables


def csv_rows(response) -> list[list[str]]:
    text = response.get_data().decode("utf-8")
    assert text.startswith("\ufeff")
    return list(csv.reader(io.StringIO(text[1:]), delimiter=";"))


def xlsx_sheets(response) -> dict:
    return load_workbook(io.BytesIO(response.get_data()))


def sheet_rows(sheet) -> list[list[str]]:
    """The table at the top of a sheet, as text: numbers written as the page shows them (3,0 and 54%)."""
    rows = []
    for row in sheet.iter_rows():
        if row[0].value is None:
            break
        rows.append([_shown(cell) for cell in row if cell.value is not None])
    return rows


def _shown(cell) -> str:
    if isinstance(cell.value, str):
        return cell.value
    if "%" in cell.number_format:
        return f"{cell.value}%"
    if cell.number_format == "0.0":
        return f"{cell.value:.1f}".replace(".", ",")
    return str(cell.value)


@pytest.fixture
def supervisor(auth, world):
    auth.login_with_totp(world["supervisor"])
    return world["supervisor"]


def events(db, action: str) -> list[AuditEvent]:
    return db.session.execute(sa.select(AuditEvent).where(AuditEvent.action == action)
                              .order_by(AuditEvent.id)).scalars().all()


# --- figures and suppression -------------------------------------------------------------------------------

def test_the_page_shows_every_report_with_chart_and_table(client, everything, supervisor):
    response = client.get(f"/rapportages?{QUERY}")
    assert response.status_code == 200
    html = response.get_data(as_text=True)
    tables = page_tables(response)
    assert list(tables) == list(REPORTS)
    for name in REPORTS:
        assert f'id="rapport-{name}"' in html
        assert f"/rapportages/{name}.csv?van=01-01-2025&amp;tot=30-06-2025" in html
        assert f"/rapportages/{name}.xlsx?van=01-01-2025&amp;tot=30-06-2025" in html
    assert html.count('<svg class="casus-chart"') == len(REPORTS)
    assert html.count('role="img"') == len(REPORTS)
    assert 'style="' not in html and "<script" not in html
    assert tables["gemeenten"] == [["Gemeente", "Aantal casussen"], ["Utrecht", "9"], ["Zeist", "5"],
                                   ["Totaal", "–"]]
    assert tables["fasen"][2] == ["Triage", "<5"]
    assert "&lt;5" in html and "Periode: 01-01-2025 tot en met 30-06-2025." in html


def test_a_withheld_value_draws_no_bar(client, everything, supervisor):
    html = client.get(f"/rapportages?{QUERY}").get_data(as_text=True)
    chart = html[html.index('id="rapport-voordrachten"'):]
    chart = chart[:chart.index("</svg>")]
    assert chart.count('<rect class="casus-chart__bar') == 1  # only aangenomen (5) has a bar
    assert chart.count(">&lt;5</text>") == 4


def test_screen_csv_xlsx_and_api_show_the_same_suppressed_figures(client, api, everything, supervisor):
    assert same_everywhere(client, api, supervisor) >= 15


def test_medians_are_the_same_everywhere_too(client, api, durations, supervisor):
    assert same_everywhere(client, api, supervisor) >= 1
    rows = page_tables(client.get(f"/rapportages?{QUERY}"))["doorlooptijd"]
    assert rows[1] == ["Signalering", "5", "3,0", "7,6"]
    assert rows[2] == ["Triage", "<5", "–", "–"]


def same_everywhere(client, api, supervisor) -> int:
    """Compare every report's table on the page with its CSV, XLSX (alone and in the workbook) and API
    figures; answer how many cells say <5."""
    screen = page_tables(client.get(f"/rapportages?{QUERY}"))
    workbook = xlsx_sheets(client.get(f"/rapportages/alle.xlsx?{QUERY}"))
    assert len(workbook.sheetnames) == len(REPORTS)
    withheld = 0
    for name, sheet_name in zip(REPORTS, workbook.sheetnames, strict=True):
        on_screen = screen[name]
        assert csv_rows(client.get(f"/rapportages/{name}.csv?{QUERY}")) == on_screen, name
        single = xlsx_sheets(client.get(f"/rapportages/{name}.xlsx?{QUERY}"))
        assert sheet_rows(single.active) == on_screen, name
        assert sheet_rows(workbook[sheet_name]) == on_screen, name
        body = api(supervisor, "GET", f"/reports/{name}?from=2025-01-01&to=2025-06-30").get_json()
        api_rows = [[row["label"], *(cell["display"] for cell in row["cells"])]
                    for row in body["rows"] + ([body["total"]] if body["total"] else [])]
        assert api_rows == on_screen[1:], name
        withheld += sum(cell == "<5" for row in on_screen for cell in row)
    return withheld


def test_xlsx_holds_numbers_and_a_bold_header(client, stand, supervisor, threshold):
    threshold(1)
    workbook = xlsx_sheets(client.get(f"/rapportages/gemeenten.xlsx?{QUERY}"))
    sheet = workbook.active
    assert sheet.title == "Gemeenten"
    assert [sheet["A1"].value, sheet["B1"].value] == ["Gemeente", "Aantal casussen"]
    assert sheet["A1"].font.bold and sheet["B1"].font.bold
    assert [sheet["A2"].value, sheet["B2"].value, sheet["B4"].value] == ["Utrecht", 9, 14]
    notes = [sheet.cell(row=row, column=1).value for row in range(6, 12)]
    assert "Periode: 01-01-2025 tot en met 30-06-2025" in notes
    assert "Team: alle teams" in notes


def test_csv_is_dutch_excel_csv_with_a_dated_attachment_name(client, stand, supervisor):
    response = client.get(f"/rapportages/instroom.csv?{QUERY}")
    assert response.status_code == 200
    assert response.headers["Content-Type"] == "text/csv; charset=utf-8"  # one charset, not two
    assert response.headers["Content-Disposition"] == (
        f'attachment; filename="casus-rapportage-instroom-{today().isoformat()}.csv"')
    rows = csv_rows(response)
    assert rows[0] == ["Maand", "Instroom (nieuwe casussen)", "Uitstroom (afgesloten casussen)"]
    assert rows[1] == ["januari 2025", "<5", "0"]
    assert rows[-1] == ["Totaal", "–", "<5"]
    xlsx = client.get(f"/rapportages/alle.xlsx?{QUERY}")
    assert xlsx.headers["Content-Disposition"].endswith(f'casus-rapportage-alle-{today().isoformat()}.xlsx"')
    assert xlsx.headers["Content-Type"] == "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet"


def test_no_case_references_titles_or_names_in_any_output(client, api, everything, supervisor, db):
    references = db.session.execute(sa.select(Case.reference, Case.title)).all()
    html = client.get(f"/rapportages?{QUERY}").get_data(as_text=True)
    outputs = [html[html.index("<main"):html.index("</main>")]]
    for name in REPORTS:
        outputs.append(client.get(f"/rapportages/{name}.csv?{QUERY}").get_data().decode("utf-8"))
        outputs.append(api(supervisor, "GET", f"/reports/{name}?from=2025-01-01&to=2025-06-30")
                       .get_data(as_text=True))
    workbook = xlsx_sheets(client.get(f"/rapportages/alle.xlsx?{QUERY}"))
    outputs.append(" ".join(str(cell) for sheet in workbook for row in sheet.iter_rows(values_only=True)
                            for cell in row))
    for output in outputs:
        for reference, title in references:
            assert reference not in output and f">{title}<" not in output
        assert "Sanne Supervisor" not in output


def test_a_name_that_looks_like_a_formula_stays_text(client, world, add_case, supervisor, threshold):
    threshold(1)
    add_case(world["team_a"], "triage", datetime(2025, 2, 1, 9, tzinfo=UTC), gemeente="=HYPERLINK(\"x\")")
    rows = csv_rows(client.get(f"/rapportages/gemeenten.csv?{QUERY}"))
    assert rows[1] == ["'=HYPERLINK(\"x\")", "1"]
    sheet = xlsx_sheets(client.get(f"/rapportages/gemeenten.xlsx?{QUERY}")).active
    assert sheet["A2"].data_type == "s"


# --- filters -----------------------------------------------------------------------------------------------

def test_without_filters_the_last_twelve_months(client, world, supervisor):
    html = client.get("/rapportages").get_data(as_text=True)
    day = today()
    month = day.year * 12 + day.month - 12
    start = f"01-{month % 12 + 1:02d}-{month // 12}"
    assert f"Periode: {start} tot en met {day.strftime('%d-%m-%Y')}." in html


def test_the_team_and_category_filters(client, stand, supervisor, categories, threshold):
    threshold(1)
    team = stand["team_a"].id
    tables = page_tables(client.get(f"/rapportages?{QUERY}&team={team}&categorie={categories['jeugd'].id}"))
    assert tables["fasen"][-1] == ["Totaal", "3"]
    assert tables["categorieen"][1:] == [["Jeugd", "3"], ["Totaal", "3"]]


@pytest.mark.parametrize(("args", "message"), [
    ({"van": "31-02-2025"}, "Vul een datum in als dd-mm-jjjj"),
    ({"van": "morgen"}, "Vul een datum in als dd-mm-jjjj"),
    ({"van": "01-07-2025", "tot": "30-06-2025"}, "De begindatum ligt na de einddatum."),
    ({"van": "01-01-2001", "tot": "30-06-2025"}, "Kies een periode van hoogstens tien jaar."),
    ({"van": "01-01-1900", "tot": "30-06-1900"}, "Kies een datum tussen 2000 en 2100."),
    ({"team": "abc"}, "Kies een waarde uit de lijst."),
    ({"categorie": "999999"}, "Kies een waarde uit de lijst."),
])
def test_bad_filters_give_dutch_form_errors(client, world, supervisor, args, message):
    response = client.get(f"/rapportages?{urlencode(args)}")
    assert response.status_code == 400
    html = response.get_data(as_text=True)
    assert message in html and "Controleer de gemarkeerde velden" in html
    assert 'id="rapport-fasen"' not in html
    download = client.get(f"/rapportages/fasen.csv?{urlencode(args)}")
    assert download.status_code == 400 and message in download.get_data(as_text=True)


def test_another_teams_id_is_not_a_choice(client, world, supervisor):
    response = client.get(f"/rapportages?team={world['team_b'].id}")
    assert response.status_code == 400
    assert "Kies een waarde uit de lijst." in response.get_data(as_text=True)


def test_unknown_reports_and_formats_are_404(client, world, supervisor):
    assert client.get("/rapportages/onbekend.csv").status_code == 404
    assert client.get("/rapportages/alle.csv").status_code == 404
    assert client.get("/rapportages/fasen.pdf").status_code == 404


# --- access and audit --------------------------------------------------------------------------------------

@pytest.mark.parametrize("role", ["partner", "procesregisseur", "beheerder", "privacy", "riec"])
def test_only_supervisors_read_reports(client, db, login_as, role):
    login_as(role)
    for url in ("/rapportages", "/rapportages/fasen.csv", "/rapportages/alle.xlsx"):
        assert client.get(url).status_code == 403, url
    denied = events(db, "report.view")
    assert len(denied) == 3 and {event.outcome for event in denied} == {Outcome.DENIED}


def test_anonymous_visitors_are_sent_to_the_login(client, db):
    response = client.get("/rapportages")
    assert response.status_code == 302 and "/inloggen" in response.headers["Location"]


def test_the_menu_shows_reports_to_supervisors(client, world, supervisor):
    assert 'href="/rapportages"' in client.get("/").get_data(as_text=True)


def test_views_and_downloads_are_audited_with_report_filters_and_format(client, db, world, supervisor):
    client.get(f"/rapportages?{QUERY}&team={world['team_a'].id}")
    client.get(f"/rapportages/fasen.csv?{QUERY}")
    client.get(f"/rapportages/alle.xlsx?{QUERY}")
    [view] = events(db, "report.view")
    assert view.user_id == supervisor.id and view.object_type == "report"
    assert view.details == {"report": "alle", "format": "html", "filters": {
        "from": "2025-01-01", "to": "2025-06-30", "teamId": world["team_a"].id, "categoryId": None}}
    exports = events(db, "report.export")
    assert [(event.details["report"], event.details["format"]) for event in exports] == [
        ("fasen", "csv"), ("alle", "xlsx")]


def test_the_page_costs_the_same_number_of_queries_for_one_case_or_many(
        client, world, add_case, supervisor, count_queries, durations, actions, escalations, voordrachten):
    counts = []
    for extra in (0, 12):
        for _ in range(extra):
            add_case(world["team_a"], "aanpak.plan", datetime(2025, 3, 3, 9, tzinfo=UTC), gemeente=f"Plaats {_}")
        client.get(f"/rapportages?{QUERY}")  # warm up
        with count_queries() as counter:
            assert client.get(f"/rapportages?{QUERY}").status_code == 200
        counts.append(counter.count)
    assert counts[0] == counts[1], counts
    assert counts[0] <= 20, counts
