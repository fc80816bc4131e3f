"""S12: definition grants and instance grants are independent of each other.

U reads D1 and writes C1a. Revoking D1 leaves U with C1a alone, still writable. Restoring D1 and
revoking the C1a grant leaves U reading C1a through D1, unable to change it. Nothing done to the D1
grant touches the C1a grant. The same is true when G1 has the D1 grant and G2 the C1a grant, with U a
member of both.
"""

import pytest

from grants.levels import Level
from grants.models import CaseGroupGrant, CaseUserGrant
from grants.policy import level_of_user_on_case

from .conftest import api_client, assert_hidden, change_case, list_cases, page_client, stored_status

pytestmark = pytest.mark.django_db

ROUTES = ["page", "api"]
HOLDERS = ["user", "groups"]


def holders(world, kind):
    """Return the subjects that hold the D1 grant and the C1a grant."""
    if kind == "user":
        return world.u, world.u
    world.u.groups.add(world.g1, world.g2)
    return world.g1, world.g2


@pytest.fixture(params=HOLDERS)
def granted(world, request):
    on_definition, on_case = holders(world, request.param)
    world.grant(on_definition, world.d1, "read")
    world.grant(on_case, world.c1a, "write")
    return world, on_definition, on_case


def case_grant_row(world, subject):
    model = CaseUserGrant if subject == world.u else CaseGroupGrant
    field = "user" if subject == world.u else "group"
    row = model.objects.select_related("permission").get(**{field: subject}, content_object=world.c1a)
    return row.pk, row.permission.codename, row.granted_at, row.granted_by_id


def client_of(route, user):
    return page_client(user) if route == "page" else api_client(user)


@pytest.mark.parametrize("route", ROUTES)
def test_s12_revoking_definition_leaves_case_grant(granted, route):
    world, on_definition, on_case = granted
    client = client_of(route, world.u)

    world.revoke(on_definition, world.d1)

    listing = list_cases(route, client)
    assert listing.numbers == [world.c1a.number]
    assert listing.count == 1
    assert_hidden(client, route, world.c1b)
    assert change_case(route, client, world.c1a) in (200, 302)
    assert stored_status(world.c1a) == "closed"


@pytest.mark.parametrize("route", ROUTES)
def test_s12_revoking_case_grant_leaves_read_through_definition(granted, route):
    world, on_definition, on_case = granted
    client = client_of(route, world.u)
    world.revoke(on_definition, world.d1)
    world.grant(on_definition, world.d1, "read")

    world.revoke(on_case, world.c1a)

    listing = list_cases(route, client)
    assert sorted(listing.numbers) == sorted([world.c1a.number, world.c1b.number])
    assert listing.count == 2
    assert change_case(route, client, world.c1a) == 403
    assert stored_status(world.c1a) == "open"


def test_s12_levels_after_revoking_definition_api(granted):
    world, on_definition, _on_case = granted

    world.revoke(on_definition, world.d1)

    rows = api_client(world.u).get("/api/cases/").json()["results"]
    assert {row["number"]: row["access_level"] for row in rows} == {world.c1a.number: "write"}


def test_s12_definition_changes_leave_case_grant_alone(granted):
    world, on_definition, on_case = granted
    before = case_grant_row(world, on_case)

    world.grant(on_definition, world.d1, "write")
    world.grant(on_definition, world.d1, "read")
    world.revoke(on_definition, world.d1)
    world.grant(on_definition, world.d1, "read")

    assert case_grant_row(world, on_case) == before
    assert case_grant_row(world, on_case)[1] == "change_caseinstance"


@pytest.mark.parametrize("channel", ["page", "api"])
def test_s12_definition_revoke_by_route_keeps_case_grant(granted, channel):
    world, on_definition, on_case = granted
    before = case_grant_row(world, on_case)
    kind = "user" if on_definition == world.u else "group"

    if channel == "page":
        response = page_client(world.manager).post(
            f"/access/definitions/{world.d1.pk}/grants/{kind}-{on_definition.pk}/revoke/"
        )
        assert response.status_code == 302
    else:
        response = api_client(world.manager).delete(f"/api/definitions/{world.d1.pk}/grants/{kind}s/{on_definition.pk}/")
        assert response.status_code == 204

    assert case_grant_row(world, on_case) == before


def test_s12_access_control_switch_keeps_case_grant(granted):
    world, _on_definition, on_case = granted
    before = case_grant_row(world, on_case)

    api_client(world.manager).put(f"/api/definitions/{world.d1.pk}/access-control/", {"enabled": False}, format="json")
    api_client(world.manager).put(f"/api/definitions/{world.d1.pk}/access-control/", {"enabled": True}, format="json")

    assert case_grant_row(world, on_case) == before
    assert level_of_user_on_case(world.u, world.c1a) == Level.WRITE
