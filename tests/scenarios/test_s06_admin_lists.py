"""S6: the admin's lists, filters and autocomplete show only the rows the staff user can read.

T reads D1 only. The case changelist lists exactly C1a and C1b and counts 2, the definition filter
offers D1, the autocomplete returns D1 and its cases, and the pages of C2a are refused like an
unknown id.
"""

import pytest

from .conftest import assert_hidden, list_cases, page_client

pytestmark = pytest.mark.django_db

AUTOCOMPLETE = "/admin/autocomplete/"
CASE_SOURCES = [("grants", "caseusergrant"), ("grants", "casegroupgrant")]
DEFINITION_SOURCES = [
    ("grants", "definitionusergrant"),
    ("grants", "definitiongroupgrant"),
    ("casemgmt", "caseinstance"),
]


@pytest.fixture
def t_client(world):
    world.grant(world.t, world.d1, "read")
    return page_client(world.t)


@pytest.mark.parametrize("query", ["", "q=C", "o=1", "o=-1", "status__exact=open", "p=1"])
def test_s06_changelist_lists_exactly_d1_cases_admin(world, t_client, query):
    listing = list_cases("admin", t_client, query)

    assert sorted(listing.numbers) == sorted([world.c1a.number, world.c1b.number])
    assert listing.count == 2


def test_s06_changelist_full_count_is_two_admin(world, t_client):
    response = t_client.get("/admin/casemgmt/caseinstance/")

    assert response.context_data["cl"].full_result_count == 2
    assert "2 cases" in response.content.decode()
    assert world.c2a.number not in response.content.decode()
    assert world.c0a.number not in response.content.decode()


def test_s06_hidden_definition_filter_empty_admin(world, t_client):
    listing = list_cases("admin", t_client, f"definition={world.d2.pk}")

    assert listing.numbers == []
    assert listing.count == 0


def test_s06_definition_filter_offers_d1_only_admin(world, t_client):
    response = t_client.get("/admin/casemgmt/caseinstance/")

    spec = next(spec for spec in response.context_data["cl"].filter_specs if spec.parameter_name == "definition")
    assert [name for _pk, name in spec.lookup_choices] == [world.d1.name]


@pytest.mark.parametrize(("app_label", "model_name"), CASE_SOURCES)
@pytest.mark.parametrize("term", ["", "C", "fraud", "DTWO"])
def test_s06_case_autocomplete_returns_d1_cases_admin(world, t_client, app_label, model_name, term):
    response = t_client.get(
        AUTOCOMPLETE,
        {"app_label": app_label, "model_name": model_name, "field_name": "content_object", "term": term},
    )

    assert response.status_code == 200
    found = {row["id"] for row in response.json()["results"]}
    expected = {str(case.pk) for case in (world.c1a, world.c1b) if term.lower() in str(case).lower()}
    assert found == expected


@pytest.mark.parametrize(("app_label", "model_name"), DEFINITION_SOURCES)
@pytest.mark.parametrize("term", ["", "D", "Fraud"])
def test_s06_definition_autocomplete_returns_d1_admin(world, t_client, app_label, model_name, term):
    field_name = "definition" if model_name == "caseinstance" else "content_object"
    response = t_client.get(
        AUTOCOMPLETE, {"app_label": app_label, "model_name": model_name, "field_name": field_name, "term": term}
    )

    assert response.status_code == 200
    found = {row["id"] for row in response.json()["results"]}
    expected = {str(world.d1.pk)} if term.lower() in world.d1.name.lower() else set()
    assert found == expected


@pytest.mark.parametrize("route", ["admin_change", "admin_history", "admin_delete"])
def test_s06_pages_of_c2a_refused_admin(world, t_client, route):
    assert_hidden(t_client, route, world.c2a)


@pytest.mark.parametrize("page", ["change", "delete"])
def test_s06_post_to_c2a_changes_nothing_admin(world, t_client, page):
    data = {"post": "yes"} if page == "delete" else {"title": "Taken", "status": "closed", "priority": "high"}

    response = t_client.post(f"/admin/casemgmt/caseinstance/{world.c2a.pk}/{page}/", data)

    assert response.status_code == 302
    world.c2a.refresh_from_db()
    assert (world.c2a.title, world.c2a.status) == ("C2a fraud", "open")


def test_s06_bulk_delete_of_c2a_changes_nothing_admin(world, t_client):
    response = t_client.post(
        "/admin/casemgmt/caseinstance/",
        {"action": "delete_selected", "_selected_action": [str(world.c2a.pk)], "post": "yes"},
    )

    assert response.status_code in (200, 302)
    world.c2a.refresh_from_db()


def test_s06_definition_changelist_counts_readable_cases_admin(world, t_client):
    response = t_client.get("/admin/casemgmt/casedefinition/")

    counts = {row.name: row.case_count for row in response.context_data["cl"].result_list}
    assert counts.get(world.d1.name) == 2
    assert counts.get(world.d2.name, 0) == 0
