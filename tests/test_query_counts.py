"""Query counts of the access checks and the grant services, which must not grow with the data.

Counts leave out transaction control (BEGIN, COMMIT, SAVEPOINT, RELEASE), because the test's own
transaction turns each service's `atomic()` into a savepoint that production does not pay for.
`manage.py bench_access` measures the times on large data; docs/BENCHMARKS.md records them.
"""

import pytest
from django.contrib.contenttypes.models import ContentType
from django.core.paginator import Paginator
from django.db import connection
from django.test.utils import CaptureQueriesContext

from casemgmt.models import CaseDefinition, CaseInstance
from grants import services
from grants.levels import Level
from grants.policy import AccessChecker, cases_user_can_read, is_access_manager, level_of_user_on_case

pytestmark = pytest.mark.django_db

TRANSACTION_CONTROL = ("BEGIN", "COMMIT", "ROLLBACK", "SAVEPOINT", "RELEASE SAVEPOINT")
# Lock the target, the grant row and the subject, then write the grant and its record. The level
# permissions are read once per process, as the fixture warm_manager does.
MAX_SERVICE_QUERIES = 5


class CountedQueries(CaptureQueriesContext):
    """Capture the queries of a block and count those that are not transaction control."""

    @property
    def count(self):
        return sum(1 for query in self.captured_queries if not query["sql"].upper().startswith(TRANSACTION_CONTROL))


def count_queries(function, *args):
    with CountedQueries(connection) as queries:
        function(*args)
    return queries.count


def definition_with_cases(make_definition, count):
    """Create a definition with `count` cases in one INSERT, numbered as the model numbers them."""
    definition = make_definition(last_case_number=count)
    CaseInstance.objects.bulk_create(
        CaseInstance(definition=definition, number=f"{definition.case_prefix}-{number:06d}", title=f"Case {number}")
        for number in range(1, count + 1)
    )
    return definition


@pytest.fixture
def small_and_large(make_definition):
    return definition_with_cases(make_definition, 10), definition_with_cases(make_definition, 1000)


@pytest.fixture
def warm_manager(manager, make_definition):
    """The access manager with his permissions loaded, as after the first check of a request.

    The content types that guardian looks up on save and the level permissions are loaded too, as
    both are cached for the life of the process.
    """
    ContentType.objects.get_for_models(CaseDefinition, CaseInstance)
    assert is_access_manager(manager)
    services.grant(manager, manager, make_definition(), Level.READ)  # Reads the level permissions once.
    return manager


def test_grant_queries_same_at_10_and_1000_cases(warm_manager, user, small_and_large):
    counts = [
        count_queries(services.grant, warm_manager, user, definition, Level.READ) for definition in small_and_large
    ]

    assert counts[0] == counts[1]


def test_grant_at_most_five_queries(warm_manager, user, small_and_large):
    for definition in small_and_large:
        assert count_queries(services.grant, warm_manager, user, definition, Level.READ) <= MAX_SERVICE_QUERIES


def test_revoke_queries_same_at_10_and_1000_cases(warm_manager, group, small_and_large):
    for definition in small_and_large:
        services.grant(warm_manager, group, definition, Level.WRITE)

    counts = [count_queries(services.revoke, warm_manager, group, definition) for definition in small_and_large]

    assert counts[0] == counts[1]


def test_revoke_at_most_five_queries(warm_manager, group, small_and_large):
    for definition in small_and_large:
        services.grant(warm_manager, group, definition, Level.WRITE)

    for definition in small_and_large:
        assert count_queries(services.revoke, warm_manager, group, definition) <= MAX_SERVICE_QUERIES


def test_level_cold_one_query(user, group, case, definition, grant):
    user.groups.add(group)
    grant(group, definition, "read")

    with CountedQueries(connection) as queries:
        level = level_of_user_on_case(user, case)

    assert level == Level.READ
    assert queries.count <= 1


def test_level_cold_one_query_without_access(user, case):
    assert count_queries(level_of_user_on_case, user, case) <= 1


def test_prefetch_of_page_one_query(user, make_definition, grant):
    definition = definition_with_cases(make_definition, 60)
    grant(user, definition, "read")
    page = list(CaseInstance.objects.filter(definition=definition)[:50])

    assert count_queries(AccessChecker(user).prefetch, page) == 1


def test_prefetched_page_no_query_per_case(user, make_definition, grant):
    definition = definition_with_cases(make_definition, 60)
    hidden = definition_with_cases(make_definition, 10)
    grant(user, definition, "write")
    page = list(CaseInstance.objects.filter(definition__in=[definition, hidden])[:50])
    checker = AccessChecker(user)
    checker.prefetch(page)

    with CountedQueries(connection) as queries:
        levels = {case.pk: checker.level(case) for case in page}

    assert queries.count == 0
    assert {levels[case.pk] for case in page if case.definition_id == definition.pk} == {Level.WRITE}
    assert {levels[case.pk] for case in page if case.definition_id == hidden.pk} == {Level.NONE}


def test_remembered_page_no_query_per_case(user, group, make_definition, grant):
    user.groups.add(group)
    definition = definition_with_cases(make_definition, 60)
    grant(group, definition, "read")
    page = list(cases_user_can_read(user)[:50])
    checker = AccessChecker(user)
    checker.remember(page)

    with CountedQueries(connection) as queries:
        levels = [checker.level(case) for case in page]

    assert queries.count == 0
    assert set(levels) == {Level.READ}


def test_first_page_at_most_three_queries(user, group, make_definition, make_case, grant):
    user.groups.add(group)
    by_group = definition_with_cases(make_definition, 40)
    by_user = definition_with_cases(make_definition, 40)
    single = make_case()
    grant(group, by_group, "read")
    grant(user, by_user, "write")
    grant(user, single, "read")

    with CountedQueries(connection) as queries:
        page = Paginator(cases_user_can_read(user), 50).page(1)
        cases = list(page)
        checker = AccessChecker(user)
        checker.remember(cases)
        levels = [checker.level(case) for case in cases]

    assert queries.count <= 3
    assert page.paginator.count == 81
    assert len(levels) == 50


def test_first_page_queries_fixed(user, make_definition, grant):
    counts = []
    for size in (10, 1000):
        definition = definition_with_cases(make_definition, size)
        grant(user, definition, "read")
        with CountedQueries(connection) as queries:
            list(Paginator(cases_user_can_read(user), 50).page(1))
        counts.append(queries.count)

    assert counts[0] == counts[1]


def test_count_counts_overlap_once(user, group, make_definition, make_case, grant):
    user.groups.add(group)
    definition = definition_with_cases(make_definition, 30)
    inside = CaseInstance.objects.filter(definition=definition).first()
    outside = make_case()
    grant(group, definition, "read")
    grant(user, inside, "write")
    grant(user, outside, "read")

    readable = cases_user_can_read(user)

    assert readable.count() == 31
    assert readable.count() == len(list(readable))


def test_count_one_query_after_page(user, make_definition, make_case, grant):
    definition = definition_with_cases(make_definition, 30)
    grant(user, definition, "read")
    grant(user, make_case(), "read")
    readable = cases_user_can_read(user)
    list(readable[:10])

    assert count_queries(readable.count) == 1
