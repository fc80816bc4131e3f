"""S10: a case reached by several paths is listed and counted once.

U reads D1 directly and through G1 and G2, and writes C1a directly and through G1. Every list shows C1a
and C1b once each and counts 2, paging one case a page visits each once, and sorting and searching
keep that. T, with the same grants, takes the place of U in the admin.
"""

import pytest

from casemgmt import views as case_views
from casemgmt.admin import CaseInstanceAdmin

from .conftest import api_client, list_cases, page_client

pytestmark = pytest.mark.django_db


def give_every_path(world, user):
    user.groups.add(world.g1, world.g2)
    world.grant(user, world.d1, "read")
    world.grant(world.g1, world.d1, "read")
    world.grant(world.g2, world.d1, "read")
    world.grant(user, world.c1a, "write")
    world.grant(world.g1, world.c1a, "write")


@pytest.fixture
def clients(world):
    give_every_path(world, world.u)
    give_every_path(world, world.t)
    return {"page": page_client(world.u), "api": api_client(world.u), "admin": page_client(world.t)}


QUERIES = {
    "page": ["", "q=debt", "q=DONE", "status=open", "definition={d1}"],
    "api": ["", "q=debt", "ordering=title", "ordering=-number", "ordering=-created_at", "ordering=priority,title",
            "status=open", "definition={d1}"],
    "admin": ["", "q=debt", "o=1", "o=-2", "o=3.-1", "status__exact=open", "definition={d1}"],
}
CASES = [(route, query) for route, queries in QUERIES.items() for query in queries]


@pytest.mark.parametrize(("route", "query"), CASES)
def test_s10_each_case_listed_once(world, clients, route, query):
    listing = list_cases(route, clients[route], query.format(d1=world.d1.pk))

    assert sorted(listing.numbers) == sorted([world.c1a.number, world.c1b.number])
    assert listing.count == 2


@pytest.mark.parametrize("ordering", ["", "&ordering=title", "&ordering=-title", "&ordering=status,-number"])
def test_s10_one_per_page_visits_each_once_api(world, clients, ordering):
    first = clients["api"].get(f"/api/cases/?page_size=1{ordering}").json()
    second = clients["api"].get(f"/api/cases/?page_size=1&page=2{ordering}").json()
    third = clients["api"].get(f"/api/cases/?page_size=1&page=3{ordering}")

    visited = [row["number"] for row in first["results"] + second["results"]]
    assert sorted(visited) == sorted([world.c1a.number, world.c1b.number])
    assert first["count"] == second["count"] == 2
    assert second["next"] is None
    assert third.status_code == 404


def test_s10_one_per_page_visits_each_once_page(world, clients, monkeypatch):
    monkeypatch.setattr(case_views, "CASES_PAGE_SIZE", 1)

    pages = [list_cases("page", clients["page"], f"page={number}") for number in (1, 2)]

    visited = [number for listing in pages for number in listing.numbers]
    assert sorted(visited) == sorted([world.c1a.number, world.c1b.number])
    assert [listing.count for listing in pages] == [2, 2]


@pytest.mark.parametrize("ordering", ["", "&o=1", "&o=-2"])
def test_s10_one_per_page_visits_each_once_admin(world, clients, monkeypatch, ordering):
    monkeypatch.setattr(CaseInstanceAdmin, "list_per_page", 1)

    pages = [list_cases("admin", clients["admin"], f"p={number}{ordering}") for number in (1, 2)]

    visited = [number for listing in pages for number in listing.numbers]
    assert sorted(visited) == sorted([world.c1a.number, world.c1b.number])
    assert [listing.count for listing in pages] == [2, 2]


def test_s10_levels_are_highest_path_api(world, clients):
    rows = clients["api"].get("/api/cases/").json()["results"]

    assert {row["number"]: row["access_level"] for row in rows} == {world.c1a.number: "write", world.c1b.number: "read"}


def test_s10_definition_listed_once_api(world, clients):
    body = clients["api"].get("/api/definitions/").json()

    assert [row["name"] for row in body["results"]] == [world.d1.name]
    assert body["count"] == 1


def test_s10_definition_filter_offers_d1_once_page(world, clients):
    response = clients["page"].get("/cases/")

    choices = [str(label) for _value, label in response.context["form"].fields["definition"].choices]
    assert choices.count(world.d1.name) == 1


def test_s10_definition_filter_offers_d1_once_admin(world, clients):
    response = clients["admin"].get("/admin/casemgmt/caseinstance/")

    spec = next(spec for spec in response.context_data["cl"].filter_specs if spec.parameter_name == "definition")
    assert [name for _pk, name in spec.lookup_choices] == [world.d1.name]


def test_s10_users_with_access_lists_u_once_api(world, clients):
    rows = api_client(world.manager).get(f"/api/cases/{world.c1a.pk}/access/").json()["results"]

    usernames = [row["user"]["username"] for row in rows]
    assert usernames.count(world.u.username) == 1
