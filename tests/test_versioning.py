"""casus.versioning: the version compare before a change, and a lost race at the flush, both as StaleVersion."""

import pytest
import sqlalchemy as sa

from casus.cases.models import Case
from casus.services import ServiceError
from casus.versioning import StaleVersion, check_version, flush_versioned


def test_the_version_read_passes_and_none_is_for_internal_callers(db, make_case):
    case = make_case()
    check_version(case, case.version)
    check_version(case, str(case.version))  # a form field's text
    check_version(case, None)


def test_another_version_is_refused_with_409_and_the_stored_version(db, make_case):
    case = make_case()
    with pytest.raises(StaleVersion) as refused:
        check_version(case, case.version - 1)
    assert isinstance(refused.value, ServiceError) and refused.value.status == 409
    assert refused.value.current_version == case.version
    assert "intussen door iemand anders gewijzigd" in refused.value.message


def test_a_flush_raises_the_version(db, make_case):
    case = make_case()
    before = case.version
    case.title = "Een nieuwe titel"
    flush_versioned(case)
    assert case.version == before + 1


def test_an_update_that_matches_no_row_is_a_stale_version(db, make_case):
    case = make_case()
    # Another writer committed first: the stored version moved on under the loaded object.
    db.session.execute(sa.update(Case.__table__).where(Case.__table__.c.id == case.id)
                       .values(version=Case.__table__.c.version + 1))
    case.title = "Mijn wijziging"
    with pytest.raises(StaleVersion) as refused:
        flush_versioned(case)
    assert refused.value.status == 409
