"""Effective access of a case, the access check of one user, and the access history."""

import uuid
from datetime import timedelta

import pytest
from django.utils import timezone

from grants import services
from grants.models import AccessEvent

pytestmark = pytest.mark.django_db


def test_effective_access_lists_users_and_paths(manager_client, world, group, grant):
    world.users["outsider"].groups.add(group)
    grant(group, world.case, "write")

    response = manager_client.get(f"/api/cases/{world.case.pk}/access/")

    rows = {row["user"]["username"]: row for row in response.json()["results"]}
    assert sorted(rows) == ["otto", "rita", "root", "wanda"]
    assert rows["rita"]["level"] == "read"
    assert rows["rita"]["paths"][0]["source"] == "own_definition_grant"
    assert rows["rita"]["paths"][0]["inherited"] is True
    assert rows["otto"]["level"] == "write"
    assert rows["otto"]["paths"][0]["group"] == group.name
    assert rows["root"]["paths"][0]["source"] == "superuser"


def test_effective_access_filters_by_level(manager_client, world):
    response = manager_client.get(f"/api/cases/{world.case.pk}/access/", {"level": "write"})

    usernames = [row["user"]["username"] for row in response.json()["results"]]
    assert usernames == ["root", "wanda"]


def test_effective_access_bad_level_is_400(manager_client, world):
    response = manager_client.get(f"/api/cases/{world.case.pk}/access/", {"level": "owner"})

    assert response.status_code == 400
    assert '"owner"' in response.json()["level"][0]


def test_access_check_explains_grant(manager_client, world):
    response = manager_client.get(f"/api/cases/{world.case.pk}/access/check/", {"user": "wanda"})

    body = response.json()
    assert body["level"] == "write"
    assert body["case"] == str(world.case.pk)
    assert body["paths"][0]["description"] == "Own grant on the definition"
    assert body["reason"] == ""


def test_access_check_gives_reason_without_access(manager_client, world):
    response = manager_client.get(f"/api/cases/{world.case.pk}/access/check/", {"user": "otto"})

    assert response.json()["level"] == "none"
    assert response.json()["paths"] == []
    assert "no grant reaches this user" in response.json()["reason"]


def test_access_check_inactive_user_has_none(manager_client, world):
    response = manager_client.get(f"/api/cases/{world.case.pk}/access/check/", {"user": "ingo"})

    assert response.json()["level"] == "none"
    assert "inactive" in response.json()["reason"]


def test_access_check_unknown_user_is_400(manager_client, world):
    response = manager_client.get(f"/api/cases/{world.case.pk}/access/check/", {"user": "ghost"})

    assert response.status_code == 400
    assert '"ghost"' in response.json()["user"][0]


def test_access_check_missing_user_is_400(manager_client, world):
    response = manager_client.get(f"/api/cases/{world.case.pk}/access/check/")

    assert response.status_code == 400
    assert "user" in response.json()


def test_access_check_unknown_case_is_404(manager_client, world):
    response = manager_client.get(f"/api/cases/{uuid.uuid4()}/access/check/", {"user": "rita"})

    assert response.status_code == 404


def test_history_filters_by_subject(manager_client, world):
    response = manager_client.get("/api/access-events/", {"subject": "rita"})

    rows = response.json()["results"]
    assert [row["subject_name"] for row in rows] == ["rita"]
    assert rows[0]["action"] == "granted"
    assert rows[0]["new_level"] == "read"


def test_history_filters_by_case(manager_client, world):
    response = manager_client.get("/api/access-events/", {"case": str(world.case.pk)})

    assert [row["subject_name"] for row in response.json()["results"]] == ["Auditors"]


def test_history_filters_by_definition(manager_client, world, make_definition, grant):
    other = make_definition(name="Fraud review")
    grant(world.users["outsider"], other, "read")

    response = manager_client.get("/api/access-events/", {"definition": str(other.pk)})

    assert [row["subject_name"] for row in response.json()["results"]] == ["otto"]


def test_history_filters_by_actor(manager_client, world, superuser):
    services.grant(superuser, world.users["outsider"], world.definition, "read")

    response = manager_client.get("/api/access-events/", {"actor": "root"})

    assert [row["subject_name"] for row in response.json()["results"]] == ["otto"]


def test_history_filters_by_date_range(manager_client, world):
    old_event = AccessEvent.objects.get(subject_name="rita")
    old_event.occurred_at = timezone.now() - timedelta(days=10)
    old_event.save()
    since = (timezone.now() - timedelta(days=1)).date().isoformat()
    until = (timezone.now() - timedelta(days=5)).isoformat()

    recent = manager_client.get("/api/access-events/", {"occurred_after": since})
    older = manager_client.get("/api/access-events/", {"occurred_before": until})

    assert "rita" not in [row["subject_name"] for row in recent.json()["results"]]
    assert [row["subject_name"] for row in older.json()["results"]] == ["rita"]


def test_history_bad_date_is_400(manager_client, world):
    response = manager_client.get("/api/access-events/", {"occurred_after": "yesterday"})

    assert response.status_code == 400
    assert '"yesterday"' in response.json()["occurred_after"][0]


def test_history_membership_matches_both_sides(manager_client, world, group):
    world.users["outsider"].groups.add(group)

    by_user = manager_client.get("/api/access-events/", {"subject": "otto", "action": "member_added"})
    by_group = manager_client.get("/api/access-events/", {"subject": group.name, "action": "member_added"})

    assert by_user.json()["count"] == 1
    assert by_group.json()["count"] == 1


def test_history_far_offset_is_converted(manager_client, world):
    response = manager_client.get("/api/access-events/", {"occurred_after": "0046-12-13T22:44:36-22:40"})

    assert response.status_code == 200
    assert response.json()["count"] == AccessEvent.objects.count()


def test_history_date_before_year_one_is_400(manager_client, world):
    response = manager_client.get("/api/access-events/", {"occurred_before": "0001-01-01T00:00:00+05:00"})

    assert response.status_code == 400
    assert "0001-01-01T00:00:00+05:00" in response.json()["occurred_before"][0]


def test_access_check_nul_user_is_400(manager_client, world):
    response = manager_client.get(f"/api/cases/{world.case.pk}/access/check/", {"user": "ri\x00ta"})

    assert response.status_code == 400


def test_history_nul_subject_is_400(manager_client, world):
    response = manager_client.get("/api/access-events/", {"subject": "ri\x00ta"})

    assert response.status_code == 400
    assert "subject" in response.json()
