"""S2: a deactivated user loses access on every path, and reactivation restores exactly the old access.

U reads D1 and has a browser session and an API token. After deactivation the very next request
with either credential lists and opens nothing; the views of who has access leave U out or mark U
inactive. T, a staff user, shows the same for the admin.
"""

import pytest
from django.test import Client

from grants.levels import Level
from grants.policy import level_of_user_on_case

from .conftest import api_client, detail_url, list_cases, page_client

pytestmark = pytest.mark.django_db


def set_active(user, active):
    user.is_active = active
    user.save()


@pytest.fixture
def u_reader(world):
    """U with read on D1 and write on C1a, so that reactivation can show both levels came back."""
    world.grant(world.u, world.d1, "read")
    world.grant(world.u, world.c1a, "write")
    return world.u


@pytest.fixture
def credentials(u_reader):
    """U's browser session and API token, both made while U is active."""
    session = Client()
    session.force_login(u_reader)
    return {"session": session, "token": api_client(u_reader)}


@pytest.mark.parametrize("route", ["page", "api"])
def test_s02_session_lists_nothing_after_deactivation(world, u_reader, credentials, route):
    set_active(u_reader, False)

    url = "/cases/" if route == "page" else "/api/cases/"
    response = credentials["session"].get(url)

    assert response.status_code in (302, 401, 403)
    if response.status_code == 302:
        assert response["Location"].startswith("/login/")
    for case in (world.c1a, world.c1b):
        assert case.number not in response.content.decode()


CREDENTIAL_ROUTES = [
    ("session", "page"),
    *[(credential, route) for credential in ("session", "token") for route in ("api", "api_browsable", "api_my_access")],
]


@pytest.mark.parametrize(("credential", "route"), CREDENTIAL_ROUTES)
def test_s02_no_case_opens_after_deactivation(world, u_reader, credentials, route, credential):
    set_active(u_reader, False)

    response = credentials[credential].get(detail_url(route, world.c1a.pk))

    assert response.status_code in (302, 401, 403)
    assert world.c1a.number not in response.content.decode()
    assert world.c1a.title not in response.content.decode()


def test_s02_token_gets_401_after_deactivation(world, u_reader, credentials):
    set_active(u_reader, False)

    response = credentials["token"].get("/api/cases/")

    assert response.status_code == 401
    assert "results" not in response.json()


@pytest.mark.parametrize("credential", ["session", "token"])
def test_s02_no_change_after_deactivation_api(world, u_reader, credentials, credential):
    set_active(u_reader, False)

    response = credentials[credential].patch(
        f"/api/cases/{world.c1a.pk}/", {"title": "Changed while inactive"}, content_type="application/json"
    )

    assert response.status_code in (401, 403)
    world.c1a.refresh_from_db()
    assert world.c1a.title == "C1a first debt"


def test_s02_no_change_after_deactivation_page(world, u_reader, credentials):
    set_active(u_reader, False)

    response = credentials["session"].post(f"/cases/{world.c1a.pk}/", {"status": "closed", "priority": "high"})

    assert response.status_code == 302
    assert response["Location"].startswith("/login/")
    world.c1a.refresh_from_db()
    assert world.c1a.status == "open"


@pytest.mark.parametrize("route", ["page", "api"])
def test_s02_reactivation_restores_old_list(world, u_reader, credentials, route):
    client = credentials["session"] if route == "page" else credentials["token"]
    before = list_cases(route, client)

    set_active(u_reader, False)
    set_active(u_reader, True)
    after = list_cases(route, client)

    assert sorted(after.numbers) == sorted(before.numbers) == sorted([world.c1a.number, world.c1b.number])
    assert after.count == before.count == 2


def test_s02_reactivation_restores_levels_api(world, u_reader, credentials):
    set_active(u_reader, False)
    set_active(u_reader, True)

    rows = credentials["token"].get("/api/cases/").json()["results"]

    assert {row["number"]: row["access_level"] for row in rows} == {
        world.c1a.number: "write",
        world.c1b.number: "read",
    }
    assert level_of_user_on_case(u_reader, world.c2a) == Level.NONE


def test_s02_reactivation_restores_write_page(world, u_reader, credentials):
    set_active(u_reader, False)
    set_active(u_reader, True)
    client = credentials["session"]

    changed = client.post(f"/cases/{world.c1a.pk}/", {"status": "closed", "priority": "high"})
    refused = client.post(f"/cases/{world.c1b.pk}/", {"status": "closed", "priority": "high"})

    assert changed.status_code == 302
    assert refused.status_code == 403


# Who has access


def test_s02_api_access_list_leaves_inactive_out(world, u_reader):
    set_active(u_reader, False)

    rows = api_client(world.manager).get(f"/api/cases/{world.c1a.pk}/access/").json()["results"]

    assert u_reader.username not in [row["user"]["username"] for row in rows]


def test_s02_case_access_page_leaves_inactive_out(world, u_reader):
    set_active(u_reader, False)

    response = page_client(world.manager).get(f"/access/review/cases/{world.c1a.pk}/")

    assert response.status_code == 200
    assert f'id="effective-user-{u_reader.pk}"' not in response.content.decode()


def test_s02_checker_marks_inactive_with_no_access(world, u_reader):
    set_active(u_reader, False)

    response = page_client(world.manager).get(
        "/access/review/check/", {"user": u_reader.username, "case": world.c1a.number}
    )

    assert response.status_code == 200
    assert response.context["explanation"].level == Level.NONE
    assert "· inactive" in response.content.decode()


def test_s02_user_access_page_marks_inactive(world, u_reader):
    set_active(u_reader, False)

    response = page_client(world.manager).get(f"/access/review/users/{u_reader.pk}/")

    assert response.status_code == 200
    assert '<span class="badge">inactive</span>' in response.content.decode()


def test_s02_api_access_check_gives_none(world, u_reader):
    set_active(u_reader, False)

    response = api_client(world.manager).get(
        f"/api/cases/{world.c1a.pk}/access/check/", {"user": u_reader.username}
    )

    assert response.status_code == 200
    assert response.json()["level"] == "none"


# The admin, for a staff user


def test_s02_admin_refuses_deactivated_staff(world):
    world.grant(world.t, world.d1, "read")
    session = page_client(world.t)
    assert len(list_cases("admin", session).numbers) == 2

    set_active(world.t, False)
    response = session.get("/admin/casemgmt/caseinstance/")

    assert response.status_code == 302
    assert response["Location"].startswith("/admin/login/")


def test_s02_admin_restores_staff_after_reactivation(world):
    world.grant(world.t, world.d1, "read")
    session = page_client(world.t)

    set_active(world.t, False)
    set_active(world.t, True)

    assert sorted(list_cases("admin", session).numbers) == sorted([world.c1a.number, world.c1b.number])


@pytest.mark.parametrize("page", ["definition", "case"])
def test_s02_grants_table_marks_inactive_page(world, u_reader, page):
    set_active(u_reader, False)
    url = f"/access/definitions/{world.d1.pk}/" if page == "definition" else f"/access/cases/{world.c1a.pk}/grants/"

    response = page_client(world.manager).get(url)

    row = response.content.decode().split(f'id="grant-user-{u_reader.pk}"')[1].split("</tr>")[0]
    assert '<span class="badge">inactive</span>' in row


def test_s02_grants_table_leaves_active_unmarked_page(world, u_reader):
    response = page_client(world.manager).get(f"/access/definitions/{world.d1.pk}/")

    row = response.content.decode().split(f'id="grant-user-{u_reader.pk}"')[1].split("</tr>")[0]
    assert "inactive" not in row
