"""S8: an object grant alone opens a case, and write includes read.

U holds only a write grant on C1a, with no read grant and no model permission: U lists, opens and
changes C1a. With a read grant only, listing and opening work and PUT, PATCH and DELETE are 403. The
grant is U's own or G1's with U a member; T takes the place of U on the admin routes.
"""

import pytest

from .conftest import (
    DETAIL_ROUTES,
    LIST_ROUTES,
    api_client,
    assert_hidden,
    assert_opens,
    change_case,
    client_for,
    list_cases,
    page_client,
    snapshot,
    stored_status,
)

pytestmark = pytest.mark.django_db


def holder_for(world, route):
    return world.t if route.startswith("admin") else world.u


def give(world, user, level, via):
    if via == "own":
        world.grant(user, world.c1a, level)
    else:
        user.groups.add(world.g1)
        world.grant(world.g1, world.c1a, level)


@pytest.mark.parametrize("via", ["own", "group"])
@pytest.mark.parametrize("level", ["read", "write"])
@pytest.mark.parametrize("route", LIST_ROUTES)
def test_s08_case_grant_lists_case(world, route, level, via):
    user = holder_for(world, route)
    give(world, user, level, via)

    listing = list_cases(route, client_for(route, user))

    assert listing.numbers == [world.c1a.number]
    assert listing.count == 1


@pytest.mark.parametrize("via", ["own", "group"])
@pytest.mark.parametrize("level", ["read", "write"])
@pytest.mark.parametrize("route", DETAIL_ROUTES)
def test_s08_case_grant_opens_case(world, route, level, via):
    user = holder_for(world, route)
    give(world, user, level, via)
    client = client_for(route, user)

    if route == "admin_delete" and level == "read":
        assert client.get(f"/admin/casemgmt/caseinstance/{world.c1a.pk}/delete/").status_code == 403
    else:
        assert_opens(client, route, world.c1a)
    assert_hidden(client, route, world.c1b)


@pytest.mark.parametrize("via", ["own", "group"])
def test_s08_api_my_access_gives_level(world, via):
    give(world, world.u, "write", via)

    response = api_client(world.u).get(f"/api/cases/{world.c1a.pk}/my-access/")

    assert response.json() == {"case": str(world.c1a.pk), "level": "write"}


@pytest.mark.parametrize("via", ["own", "group"])
@pytest.mark.parametrize("route", ["page", "api", "admin"])
def test_s08_write_grant_changes_case(world, route, via):
    user = holder_for(world, route)
    give(world, user, "write", via)

    status = change_case(route, page_client(user) if route != "api" else api_client(user), world.c1a)

    assert status in (200, 302)
    assert stored_status(world.c1a) == "closed"


@pytest.mark.parametrize("via", ["own", "group"])
def test_s08_write_grant_puts_and_deletes_api(world, via):
    give(world, world.u, "write", via)
    client = api_client(world.u)

    put = client.put(f"/api/cases/{world.c1a.pk}/", {"title": "Renamed", "status": "open", "priority": "low"}, format="json")
    delete = client.delete(f"/api/cases/{world.c1a.pk}/")

    assert put.status_code == 200
    assert put.json()["title"] == "Renamed"
    assert delete.status_code == 204


@pytest.mark.parametrize("via", ["own", "group"])
@pytest.mark.parametrize(
    ("method", "body"),
    [
        ("put", {"title": "Renamed", "status": "closed", "priority": "low"}),
        ("patch", {"status": "closed"}),
        ("delete", None),
    ],
)
def test_s08_read_grant_refuses_writes_api(world, via, method, body):
    give(world, world.u, "read", via)
    before = snapshot()

    response = getattr(api_client(world.u), method)(f"/api/cases/{world.c1a.pk}/", body, format="json")

    assert response.status_code == 403
    assert snapshot() == before


@pytest.mark.parametrize("via", ["own", "group"])
@pytest.mark.parametrize("route", ["page", "admin"])
def test_s08_read_grant_refuses_change(world, route, via):
    user = holder_for(world, route)
    give(world, user, "read", via)

    status = change_case(route, page_client(user), world.c1a)

    assert status == 403
    assert stored_status(world.c1a) == "open"


@pytest.mark.parametrize("via", ["own", "group"])
def test_s08_read_grant_refuses_delete_admin(world, via):
    give(world, world.t, "read", via)

    response = page_client(world.t).post(f"/admin/casemgmt/caseinstance/{world.c1a.pk}/delete/", {"post": "yes"})

    assert response.status_code == 403
    assert stored_status(world.c1a) == "open"


def test_s08_page_shows_form_to_writer_only(world):
    world.grant(world.u, world.c1a, "write")
    world.grant(world.v, world.c1a, "read")

    writer = page_client(world.u).get(f"/cases/{world.c1a.pk}/")
    reader = page_client(world.v).get(f"/cases/{world.c1a.pk}/")

    assert writer.context["can_write"] is True
    assert reader.context["can_write"] is False
    assert 'name="status"' not in reader.content.decode()
