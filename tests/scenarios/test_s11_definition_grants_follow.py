"""S11: a definition grant reaches cases created later, and follows every change of its level.

G1, with U a member, reads D1. A case created afterwards in D1 is visible to U at once. Raising G1 to
write lets U change old and new cases, lowering to read refuses both, and revoking hides both. The
change of G1's grant is made on the pages, through the API, in the admin or by the services.
"""

import pytest

from casemgmt.models import CaseInstance
from grants.levels import Level
from grants.models import DefinitionGroupGrant

from .conftest import api_client, assert_hidden, change_case, list_cases, page_client, stored_status

pytestmark = pytest.mark.django_db

CHANNELS = ["service", "page", "api", "admin"]
ROUTES = ["page", "api"]


@pytest.fixture
def member(world):
    world.u.groups.add(world.g1)
    world.grant(world.g1, world.d1, "read")
    return world.u


def create_case(how, world, superuser):
    """Create a case in D1 through a route, as its creator would, and return it."""
    if how == "model":
        return CaseInstance.objects.create(definition=world.d1, title="New debt")
    if how == "api":
        response = api_client(superuser).post("/api/cases/", {"definition": str(world.d1.pk), "title": "New debt"}, format="json")
        assert response.status_code == 201
        return CaseInstance.objects.get(pk=response.json()["id"])
    response = page_client(superuser).post(
        "/admin/casemgmt/caseinstance/add/",
        {
            "definition": str(world.d1.pk),
            "title": "New debt",
            "status": "open",
            "priority": "normal",
            **empty_inlines("user_grants"),
            **empty_inlines("group_grants"),
        },
    )
    assert response.status_code == 302
    return CaseInstance.objects.get(title="New debt")


def empty_inlines(prefix):
    return {f"{prefix}-TOTAL_FORMS": "0", f"{prefix}-INITIAL_FORMS": "0", f"{prefix}-MAX_NUM_FORMS": "1000"}


def set_group_level(channel, world, level, superuser):
    """Change G1's grant on D1 to `level`, or revoke it when `level` is None, through a channel."""
    d1, g1 = world.d1, world.g1
    if channel == "service":
        world.revoke(g1, d1) if level is None else world.grant(g1, d1, level)
    elif channel == "page":
        client = page_client(world.manager)
        if level is None:
            response = client.post(f"/access/definitions/{d1.pk}/grants/group-{g1.pk}/revoke/")
        else:
            response = client.post(f"/access/definitions/{d1.pk}/grants/group-{g1.pk}/level/", {"level": level})
        assert response.status_code == 302
    elif channel == "api":
        client = api_client(world.manager)
        url = f"/api/definitions/{d1.pk}/grants/groups/{g1.pk}/"
        response = client.delete(url) if level is None else client.put(url, {"level": level}, format="json")
        assert response.status_code in (200, 204)
    else:
        response = page_client(superuser).post(
            f"/admin/casemgmt/casedefinition/{d1.pk}/permissions/group-manage/{g1.pk}/", {"level": level or "none"}
        )
        assert response.status_code == 302


def client_of(route, user):
    return page_client(user) if route == "page" else api_client(user)


@pytest.mark.parametrize("route", ROUTES + ["admin"])
@pytest.mark.parametrize("how", ["model", "api", "admin"])
def test_s11_new_case_visible_at_once(world, member, superuser, how, route):
    user = member
    if route == "admin":
        world.t.groups.add(world.g1)
        user = world.t
    client = page_client(user) if route != "api" else api_client(user)
    assert list_cases(route, client).count == 2

    new_case = create_case(how, world, superuser)

    listing = list_cases(route, client)
    assert new_case.number in listing.numbers
    assert listing.count == 3


@pytest.mark.parametrize("route", ROUTES)
@pytest.mark.parametrize("channel", CHANNELS)
def test_s11_raise_to_write_changes_old_and_new(world, member, superuser, channel, route):
    new_case = create_case("model", world, superuser)

    set_group_level(channel, world, "write", superuser)

    client = client_of(route, member)
    for case in (world.c1a, new_case):
        assert change_case(route, client, case) in (200, 302)
        assert stored_status(case) == "closed"


@pytest.mark.parametrize("route", ROUTES)
@pytest.mark.parametrize("channel", CHANNELS)
def test_s11_lower_to_read_refuses_old_and_new(world, member, superuser, channel, route):
    new_case = create_case("model", world, superuser)
    world.grant(world.g1, world.d1, "write")

    set_group_level(channel, world, "read", superuser)

    client = client_of(route, member)
    for case in (world.c1a, new_case):
        assert change_case(route, client, case) == 403
        assert stored_status(case) == "open"
    assert DefinitionGroupGrant.objects.get(group=world.g1).level == Level.READ


@pytest.mark.parametrize("route", ROUTES)
@pytest.mark.parametrize("channel", CHANNELS)
def test_s11_revoke_hides_old_and_new(world, member, superuser, channel, route):
    new_case = create_case("model", world, superuser)

    set_group_level(channel, world, None, superuser)

    client = client_of(route, member)
    listing = list_cases(route, client)
    assert listing.numbers == []
    assert listing.count == 0
    for case in (world.c1a, new_case):
        assert_hidden(client, route, case)
    assert not DefinitionGroupGrant.objects.exists()
