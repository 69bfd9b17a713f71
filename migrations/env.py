import logging
from contextlib import contextmanager
from logging.config import fileConfig

import sqlalchemy as sa
from alembic import context
from flask import current_app

# this is the Alembic Config object, which provides
# access to the values within the .ini file in use.
config = context.config

# Interpret the config file for Python logging.
# This line sets up loggers basically.
fileConfig(config.config_file_name, disable_existing_loggers=False)
logger = logging.getLogger('alembic.env')


_owner_engine = None


def get_engine():
    """The application's engine, or — with CASUS_MIGRATION_DATABASE_URL set — one connecting as the schema's
    owner: migrations run as the owner, the application as a runtime role that may not change the schema
    (docs/OPERATIONS.md, "Database roles")."""
    global _owner_engine
    owner_url = current_app.config["CASUS"].migration_database_url
    if not owner_url:
        return current_app.extensions['migrate'].db.engine
    if _owner_engine is None:
        # No pool: the connection closes when the migration ends.
        _owner_engine = sa.create_engine(owner_url, poolclass=sa.pool.NullPool)
    return _owner_engine


def get_engine_url():
    try:
        return get_engine().url.render_as_string(hide_password=False).replace(
            '%', '%%')
    except AttributeError:
        return str(get_engine().url).replace('%', '%%')


# add your model's MetaData object here
# for 'autogenerate' support
# from myapp import mymodel
# target_metadata = mymodel.Base.metadata
config.set_main_option('sqlalchemy.url', get_engine_url())
target_db = current_app.extensions['migrate'].db

# other values from the config, defined by the needs of env.py,
# can be acquired:
# my_important_option = config.get_main_option("my_important_option")
# ... etc.


def get_metadata():
    if hasattr(target_db, 'metadatas'):
        return target_db.metadatas[None]
    return target_db.metadata


def run_migrations_offline():
    """Run migrations in 'offline' mode.

    This configures the context with just a URL
    and not an Engine, though an Engine is acceptable
    here as well.  By skipping the Engine creation
    we don't even need a DBAPI to be available.

    Calls to context.execute() here emit the given string to the
    script output.

    """
    url = config.get_main_option("sqlalchemy.url")
    context.configure(
        url=url, target_metadata=get_metadata(), literal_binds=True
    )

    with context.begin_transaction():
        context.run_migrations()


def run_migrations_online():
    """Run migrations in 'online' mode.

    In this scenario we need to create an Engine
    and associate a connection with the context.

    """

    # this callback is used to prevent an auto-migration from being generated
    # when there are no changes to the schema
    # reference: http://alembic.zzzcomputing.com/en/latest/cookbook.html
    def process_revision_directives(context, revision, directives):
        if getattr(config.cmd_opts, 'autogenerate', False):
            script = directives[0]
            if script.upgrade_ops.is_empty():
                directives[:] = []
                logger.info('No changes in schema detected.')

    conf_args = current_app.extensions['migrate'].configure_args
    if conf_args.get("process_revision_directives") is None:
        conf_args["process_revision_directives"] = process_revision_directives

    connectable = get_engine()

    from casus.search.schema import is_index_object

    # The search index (GIN indexes, FTS5 tables) is not in the models: autogenerate must not drop it.
    conf_args.setdefault("include_name", lambda name, _type, _parents: not is_index_object(name))

    with connectable.connect() as connection:
        context.configure(
            connection=connection,
            target_metadata=get_metadata(),
            **conf_args
        )

        with _sqlite_foreign_keys_off(connection), context.begin_transaction():
            context.run_migrations()


@contextmanager
def _sqlite_foreign_keys_off(connection):
    """On SQLite, batch migrations copy a table, drop the original and rename the copy. With foreign keys on,
    dropping ``cases`` would cascade (ON DELETE CASCADE) and empty every table that points at it. So: keys off
    while migrating (a PRAGMA only works outside a transaction, hence the raw connection), then check that
    every reference still holds, and keys on again before the connection goes back to the pool."""
    if connection.dialect.name != "sqlite":
        yield
        return
    raw = connection.connection.dbapi_connection
    raw.execute("PRAGMA foreign_keys=OFF")
    try:
        yield
        violations = raw.execute("PRAGMA foreign_key_check").fetchall()
        if violations:
            raise RuntimeError(f"migration broke {len(violations)} foreign key reference(s): {violations[:5]}")
        # A copied table loses its statistics, and without them SQLite can pick a plan that sorts every
        # visible case for one list page (docs/PERFORMANCE.md): gather them again.
        raw.execute("ANALYZE")
    finally:
        raw.execute("PRAGMA foreign_keys=ON")


if context.is_offline_mode():
    run_migrations_offline()
else:
    run_migrations_online()
