"""A page of 50 rows costs the same number of queries with 60 rows in the database as with 600.

Rows are bulk-created to keep the tests fast; grant rows made that way skip the services' audit, which
these tests do not look at.
"""

import pytest
from django.contrib.auth.models import Permission
from django.db import connection
from django.test.utils import CaptureQueriesContext

from casemgmt.models import CaseInstance, User
from grants.levels import CASE_CODENAMES, DEFINITION_CODENAMES, Level
from grants.models import AccessEvent, CaseUserGrant, DefinitionGroupGrant, DefinitionUserGrant

pytestmark = pytest.mark.django_db

SMALL, LARGE = 60, 600

# One query per row of a 50-row page would exceed this, so the bound catches N+1 lookups that the
# 60-against-600 comparison cannot see.
MAX_QUERIES_PER_PAGE = 15


def count_queries(client, url):
    with CaptureQueriesContext(connection) as queries:
        response = client.get(url)
    assert response.status_code == 200, response.content[:300]
    assert len(response.json()["results"]) == 50
    assert len(queries) <= MAX_QUERIES_PER_PAGE, [query["sql"] for query in queries.captured_queries]
    return len(queries)


def add_cases(world, total):
    existing = CaseInstance.objects.filter(definition=world.definition).count()
    creator = world.users["writer"]
    CaseInstance.objects.bulk_create([
        CaseInstance(
            definition=world.definition, number=f"BULK-{index:06d}", title=f"Bulk {index}", created_by=creator
        )
        for index in range(existing, total)
    ])


def add_users(prefix, total):
    existing = User.objects.filter(username__startswith=prefix).count()
    return User.objects.bulk_create([User(username=f"{prefix}{index:04d}") for index in range(existing, total)])


def add_definition_grants(world, total):
    permission = Permission.objects.get(codename=DEFINITION_CODENAMES[Level.READ])
    users = add_users("bulk", total)
    DefinitionUserGrant.objects.bulk_create([
        DefinitionUserGrant(user=user, content_object=world.definition, permission=permission) for user in users
    ])


def test_case_list_queries_fixed(world, grant):
    reader = world.client("reader")
    add_cases(world, SMALL)
    small = count_queries(reader, "/api/cases/")

    add_cases(world, LARGE)
    large = count_queries(reader, "/api/cases/")

    assert small == large


def test_case_list_with_case_grants_queries_fixed(world):
    permission = Permission.objects.get(codename=CASE_CODENAMES[Level.WRITE])
    outsider = world.users["outsider"]
    client = world.client("outsider")

    add_cases(world, SMALL)
    CaseUserGrant.objects.bulk_create([
        CaseUserGrant(user=outsider, content_object=case, permission=permission) for case in CaseInstance.objects.all()
    ])
    small = count_queries(client, "/api/cases/")

    granted = CaseUserGrant.objects.values("content_object_id")
    add_cases(world, LARGE)
    CaseUserGrant.objects.bulk_create([
        CaseUserGrant(user=outsider, content_object=case, permission=permission)
        for case in CaseInstance.objects.exclude(pk__in=granted)
    ])
    large = count_queries(client, "/api/cases/")

    assert small == large


def test_grant_list_queries_fixed(manager_client, world, make_group):
    permission = Permission.objects.get(codename=DEFINITION_CODENAMES[Level.WRITE])
    group = make_group(name="Bulk group")
    DefinitionGroupGrant.objects.create(group=group, content_object=world.definition, permission=permission)
    url = f"/api/definitions/{world.definition.pk}/grants/"

    add_definition_grants(world, SMALL)
    small = count_queries(manager_client, url)

    add_definition_grants(world, LARGE)
    large = count_queries(manager_client, url)

    assert small == large


def test_effective_access_queries_fixed(manager_client, world):
    url = f"/api/cases/{world.case.pk}/access/"

    add_definition_grants(world, SMALL)
    small = count_queries(manager_client, url)

    add_definition_grants(world, LARGE)
    large = count_queries(manager_client, url)

    assert small == large


def test_history_queries_fixed(manager_client, world):
    def add_events(total):
        existing = AccessEvent.objects.count()
        AccessEvent.objects.bulk_create([AccessEvent(action="granted", subject_name=f"u{index}")
                                         for index in range(existing, total)])

    add_events(SMALL)
    small = count_queries(manager_client, "/api/access-events/")

    add_events(LARGE)
    large = count_queries(manager_client, "/api/access-events/")

    assert small == large
