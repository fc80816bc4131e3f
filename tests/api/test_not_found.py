"""A request for a case or definition that the caller cannot read gets the same response as an unknown id."""

import uuid

import pytest

pytestmark = pytest.mark.django_db

METHODS = [
    ("get", None),
    ("put", {"title": "Renamed", "name": "Renamed", "case_prefix": "RENAMED"}),
    ("patch", {"title": "Renamed", "description": "Renamed"}),
    ("delete", None),
]


def call(client, method, url, body):
    if body is None:
        return getattr(client, method)(url)
    return getattr(client, method)(url, body, format="json")


@pytest.mark.parametrize(("method", "body"), METHODS)
def test_unreadable_case_matches_unknown_id(world, method, body):
    client = world.client("outsider")

    hidden = call(client, method, f"/api/cases/{world.case.pk}/", body)
    unknown = call(client, method, f"/api/cases/{uuid.uuid4()}/", body)

    assert hidden.status_code == 404
    assert unknown.status_code == 404
    assert hidden.json() == unknown.json()
    assert hidden["Content-Type"] == unknown["Content-Type"] == "application/json"


@pytest.mark.parametrize(("method", "body"), METHODS)
def test_unreadable_definition_matches_unknown_id(world, method, body):
    client = world.client("outsider")

    hidden = call(client, method, f"/api/definitions/{world.definition.pk}/", body)
    unknown = call(client, method, f"/api/definitions/{uuid.uuid4()}/", body)

    assert hidden.status_code == 404
    assert unknown.status_code == 404
    assert hidden.json() == unknown.json()


@pytest.mark.parametrize(("method", "body"), METHODS)
def test_malformed_case_id_matches_unknown_id(world, method, body):
    client = world.client("reader")

    malformed = call(client, method, "/api/cases/not-a-uuid/", body)
    unknown = call(client, method, f"/api/cases/{uuid.uuid4()}/", body)

    assert malformed.status_code == 404
    assert malformed.json() == unknown.json()


def test_my_access_hidden_case_matches_unknown_id(world):
    client = world.client("outsider")

    hidden = client.get(f"/api/cases/{world.case.pk}/my-access/")
    unknown = client.get(f"/api/cases/{uuid.uuid4()}/my-access/")

    assert hidden.status_code == 404
    assert hidden.json() == unknown.json()


def test_case_only_grant_hides_other_cases(world, make_case, grant):
    other = make_case(definition=world.definition)
    outsider = world.users["outsider"]
    grant(outsider, world.case, "read")
    client = world.client("outsider")

    assert client.get(f"/api/cases/{world.case.pk}/").status_code == 200
    assert client.get(f"/api/cases/{other.pk}/").status_code == 404


def test_malformed_ids_in_grant_urls_are_404(manager_client, world):
    responses = [
        manager_client.get("/api/definitions/xyz/grants/"),
        manager_client.get(f"/api/definitions/{world.definition.pk}/grants/users/abc/"),
        manager_client.get(f"/api/cases/{world.case.pk}/grants/groups/99999999999999999999999/"),
        manager_client.get("/api/cases/12/access/"),
    ]

    assert [response.status_code for response in responses] == [404, 404, 404, 404]
    assert all(response["Content-Type"] == "application/json" for response in responses)
