"""S13: identical grants sent in parallel make one grant and one audit record.

Ten identical grant requests for U on D1 go to a server with several workers at once: none fails with
500, exactly one grant and one GRANTED record exist, and a single revoke removes access. A level change
racing a revoke ends in one whole outcome. A bulk grant naming G1 twice and G2 once makes one grant
per group.
"""

from concurrent.futures import ThreadPoolExecutor

import pytest

from grants.levels import Level
from grants.models import AccessAction, AccessEvent, DefinitionGroupGrant, DefinitionUserGrant
from grants.policy import level_of_user_on_case
from tests.test_concurrency import call_grant, run_together

from .live_server import LiveClient, MultiWorkerServer

pytestmark = [pytest.mark.postgres, pytest.mark.slow, pytest.mark.django_db(transaction=True)]

PARALLEL = 10
RACE_ROUNDS = 5


@pytest.fixture
def server(world):
    """Start the server for one test, because its workers cache content type ids that a flush renews."""
    live = MultiWorkerServer()
    yield live
    live.stop()


def send_together(requests):
    """Send every request in its own thread at once and return the replies in order."""
    with ThreadPoolExecutor(len(requests)) as pool:
        return list(pool.map(lambda send: send(), requests))


def grant_events(**lookup):
    return AccessEvent.objects.filter(action=AccessAction.GRANTED, **lookup).count()


def test_s13_ten_identical_grants_make_one_api(world, server):
    client = LiveClient(server, world.manager)
    body = {"user": world.u.username, "level": "read"}

    replies = send_together([lambda: client.request("post", f"/api/definitions/{world.d1.pk}/grants/", body)] * PARALLEL)

    assert sorted(reply.status for reply in replies) == [200] * (PARALLEL - 1) + [201]
    assert DefinitionUserGrant.objects.filter(user=world.u, content_object=world.d1).count() == 1
    assert grant_events(subject_user=world.u) == 1
    assert level_of_user_on_case(world.u, world.c1a) == Level.READ


def test_s13_ten_identical_grants_make_one_page(world, server):
    client = LiveClient(server, world.manager, auth="session")
    form = {"subject": f"user-{world.u.pk}", "level": "write"}

    replies = send_together(
        [lambda: client.request("post", f"/access/definitions/{world.d1.pk}/grants/new/", form, form=True)] * PARALLEL
    )

    assert [reply.status for reply in replies] == [302] * PARALLEL
    assert DefinitionUserGrant.objects.filter(user=world.u, content_object=world.d1).count() == 1
    assert grant_events(subject_user=world.u) == 1


def test_s13_one_revoke_removes_parallel_grant_api(world, server):
    manager = LiveClient(server, world.manager)
    body = {"user": world.u.username, "level": "write"}
    send_together([lambda: manager.request("post", f"/api/definitions/{world.d1.pk}/grants/", body)] * PARALLEL)

    revoked = manager.request("delete", f"/api/definitions/{world.d1.pk}/grants/users/{world.u.pk}/")
    listed = LiveClient(server, world.u).request("get", "/api/cases/")

    assert revoked.status == 204
    assert listed.json()["count"] == 0
    assert not DefinitionUserGrant.objects.exists()
    assert AccessEvent.objects.filter(action=AccessAction.REVOKED).count() == 1


def test_s13_level_change_racing_revoke_ends_whole_api(world, server):
    manager = LiveClient(server, world.manager)
    url = f"/api/definitions/{world.d1.pk}/grants/users/{world.u.pk}/"

    for _round in range(RACE_ROUNDS):  # Several rounds, so that both orders are likely to occur.
        world.grant(world.u, world.d1, "read")

        change, revoke = send_together([
            lambda: manager.request("put", url, {"level": "write"}),
            lambda: manager.request("delete", url),
        ])

        assert revoke.status == 204
        assert change.status in (200, 404)
        if change.status == 404:
            assert "has no grant" in change.json()["detail"]
        last = AccessEvent.objects.filter(subject_user=world.u).order_by("-occurred_at", "-id").first()
        assert last.action == AccessAction.REVOKED
        assert not DefinitionUserGrant.objects.exists()
        assert level_of_user_on_case(world.u, world.c1a) == Level.NONE


def test_s13_grant_racing_revoke_ends_whole_api(world, server):
    manager = LiveClient(server, world.manager)
    body = {"user": world.u.username, "level": "write"}

    for _round in range(RACE_ROUNDS):
        world.grant(world.u, world.d1, "read")

        grant, revoke = send_together([
            lambda: manager.request("post", f"/api/definitions/{world.d1.pk}/grants/", body),
            lambda: manager.request("delete", f"/api/definitions/{world.d1.pk}/grants/users/{world.u.pk}/"),
        ])

        assert grant.status in (200, 201)
        assert revoke.status in (204, 404)
        last = AccessEvent.objects.filter(subject_user=world.u).order_by("-occurred_at", "-id").first()
        stored = DefinitionUserGrant.objects.filter(user=world.u).first()
        if last.action == AccessAction.REVOKED:
            assert stored is None
        else:
            assert stored.level == Level.WRITE == last.new_level
        assert level_of_user_on_case(world.u, world.c1a) == (stored.level if stored else Level.NONE)


def test_s13_bulk_naming_g1_twice_api(world, server):
    manager = LiveClient(server, world.manager)
    url = f"/api/definitions/{world.d1.pk}/grants/"
    bodies = [{"group": world.g1.name, "level": "read"}, {"group": world.g1.name, "level": "read"}, {"group": world.g2.name, "level": "read"}]

    replies = send_together([lambda body=body: manager.request("post", url, body) for body in bodies])

    assert all(reply.status in (200, 201) for reply in replies)
    assert sorted(DefinitionGroupGrant.objects.values_list("group__name", flat=True)) == [world.g1.name, world.g2.name]
    assert grant_events(subject_group=world.g1) == 1
    assert grant_events(subject_group=world.g2) == 1


def test_s13_bulk_naming_g1_twice_admin(world, server, superuser):
    admin = LiveClient(server, superuser, auth="session")
    selected = [str(world.d1.pk), str(world.d2.pk)]

    def run_bulk(group):
        data = {
            "action": "grant_on_selected_definitions",
            "_selected_action": selected,
            "step": "apply",
            "group": str(group.pk),
            "level": "write",
        }
        return lambda: admin.request("post", "/admin/casemgmt/casedefinition/", data, form=True)

    replies = send_together([run_bulk(world.g1), run_bulk(world.g1), run_bulk(world.g2)])

    assert [reply.status for reply in replies] == [302, 302, 302]
    rows = sorted(DefinitionGroupGrant.objects.values_list("group__name", "content_object__name"))
    assert rows == sorted(
        (group.name, definition.name) for group in (world.g1, world.g2) for definition in (world.d1, world.d2)
    )
    assert grant_events(subject_group=world.g1) == 2
    assert grant_events(subject_group=world.g2) == 2


def test_s13_bulk_naming_g1_twice_services(world):
    results, errors = run_together(
        call_grant(world.manager, world.g1, world.d1, Level.READ),
        call_grant(world.manager, world.g1, world.d1, Level.READ),
        call_grant(world.manager, world.g2, world.d1, Level.READ),
    )

    assert errors == {}
    assert sum(result.changed for result in results) == 2
    assert DefinitionGroupGrant.objects.count() == 2
