"""Grant, change and revoke through the API, and the errors of each."""

import pytest
from rest_framework.test import APIClient

from grants.models import AccessAction, AccessEvent

pytestmark = pytest.mark.django_db


def grants_url(target, kind="definitions"):
    return f"/api/{kind}/{target.pk}/grants/"


def test_grant_user_by_username(manager_client, world):
    response = manager_client.post(grants_url(world.definition), {"user": "otto", "level": "read"}, format="json")

    assert response.status_code == 201
    body = response.json()
    assert body["subject_type"] == "user"
    assert body["subject_id"] == world.users["outsider"].pk
    assert body["subject_name"] == "otto"
    assert body["level"] == "read"
    assert body["granted_by"] == "manager"


def test_grant_user_by_numeric_id(manager_client, world):
    outsider = world.users["outsider"]

    response = manager_client.post(grants_url(world.definition), {"user": outsider.pk, "level": "write"}, format="json")

    assert response.status_code == 201
    assert response.json()["subject_name"] == "otto"


def test_grant_group_by_name_on_case(manager_client, world, group):
    response = manager_client.post(
        grants_url(world.case, "cases"), {"group": group.name, "level": "write"}, format="json"
    )

    assert response.status_code == 201
    assert response.json()["subject_type"] == "group"
    assert response.json()["subject_name"] == group.name


def test_grant_opens_case_to_subject(manager_client, world):
    manager_client.post(grants_url(world.case, "cases"), {"user": "otto", "level": "read"}, format="json")

    response = world.client("outsider").get(f"/api/cases/{world.case.pk}/")

    assert response.status_code == 200
    assert response.json()["access_level"] == "read"


def test_grant_is_recorded_with_actor(manager_client, world):
    manager_client.post(grants_url(world.definition), {"user": "otto", "level": "read"}, format="json")

    event = AccessEvent.objects.get(subject_name="otto")
    assert event.action == AccessAction.GRANTED
    assert event.actor_name == "manager"


def test_repeated_grant_changes_nothing(manager_client, world):
    before = AccessEvent.objects.count()

    response = manager_client.post(grants_url(world.definition), {"user": "rita", "level": "read"}, format="json")

    assert response.status_code == 200
    assert response.json()["level"] == "read"
    assert AccessEvent.objects.count() == before


def test_grant_with_new_level_changes_it(manager_client, world):
    response = manager_client.post(grants_url(world.definition), {"user": "rita", "level": "write"}, format="json")

    assert response.status_code == 200
    assert response.json()["level"] == "write"
    assert AccessEvent.objects.filter(action=AccessAction.LEVEL_CHANGED, subject_name="rita").exists()


def test_grant_unknown_user_is_400(manager_client, world):
    response = manager_client.post(grants_url(world.definition), {"user": "ghost", "level": "read"}, format="json")

    assert response.status_code == 400
    assert "ghost" in response.json()["user"][0]


def test_grant_unknown_group_is_400(manager_client, world):
    response = manager_client.post(grants_url(world.definition), {"group": "Ghosts", "level": "read"}, format="json")

    assert response.status_code == 400
    assert "Ghosts" in response.json()["group"][0]


def test_grant_unknown_level_is_400(manager_client, world):
    response = manager_client.post(grants_url(world.definition), {"user": "otto", "level": "admin"}, format="json")

    assert response.status_code == 400
    assert "admin" in response.json()["level"][0]
    assert "read" in response.json()["level"][0]


def test_grant_inactive_user_is_400(manager_client, world):
    response = manager_client.post(grants_url(world.case, "cases"), {"user": "ingo", "level": "read"}, format="json")

    assert response.status_code == 400
    assert "ingo" in response.json()["user"][0]
    assert "inactive" in response.json()["user"][0]


def test_grant_with_two_subjects_is_400(manager_client, world, group):
    body = {"user": "otto", "group": group.name, "level": "read"}

    response = manager_client.post(grants_url(world.definition), body, format="json")

    assert response.status_code == 400
    assert "exactly one subject" in response.json()["non_field_errors"][0]


def test_grant_without_subject_is_400(manager_client, world):
    response = manager_client.post(grants_url(world.definition), {"level": "read"}, format="json")

    assert response.status_code == 400
    assert "non_field_errors" in response.json()


def test_grant_malformed_json_is_400(manager_client, world):
    response = manager_client.generic(
        "POST", grants_url(world.definition), "{not json", content_type="application/json"
    )

    assert response.status_code == 400
    assert "JSON" in response.json()["detail"]


def test_change_level_of_grant(manager_client, world):
    url = f"{grants_url(world.definition)}users/{world.users['reader'].pk}/"

    response = manager_client.patch(url, {"level": "write"}, format="json")

    assert response.status_code == 200
    assert response.json()["level"] == "write"
    assert world.client("reader").get(f"/api/cases/{world.case.pk}/").json()["access_level"] == "write"


def test_change_level_without_grant_is_404(manager_client, world):
    url = f"{grants_url(world.definition)}users/{world.users['outsider'].pk}/"

    response = manager_client.put(url, {"level": "write"}, format="json")

    assert response.status_code == 404
    assert "otto" in response.json()["detail"]


def test_change_level_to_unknown_level_is_400(manager_client, world):
    url = f"{grants_url(world.definition)}users/{world.users['reader'].pk}/"

    response = manager_client.put(url, {"level": "none"}, format="json")

    assert response.status_code == 400
    assert '"none"' in response.json()["level"][0]


def test_revoke_grant(manager_client, world):
    url = f"{grants_url(world.definition)}users/{world.users['reader'].pk}/"

    response = manager_client.delete(url)

    assert response.status_code == 204
    assert manager_client.get(url).status_code == 404
    assert world.client("reader").get(f"/api/cases/{world.case.pk}/").status_code == 404


def test_revoke_missing_grant_is_404(manager_client, world):
    url = f"{grants_url(world.definition)}groups/{world.auditors.pk}/"

    response = manager_client.delete(url)

    assert response.status_code == 404


def test_grant_for_unknown_subject_id_is_404(manager_client, world):
    response = manager_client.get(f"{grants_url(world.definition)}users/987654/")

    assert response.status_code == 404
    assert "987654" in response.json()["detail"]


def test_grant_list_users_then_groups(manager_client, world, group, grant):
    grant(group, world.definition, "read")

    response = manager_client.get(grants_url(world.definition))

    names = [(row["subject_type"], row["subject_name"]) for row in response.json()["results"]]
    assert names == [("user", "ingo"), ("user", "rita"), ("user", "wanda"), ("group", group.name)]


def test_session_grant_needs_csrf_token(world):
    client = APIClient(enforce_csrf_checks=True)
    client.force_login(world.users["manager"])
    body = {"user": "otto", "level": "read"}

    response = client.post(grants_url(world.definition), body, format="json")

    assert response.status_code == 403
    assert "CSRF" in response.json()["detail"]


def test_session_grant_with_csrf_token(world):
    client = APIClient(enforce_csrf_checks=True)
    client.force_login(world.users["manager"])
    token = "a" * 32  # Any 32 letters or digits form a valid CSRF secret when cookie and header agree.
    client.cookies["csrftoken"] = token

    response = client.post(
        grants_url(world.definition), {"user": "otto", "level": "read"}, format="json", HTTP_X_CSRFTOKEN=token
    )

    assert response.status_code == 201


def test_grant_nul_username_is_400(manager_client, world):
    response = manager_client.post(grants_url(world.definition), {"user": "ri\x00ta", "level": "read"}, format="json")

    assert response.status_code == 400
    assert "user" in response.json()


def test_grant_url_rejects_non_ascii_digits(manager_client, world):
    arabic_indic_id = "".join(chr(0x0660 + int(digit)) for digit in str(world.users["reader"].pk))

    response = manager_client.get(f"{grants_url(world.definition)}users/{arabic_indic_id}/")

    assert response.status_code == 404
