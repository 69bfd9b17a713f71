"""Least privilege in the database: the grants of the runtime role (docs/OPERATIONS.md, "Database roles").

On PostgreSQL two roles share the work. The **owner** owns the schema and its tables and runs the migrations
(``CASUS_MIGRATION_DATABASE_URL``); the **runtime** role is the one the application connects as
(``CASUS_DATABASE_URL``) and owns nothing. It may read and write the ordinary tables, but only INSERT and SELECT
the audit tables: no UPDATE, DELETE or TRUNCATE, and — owning no table — no ALTER, DROP or disabling a trigger;
``SET session_replication_role`` needs a superuser, which it is not. So whoever holds the application's
credentials cannot rewrite the audit log (BIO 12.4: logs protected against tampering).

:func:`grant_runtime` (re)applies those grants to the connection's current schema (the first of its
``search_path``), idempotently, including the default privileges for what the owner creates there later.
"""

from __future__ import annotations

from dataclasses import dataclass

import sqlalchemy as sa

# Evidence: written once, never changed. Their UPDATE and DELETE are also refused by a trigger
# (casus.audit.models), which the runtime role cannot disable. tests/test_database_roles.py checks that every
# audit table and every table with an append-only trigger is here.
INSERT_ONLY_TABLES = frozenset({"audit_events", "audit_chain", "audit_seals", "audit_shown_cases",
                                "audit_verifications", "destruction_declarations"})
INSERT_ONLY_PRIVILEGES = "SELECT, INSERT"
TABLE_PRIVILEGES = "SELECT, INSERT, UPDATE, DELETE"
# nextval() for the id columns; not UPDATE, which would allow setval().
SEQUENCE_PRIVILEGES = "USAGE"


NOT_APPLICABLE = "Niet van toepassing op SQLite: een SQLite-bestand kent geen databaserollen."


class GrantRefused(Exception):
    """The grants cannot be applied as asked; the message says why and what to do."""


def check_applicable(url: str) -> None:
    """Refuse a database without roles (SQLite) before connecting to it: connecting would create the file."""
    if sa.engine.make_url(url).get_backend_name() != "postgresql":
        raise GrantRefused(NOT_APPLICABLE)


@dataclass(frozen=True)
class Granted:
    schema: str
    tables: int
    insert_only: tuple[str, ...]
    sequences: int
    # The role may still create objects in the schema (granted to PUBLIC, as on PostgreSQL before 15): it could
    # put a table of its own in front of one of ours in the search_path.
    may_create: bool


def grant_runtime(connection: sa.Connection, role: str) -> Granted:
    """Give ``role`` exactly the runtime rights on the current schema; ``connection`` must be its owner's.

    Run inside a transaction: all grants apply or none.
    """
    if connection.dialect.name != "postgresql":
        raise GrantRefused(NOT_APPLICABLE)
    schema = _scalar(connection, "SELECT current_schema()")
    if schema is None:
        raise GrantRefused("Het search_path van de verbinding noemt geen bestaand schema.")
    _check_roles(connection, role, schema)
    tables = _owned(connection, schema, "r", "p")
    if not tables:
        raise GrantRefused(f"Schema {schema} heeft nog geen tabellen: voer eerst 'casus db upgrade' uit.")
    insert_only = sorted(INSERT_ONLY_TABLES & set(tables))
    quote = connection.dialect.identifier_preparer.quote_identifier
    grantee, where = quote(role), quote(schema)
    statements = [
        f"REVOKE ALL ON SCHEMA {where} FROM {grantee}",
        f"GRANT USAGE ON SCHEMA {where} TO {grantee}",
        f"REVOKE ALL ON ALL TABLES IN SCHEMA {where} FROM {grantee}",
        f"GRANT {TABLE_PRIVILEGES} ON ALL TABLES IN SCHEMA {where} TO {grantee}",
        *(f"REVOKE UPDATE, DELETE ON {where}.{quote(table)} FROM {grantee}" for table in insert_only),
        f"REVOKE ALL ON ALL SEQUENCES IN SCHEMA {where} FROM {grantee}",
        f"GRANT {SEQUENCE_PRIVILEGES} ON ALL SEQUENCES IN SCHEMA {where} TO {grantee}",
        # What the owner creates later (a migration's new table) is usable at once. A new audit table gets its
        # append-only trigger from its migration; running this command again after an upgrade narrows it to
        # INSERT and SELECT (docs/OPERATIONS.md).
        f"ALTER DEFAULT PRIVILEGES IN SCHEMA {where} REVOKE ALL ON TABLES FROM {grantee}",
        f"ALTER DEFAULT PRIVILEGES IN SCHEMA {where} GRANT {TABLE_PRIVILEGES} ON TABLES TO {grantee}",
        f"ALTER DEFAULT PRIVILEGES IN SCHEMA {where} REVOKE ALL ON SEQUENCES FROM {grantee}",
        f"ALTER DEFAULT PRIVILEGES IN SCHEMA {where} GRANT {SEQUENCE_PRIVILEGES} ON SEQUENCES TO {grantee}",
    ]
    for statement in statements:
        connection.exec_driver_sql(statement)
    may_create = _scalar(connection, "SELECT has_schema_privilege(:role, :schema, 'CREATE')",
                         role=role, schema=schema)
    return Granted(schema=schema, tables=len(tables), insert_only=tuple(insert_only),
                   sequences=len(_owned(connection, schema, "S")), may_create=bool(may_create))


def _check_roles(connection: sa.Connection, role: str, schema: str) -> None:
    """Refuse a grant that would not make ``role`` a runtime role, or that the connecting role cannot give."""
    me = _scalar(connection, "SELECT current_user")
    found = connection.execute(sa.text("SELECT rolsuper FROM pg_roles WHERE rolname = :role"), {"role": role}).first()
    if found is None:
        raise GrantRefused(f"Onbekende rol: {role}. Maak haar eerst aan (CREATE ROLE {role} LOGIN).")
    if found.rolsuper:
        raise GrantRefused(f"Rol {role} is superuser: die omzeilt elke beperking. Kies een gewone rol.")
    owners = connection.execute(sa.text(
        "SELECT DISTINCT pg_get_userbyid(c.relowner) FROM pg_class c JOIN pg_namespace n ON n.oid = c.relnamespace "
        "WHERE n.nspname = :schema AND c.relkind IN ('r', 'p', 'S')"), {"schema": schema}).scalars().all()
    others = sorted(set(owners) - {me})
    if others:
        raise GrantRefused(f"De verbinding meldt zich aan als {me}, maar de tabellen in schema {schema} zijn van "
                           f"{', '.join(others)}. Voer dit uit als de eigenaar (CASUS_MIGRATION_DATABASE_URL).")
    if role == me:
        raise GrantRefused(f"Rol {role} is de eigenaar zelf (de verbinding meldt zich als {role} aan). "
                           f"De runtime-rol moet een andere rol zijn.")
    inherits = _scalar(connection, (
        "SELECT pg_has_role(:role, :owner, 'MEMBER') OR pg_has_role(:role, nspowner, 'MEMBER') "
        "FROM pg_namespace WHERE nspname = :schema"), role=role, owner=me, schema=schema)
    if inherits:
        raise GrantRefused(f"Rol {role} is lid van de eigenaar van schema {schema} of van zijn tabellen en erft "
                           f"daarmee alle rechten. De runtime-rol mag niets bezitten.")


def _owned(connection: sa.Connection, schema: str, *kinds: str) -> list[str]:
    return connection.execute(sa.text(
        "SELECT c.relname FROM pg_class c JOIN pg_namespace n ON n.oid = c.relnamespace "
        "WHERE n.nspname = :schema AND c.relkind IN :kinds ORDER BY c.relname").bindparams(
        sa.bindparam("kinds", expanding=True)), {"schema": schema, "kinds": list(kinds)}).scalars().all()


def _scalar(connection: sa.Connection, statement: str, **parameters):
    return connection.execute(sa.text(statement), parameters).scalar()
