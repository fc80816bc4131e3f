"""S9: not-found responses do not reveal that a case or a definition exists.

For V, with no grant, GET, PUT, PATCH and DELETE on C2a or D2 give the same status and body as on a
random UUID and on a malformed id, in JSON and in the browsable API, and on the case page. U, reading
D2, gets 403 on PATCH of C2a.
"""

import uuid

import pytest

from .conftest import answer, api_client, page_client, snapshot

pytestmark = pytest.mark.django_db

CASE_BODIES = {
    "get": None,
    "put": {"title": "Renamed", "status": "closed", "priority": "low"},
    "patch": {"status": "closed"},
    "delete": None,
}
DEFINITION_BODIES = {
    "get": None,
    "put": {"name": "Renamed", "case_prefix": "RENAMED", "description": ""},
    "patch": {"description": "Renamed"},
    "delete": None,
}
FORMATS = {"json": "", "browsable": "?format=api"}


def api_call(client, method, url, body):
    if body is None:
        return getattr(client, method)(url)
    return getattr(client, method)(url, body, format="json")


def assert_not_found_alike(client, method, kind, hidden, body, suffix):
    unknown = uuid.uuid4()
    before = snapshot()

    hidden_response = api_call(client, method, f"/api/{kind}/{hidden.pk}/{suffix}", body)
    unknown_response = api_call(client, method, f"/api/{kind}/{unknown}/{suffix}", body)
    malformed_response = api_call(client, method, f"/api/{kind}/not-a-uuid/{suffix}", body)

    assert hidden_response.status_code == 404
    assert answer(hidden_response, hidden.pk) == answer(unknown_response, unknown)
    assert answer(malformed_response, "not-a-uuid") == answer(unknown_response, unknown)
    assert hidden_response["Content-Type"] == unknown_response["Content-Type"]
    assert snapshot() == before


@pytest.mark.parametrize("output", FORMATS)
@pytest.mark.parametrize("method", CASE_BODIES)
def test_s09_hidden_case_same_404_api(world, method, output):
    client = api_client(world.v)

    assert_not_found_alike(client, method, "cases", world.c2a, CASE_BODIES[method], FORMATS[output])


@pytest.mark.parametrize("output", FORMATS)
@pytest.mark.parametrize("method", DEFINITION_BODIES)
def test_s09_hidden_definition_same_404_api(world, method, output):
    client = api_client(world.v)

    assert_not_found_alike(client, method, "definitions", world.d2, DEFINITION_BODIES[method], FORMATS[output])


@pytest.mark.parametrize("output", FORMATS)
def test_s09_browsable_404_is_html_api(world, output):
    response = api_client(world.v).get(f"/api/cases/{world.c2a.pk}/{FORMATS[output]}")

    expected = "text/html" if output == "browsable" else "application/json"
    assert response["Content-Type"].startswith(expected)


@pytest.mark.parametrize("output", FORMATS)
@pytest.mark.parametrize("method", ["get", "patch", "delete"])
def test_s09_hidden_case_same_404_session_api(world, method, output):
    """The browsable API signs in with a session, so the same holds for session requests."""
    client = page_client(world.v)
    unknown = uuid.uuid4()

    hidden = getattr(client, method)(f"/api/cases/{world.c2a.pk}/{FORMATS[output]}")
    never = getattr(client, method)(f"/api/cases/{unknown}/{FORMATS[output]}")

    assert hidden.status_code == 404
    assert answer(hidden, world.c2a.pk) == answer(never, unknown)


@pytest.mark.parametrize("method", ["get", "post"])
def test_s09_hidden_case_same_404_page(world, method):
    client = page_client(world.v)
    unknown = uuid.uuid4()
    body = None if method == "get" else {"status": "closed", "priority": "high"}

    hidden = getattr(client, method)(f"/cases/{world.c2a.pk}/", body)
    never = getattr(client, method)(f"/cases/{unknown}/", body)
    malformed = getattr(client, method)("/cases/not-a-uuid/", body)

    assert hidden.status_code == 404
    assert answer(hidden, world.c2a.pk) == answer(never, unknown)
    assert answer(malformed, "not-a-uuid") == answer(never, unknown)
    assert world.c2a.status == "open"


@pytest.mark.parametrize("output", FORMATS)
def test_s09_reader_gets_403_on_patch_api(world, output):
    world.grant(world.u, world.d2, "read")
    before = snapshot()

    response = api_client(world.u).patch(f"/api/cases/{world.c2a.pk}/{FORMATS[output]}", {"status": "closed"}, format="json")

    assert response.status_code == 403
    assert snapshot() == before


def test_s09_reader_403_names_write_access_api(world):
    world.grant(world.u, world.d2, "read")

    response = api_client(world.u).patch(f"/api/cases/{world.c2a.pk}/", {"status": "closed"}, format="json")

    assert "write access" in response.json()["detail"]
