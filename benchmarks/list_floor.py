"""The list floor: a minimal Flask app serving a 25-row case list from the benchmark's own database.

No login, no policy, no audit, no translations: one SQLAlchemy Core query over ``cases`` joined with
``categories`` and ``teams`` (inner) and ``users`` (the procesregisseur, outer), ordered like the first page of
Casus's case list (``updated_at`` descending, then ``id``), keyset-paged with an opaque ``na`` cursor, rendered
by a Jinja template. Served by gunicorn with the same workers and bind settings as Casus, on the same seeded
database, driven by the same load clients: what a plain list page costs on this machine and this data, so every
Casus endpoint can be read against it (``× list floor``) as well as against the bare "hello" floor.

``create_app(url)`` builds it (gunicorn: ``benchmarks.list_floor:create_app()``, the URL from
``CASUS_DATABASE_URL``); ``time_in_process`` times single requests with the Flask test client, the same way
the benchmark times Casus's pages in-process.
"""

from __future__ import annotations

import base64
import json
import os
import re
import time
from datetime import UTC, datetime

import sqlalchemy as sa
from flask import Flask, request

PAGE_SIZE = 25

metadata = sa.MetaData()
# Only the columns the page shows; the tables are Casus's (created by its migrations, filled by casus seed).
categories = sa.Table("categories", metadata, sa.Column("id", sa.Integer, primary_key=True),
                      sa.Column("name", sa.String))
teams = sa.Table("teams", metadata, sa.Column("id", sa.Integer, primary_key=True), sa.Column("name", sa.String))
users = sa.Table("users", metadata, sa.Column("id", sa.Integer, primary_key=True), sa.Column("name", sa.String))
cases = sa.Table(
    "cases", metadata, sa.Column("id", sa.Integer, primary_key=True), sa.Column("reference", sa.String),
    sa.Column("title", sa.String), sa.Column("phase", sa.String), sa.Column("risk_level", sa.String),
    sa.Column("category_id", sa.Integer, sa.ForeignKey("categories.id")),
    sa.Column("team_id", sa.Integer, sa.ForeignKey("teams.id")),
    sa.Column("procesregisseur_id", sa.Integer, sa.ForeignKey("users.id")),
    sa.Column("next_review_on", sa.Date), sa.Column("updated_at", sa.DateTime(timezone=True)))

TEMPLATE = """<!doctype html>
<html lang="nl"><head><meta charset="utf-8"><title>Casussen</title></head>
<body><main><h1>Casussen</h1>
<table><thead><tr><th>Referentie</th><th>Titel</th><th>Categorie</th><th>Team</th><th>Fase</th><th>Risico</th>
<th>Procesregisseur</th><th>Herbeoordeling</th><th>Gewijzigd</th></tr></thead>
<tbody>
{%- for row in rows %}
<tr><th scope="row"><a href="/casussen/{{ row.id }}">{{ row.reference }}</a></th><td>{{ row.title }}</td>
<td>{{ row.category }}</td><td>{{ row.team }}</td><td>{{ row.phase }}</td><td>{{ row.risk_level }}</td>
<td>{{ row.procesregisseur or "nog niet toegewezen" }}</td>
<td>{{ row.next_review_on.strftime("%d-%m-%Y") if row.next_review_on else "" }}</td>
<td>{{ row.updated_at.strftime("%d-%m-%Y %H:%M") }}</td></tr>
{%- endfor %}
</tbody></table>
{% if next_cursor %}<nav><a rel="next" href="/?na={{ next_cursor }}">Volgende</a></nav>{% endif %}
</main></body></html>
"""


def encode_cursor(updated_at: datetime, row_id: int) -> str:
    text = json.dumps([updated_at.isoformat(), row_id])
    return base64.urlsafe_b64encode(text.encode()).decode().rstrip("=")


def decode_cursor(cursor: str | None) -> tuple[datetime, int] | None:
    """The (updated_at, id) in a cursor; None (the first page) when it does not decode."""
    if not cursor:
        return None
    try:
        key, row_id = json.loads(base64.urlsafe_b64decode(cursor + "=" * (-len(cursor) % 4)))
        return datetime.fromisoformat(key), int(row_id)
    except (ValueError, TypeError):
        return None


def page_query(after: tuple[datetime, int] | None, limit: int = PAGE_SIZE, *, naive_utc: bool = False) -> sa.Select:
    """One page of the list: the three joins, newest change first, after the cursor's row (keyset). SQLite stores
    naive UTC (``naive_utc``), PostgreSQL compares aware values."""
    query = (sa.select(cases.c.id, cases.c.reference, cases.c.title, cases.c.phase, cases.c.risk_level,
                       cases.c.next_review_on, cases.c.updated_at, categories.c.name.label("category"),
                       teams.c.name.label("team"), users.c.name.label("procesregisseur"))
             .select_from(cases.join(categories, categories.c.id == cases.c.category_id)
                          .join(teams, teams.c.id == cases.c.team_id)
                          .outerjoin(users, users.c.id == cases.c.procesregisseur_id))
             .order_by(cases.c.updated_at.desc(), cases.c.id.desc()).limit(limit))
    if after is not None:
        value, row_id = after
        if naive_utc and value.tzinfo is not None:
            value = value.astimezone(UTC).replace(tzinfo=None)
        query = query.where(cases.c.updated_at <= value, sa.or_(
            cases.c.updated_at < value, sa.and_(cases.c.updated_at == value, cases.c.id < row_id)))
    return query


def engine_for(url: str) -> sa.Engine:
    """An engine like Casus's on the same database: SQLite with a busy timeout (the file is already in WAL mode),
    PostgreSQL through psycopg."""
    if url.startswith("sqlite"):
        engine = sa.create_engine(url, connect_args={"timeout": 15})

        @sa.event.listens_for(engine, "connect")
        def _pragmas(dbapi_connection, _record):
            dbapi_connection.execute("PRAGMA busy_timeout = 15000")

        return engine
    return sa.create_engine(url, pool_pre_ping=True)


def create_app(url: str | None = None) -> Flask:
    app = Flask(__name__)
    url = url or os.environ["CASUS_DATABASE_URL"]
    engine = engine_for(url)
    sqlite = url.startswith("sqlite")
    template = app.jinja_env.from_string(TEMPLATE)

    @app.get("/")
    def index():
        with engine.connect() as connection:
            rows = connection.execute(page_query(decode_cursor(request.args.get("na")), PAGE_SIZE + 1,
                                                 naive_utc=sqlite)).all()
        more = len(rows) > PAGE_SIZE
        rows = rows[:PAGE_SIZE]
        next_cursor = encode_cursor(rows[-1].updated_at, rows[-1].id) if more else None
        return template.render(rows=rows, next_cursor=next_cursor)

    app.extensions["list_floor_engine"] = engine
    return app


ROW = re.compile(r'<tr><th scope="row">')


def rows_on(page: str) -> int:
    """How many case rows a rendered page holds."""
    return len(ROW.findall(page))


def time_in_process(url: str, repeats: int = 5) -> dict:
    """The median of ``repeats - 1`` single requests of page 1 with the Flask test client after one warm-up (as
    ``benchmarks.scenario.measure_in_process`` times Casus's pages), and the rows on the page."""
    app = create_app(url)
    client = app.test_client()
    body = client.get("/").get_data(as_text=True)
    timings = []
    for _ in range(max(1, repeats - 1)):
        began = time.perf_counter()
        client.get("/")
        timings.append((time.perf_counter() - began) * 1000)
    app.extensions["list_floor_engine"].dispose()
    return {"queries": 1, "single_ms": sorted(timings)[len(timings) // 2], "rows": rows_on(body)}
