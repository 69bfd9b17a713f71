"""``casus seed --cases N [--seed 42]``: fill the database with N synthetic cases and the region they live in.

Rows are built as plain dictionaries with precomputed ids and inserted in bulk, ``batch_size`` cases per batch,
one commit per batch (the benchmark seeds 100,000 cases). Case and signal references are reserved from the
application's reference counter, so cases opened later never collide. The seed is an offline tool: run it while
nobody else writes to the database.

Determinism: the same seed number on the same starting database gives the same data (dates are relative to
today). The region (organisations, teams, users) does not depend on it, so a second run reuses it.
"""

from __future__ import annotations

import random
from collections.abc import Callable, Iterable
from dataclasses import dataclass, field

import sqlalchemy as sa
from faker import Faker

from casus.cases.categories import ensure_standard_categories
from casus.cases.models import Case, Category
from casus.clock import cadences, local_zone, today
from casus.database import utcnow
from casus.extensions import db
from casus.retention import terms
from casus.retention.models import RetentionTerm
from casus_seed.cases import CaseFactory
from casus_seed.context import SeedContext
from casus_seed.documents import add_documents
from casus_seed.draws import weighted
from casus_seed.region import ensure_region
from casus_seed.skeletons import make_skeletons, reserve_references
from casus_seed.subjects import NamePools


@dataclass
class SeedSummary:
    cases: int = 0
    signals: int = 0
    subjects: int = 0
    actions: int = 0
    users_created: int = 0
    seconds: float = 0.0
    counts: dict[str, int] = field(default_factory=dict)


def seed(cases: int, seed: int | None = None, *, batch_size: int = 2000,
         progress: Callable[[int], None] | None = None, featured_user_ids: Iterable[int] = ()) -> SeedSummary:
    """Fill the database with ``cases`` synthetic cases (and the region they live in). Commits per batch."""
    started = utcnow()
    seed = random.SystemRandom().randrange(2**31) if seed is None else seed
    rng = random.Random(seed)
    fake = Faker("nl_NL")
    fake.seed_instance(seed)
    ensure_standard_categories()
    region = ensure_region()
    db.session.commit()
    first_case_id = db.session.execute(sa.select(sa.func.coalesce(sa.func.max(Case.id), 0))).scalar_one()
    categories = {c.code: c for c in db.session.execute(
        sa.select(Category).where(Category.active.is_(True)).order_by(Category.id)).scalars()}
    local_today, now = today(), utcnow()
    skeletons = make_skeletons(rng, cases, categories, [w for _t, w in region.teams], local_today)
    signal_counts = [int(weighted(rng, ((1, 60), (2, 30), (3, 10)))) for _ in skeletons]
    loose = max(1, cases // 30) if cases else 0

    # Reserve every reference up front, per year, in opening order.
    case_refs, signal_refs, loose_refs = reserve_references(skeletons, signal_counts, loose, local_today)
    db.session.commit()

    ctx = SeedContext(rng, region, local_today, now, local_zone(), cadences(), set(featured_user_ids))
    factory = CaseFactory(ctx, NamePools(fake), categories)
    for start in range(0, len(skeletons), batch_size):
        batch = skeletons[start:start + batch_size]
        for offset, skeleton in enumerate(batch):
            index = start + offset
            factory.build(skeleton, case_refs[index], signal_refs[index])
        _widen_sqlite_cache()
        ctx.flush()
        db.session.commit()
        if progress:
            progress(len(batch))
    codes = list(categories)
    for reference in loose_refs:
        code = rng.choice(codes)
        factory.loose_signal(reference, categories[code], code)
    ctx.flush()
    db.session.commit()
    documents = add_documents(region, seed, first_case_id)  # through the storage, after the cases are in
    _date_closed_cases()
    ctx.audit(None, "seed.run", "database", None, None, utcnow(), {"cases": cases, "seed": seed})
    ctx.flush()
    db.session.commit()
    if cases >= 1000:
        _refresh_statistics()
    totals = ctx.totals
    return SeedSummary(cases=totals.get("cases", 0), signals=totals.get("signals", 0),
                       subjects=totals.get("subjects", 0), actions=totals.get("actions", 0),
                       users_created=region.users_created, counts={**totals, "documents": documents},
                       seconds=(utcnow() - started).total_seconds())


# SQLite's page cache for the seed's connection, in KiB. Its default (2 MB) is what made a large seed slow down:
# past some 350,000 cases every batch read the indexes it inserted into through system calls, page by page
# (at 688,000 cases 4,000 cases took 148 s with the default and 29 s with this; docs/PERFORMANCE.md).
SQLITE_SEED_CACHE_KIB = 1024 * 1024


def _widen_sqlite_cache() -> None:
    """Give the connection this batch inserts through a large page cache (a limit, filled only as pages are read);
    per batch, because a commit may hand the next batch another pooled connection."""
    if db.session.get_bind().dialect.name == "sqlite":
        db.session.execute(sa.text(f"PRAGMA cache_size=-{SQLITE_SEED_CACHE_KIB}"))


def _date_closed_cases() -> None:
    """The closed cases' archive fields, as closing them through the workflow would have set them: every
    category's retention term (made from the defaults, unconfirmed) recomputed over its closed cases, one UPDATE
    per category whatever the number of cases."""
    terms.ensure_terms()
    for term in db.session.execute(sa.select(RetentionTerm).where(RetentionTerm.category_id.is_not(None))).scalars():
        terms.recompute(term)


def _refresh_statistics() -> None:
    """Fresh statistics after a bulk load, so the query planner picks the right indexes. On PostgreSQL also
    VACUUM (outside a transaction), as autovacuum would soon after: the visibility map lets counts over an index
    skip the table (index-only scans)."""
    if db.engine.dialect.name == "postgresql":
        with db.engine.connect().execution_options(isolation_level="AUTOCOMMIT") as connection:
            connection.exec_driver_sql("VACUUM ANALYZE")
    else:
        db.session.execute(sa.text("ANALYZE"))
        db.session.commit()
