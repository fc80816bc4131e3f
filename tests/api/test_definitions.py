"""The definition endpoints and the access-control switch."""

import pytest

from grants.models import AccessAction, AccessEvent

pytestmark = pytest.mark.django_db


def names(response):
    return [row["name"] for row in response.json()["results"]]


def test_manager_sees_every_definition(world, make_definition):
    make_definition(name="Fraud review")

    response = world.client("manager").get("/api/definitions/")

    assert names(response) == ["Debt collection", "Fraud review"]


def test_reader_sees_granted_definition_only(world, make_definition):
    make_definition(name="Fraud review")

    response = world.client("reader").get("/api/definitions/")

    assert names(response) == ["Debt collection"]
    assert response.json()["results"][0]["access_level"] == "read"


def test_case_grant_shows_definition_without_level(world, grant):
    grant(world.users["outsider"], world.case, "write")

    response = world.client("outsider").get("/api/definitions/")

    assert names(response) == ["Debt collection"]
    assert response.json()["results"][0]["access_level"] == "none"


def test_create_definition_starts_access_controlled(manager_client):
    body = {"name": "Fraud review", "case_prefix": "FRAUD", "access_controlled": False}

    response = manager_client.post("/api/definitions/", body, format="json")

    assert response.status_code == 201
    assert response.json()["access_controlled"] is True


def test_create_duplicate_name_is_400(manager_client, world):
    body = {"name": "Debt collection", "case_prefix": "DEBT2"}

    response = manager_client.post("/api/definitions/", body, format="json")

    assert response.status_code == 400
    assert '"Debt collection"' in response.json()["name"][0]


def test_create_bad_prefix_is_400(manager_client):
    response = manager_client.post("/api/definitions/", {"name": "Fraud", "case_prefix": "fr-1"}, format="json")

    assert response.status_code == 400
    assert '"fr-1"' in response.json()["case_prefix"][0]


def test_update_keeps_own_name(manager_client, world):
    url = f"/api/definitions/{world.definition.pk}/"

    response = manager_client.put(url, {"name": "Debt collection", "case_prefix": "DEBT"}, format="json")

    assert response.status_code == 200


def test_switch_access_control_off(manager_client, world):
    url = f"/api/definitions/{world.definition.pk}/access-control/"

    response = manager_client.put(url, {"enabled": False}, format="json")

    assert response.status_code == 200
    assert response.json()["access_controlled"] is False
    event = AccessEvent.objects.get(action=AccessAction.ACCESS_CONTROL_OFF)
    assert event.actor_name == "manager"


def test_switch_to_same_state_records_nothing(manager_client, world):
    url = f"/api/definitions/{world.definition.pk}/access-control/"
    before = AccessEvent.objects.count()

    response = manager_client.put(url, {"enabled": True}, format="json")

    assert response.status_code == 200
    assert AccessEvent.objects.count() == before


def test_switch_with_bad_value_is_400(manager_client, world):
    url = f"/api/definitions/{world.definition.pk}/access-control/"

    response = manager_client.put(url, {"enabled": "maybe"}, format="json")

    assert response.status_code == 400
    assert '"maybe"' in response.json()["enabled"][0]


def test_switch_off_closes_grants(manager_client, world):
    manager_client.put(f"/api/definitions/{world.definition.pk}/access-control/", {"enabled": False}, format="json")

    response = world.client("reader").get("/api/cases/")

    assert response.json()["count"] == 0


def test_delete_definition_records_its_grants(manager_client, world):
    response = manager_client.delete(f"/api/definitions/{world.definition.pk}/")

    assert response.status_code == 204
    assert AccessEvent.objects.filter(action=AccessAction.TARGET_DELETED, definition_name="Debt collection").exists()
