"""S4: a revoke is seen at once by every worker process.

A gunicorn server with several workers serves the test database. U is in G1, which reads D1. Removing
U from G1 hides C1a and C1b on U's very next requests, repeated until every worker has handled one.
Putting U back and lowering G1 from write to read refuses a change of C1a on every worker. The change
is made in the test process, on the pages, in the admin or through the API of the live server.
"""

from concurrent.futures import ThreadPoolExecutor

import pytest

from .live_server import WORKERS, LiveClient, MultiWorkerServer

pytestmark = [pytest.mark.postgres, pytest.mark.slow, pytest.mark.django_db(transaction=True)]

MAX_ROUNDS = 40  # Rounds of WORKERS parallel requests before giving up on reaching every worker.


@pytest.fixture
def server(world):
    """Start the server for one test, because its workers cache content type ids that a flush renews."""
    live = MultiWorkerServer()
    yield live
    live.stop()


def from_every_worker(send):
    """Send requests WORKERS at a time until every worker has handled one, and return one reply per worker."""
    replies = {}
    with ThreadPoolExecutor(WORKERS) as pool:
        for _round in range(MAX_ROUNDS):
            for reply in pool.map(lambda _index: send(), range(WORKERS)):
                replies.setdefault(reply.worker, reply)
            if len(replies) == WORKERS:
                return list(replies.values())
    raise AssertionError(f"only workers {sorted(replies)} replied in {MAX_ROUNDS} rounds of {WORKERS} requests")


def listed_numbers(reply):
    assert reply.status == 200, reply.body[:300]
    return sorted(row["number"] for row in reply.json()["results"])


def user_change_form(user, groups):
    """Return the admin's user change form for `user` as posted, with `groups` as its groups."""
    return {
        "username": user.username,
        "first_name": user.first_name,
        "last_name": user.last_name,
        "email": user.email,
        "is_active": "on",
        "groups": [str(group.pk) for group in groups],
        "date_joined_0": user.date_joined.strftime("%Y-%m-%d"),
        "date_joined_1": user.date_joined.strftime("%H:%M:%S"),
        "initial-date_joined_0": user.date_joined.strftime("%Y-%m-%d"),
        "initial-date_joined_1": user.date_joined.strftime("%H:%M:%S"),
    }


def set_membership(channel, world, server, superuser, member):
    if channel == "model":
        if member:
            world.u.groups.add(world.g1)
        else:
            world.u.groups.remove(world.g1)
        return
    admin = LiveClient(server, superuser, auth="session")
    reply = admin.request(
        "post", f"/admin/casemgmt/user/{world.u.pk}/change/", user_change_form(world.u, [world.g1] if member else []),
        form=True,
    )
    assert reply.status == 302, reply.body[:2000]


def set_g1_level(channel, world, server, superuser, level):
    d1, g1 = world.d1, world.g1
    if channel == "model":
        world.grant(g1, d1, level)
        return
    if channel == "api":
        reply = LiveClient(server, world.manager).request(
            "put", f"/api/definitions/{d1.pk}/grants/groups/{g1.pk}/", {"level": level}
        )
        assert reply.status == 200, reply.body[:500]
        return
    if channel == "page":
        client, path = LiveClient(server, world.manager, auth="session"), f"/access/definitions/{d1.pk}/grants/group-{g1.pk}/level/"
    else:
        client, path = LiveClient(server, superuser, auth="session"), f"/admin/casemgmt/casedefinition/{d1.pk}/permissions/group-manage/{g1.pk}/"
    reply = client.request("post", path, {"level": level}, form=True)
    assert reply.status == 302, reply.body[:500]


@pytest.fixture
def member(world):
    world.u.groups.add(world.g1)
    world.grant(world.g1, world.d1, "read")
    return world.u


@pytest.mark.parametrize("channel", ["model", "admin"])
def test_s04_group_removal_hides_api(world, member, server, superuser, channel):
    token = LiveClient(server, member)
    expected = sorted([world.c1a.number, world.c1b.number])
    assert all(listed_numbers(reply) == expected for reply in from_every_worker(lambda: token.request("get", "/api/cases/")))

    set_membership(channel, world, server, superuser, member=False)

    for reply in from_every_worker(lambda: token.request("get", "/api/cases/")):
        assert listed_numbers(reply) == []
    for reply in from_every_worker(lambda: token.request("get", f"/api/cases/{world.c1a.pk}/")):
        assert reply.status == 404


@pytest.mark.parametrize("channel", ["model", "admin"])
def test_s04_group_removal_hides_page(world, member, server, superuser, channel):
    session = LiveClient(server, member, auth="session")
    assert all(reply.status == 200 for reply in from_every_worker(lambda: session.request("get", f"/cases/{world.c1b.pk}/")))

    set_membership(channel, world, server, superuser, member=False)

    for reply in from_every_worker(lambda: session.request("get", "/cases/")):
        assert reply.status == 200
        assert world.c1a.number.encode() not in reply.body
        assert world.c1b.number.encode() not in reply.body
    for reply in from_every_worker(lambda: session.request("get", f"/cases/{world.c1b.pk}/")):
        assert reply.status == 404


@pytest.mark.parametrize("channel", ["model", "page", "admin", "api"])
def test_s04_lowered_level_refused_api(world, member, server, superuser, channel):
    set_membership("model", world, server, superuser, member=False)
    set_membership("model", world, server, superuser, member=True)
    world.grant(world.g1, world.d1, "write")
    token = LiveClient(server, member)
    warm = from_every_worker(lambda: token.request("get", f"/api/cases/{world.c1a.pk}/"))
    assert all(reply.json()["access_level"] == "write" for reply in warm)

    set_g1_level(channel, world, server, superuser, "read")

    for reply in from_every_worker(lambda: token.request("patch", f"/api/cases/{world.c1a.pk}/", {"status": "closed"})):
        assert reply.status == 403
    world.c1a.refresh_from_db()
    assert world.c1a.status == "open"


@pytest.mark.parametrize("channel", ["model", "page", "admin", "api"])
def test_s04_lowered_level_refused_page(world, member, server, superuser, channel):
    world.grant(world.g1, world.d1, "write")
    session = LiveClient(server, member, auth="session")
    warm = from_every_worker(lambda: session.request("get", f"/cases/{world.c1a.pk}/"))
    assert all(b'name="status"' in reply.body for reply in warm)

    set_g1_level(channel, world, server, superuser, "read")

    form = {"status": "closed", "priority": "high"}
    for reply in from_every_worker(lambda: session.request("post", f"/cases/{world.c1a.pk}/", form, form=True)):
        assert reply.status == 403
    world.c1a.refresh_from_db()
    assert world.c1a.status == "open"
