"""Query counts of the pages stay fixed however many cases there are."""

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.urls import reverse

from casemgmt.models import CaseInstance

pytestmark = pytest.mark.django_db

MANY = 10_000


def add_cases(definition, count, start):
    """Bulk-create cases with their numbers set here, since bulk_create skips save()."""
    CaseInstance.objects.bulk_create(
        [
            CaseInstance(definition=definition, number=f"{definition.case_prefix}-{start + index:06d}", title=f"Case {index}")
            for index in range(count)
        ],
        batch_size=1000,
    )


def count_queries(request):
    with CaptureQueriesContext(connection) as queries:
        response = request()
    return response, len(queries)


def test_my_cases_queries_fixed(client, user, definition, grant):
    grant(user, definition, "read")
    add_cases(definition, 10, start=1)
    client.force_login(user)
    few_response, few = count_queries(lambda: client.get(reverse("my-cases")))

    add_cases(definition, MANY - 10, start=11)
    many_response, many = count_queries(lambda: client.get(reverse("my-cases")))

    assert few_response.context["page"].paginator.count == 10
    assert many_response.context["page"].paginator.count == MANY
    assert few == many


def test_definition_grant_queries_fixed(client, manager, make_group, definition, make_definition):
    crowded = make_definition(name="Crowded")
    add_cases(definition, 10, start=1)
    add_cases(crowded, MANY, start=1)
    client.force_login(manager)

    def grant_on(target):
        url = reverse("grant-create", args=["definitions", target.pk])
        group = make_group()
        return lambda: client.post(url, {"subject": f"group-{group.pk}", "level": "write"})

    few_response, few = count_queries(grant_on(definition))
    many_response, many = count_queries(grant_on(crowded))

    assert few_response.status_code == many_response.status_code == 302
    assert few == many
