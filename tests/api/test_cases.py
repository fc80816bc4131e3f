"""The case endpoints: what each caller lists, reads, creates and changes, and the errors."""

import pytest
from django.contrib.auth.models import Permission

from casemgmt.models import CaseInstance
from grants import services

pytestmark = pytest.mark.django_db


def numbers(response):
    return [row["number"] for row in response.json()["results"]]


def test_list_leaves_out_unreadable_cases(world, make_case, make_definition):
    hidden = make_case(definition=make_definition(), title="Hidden")

    response = world.client("reader").get("/api/cases/")

    assert response.status_code == 200
    assert numbers(response) == [world.case.number]
    assert hidden.number not in numbers(response)


def test_list_includes_caller_level(world):
    reader_row = world.client("reader").get("/api/cases/").json()["results"][0]
    writer_row = world.client("writer").get("/api/cases/").json()["results"][0]

    assert reader_row["access_level"] == "read"
    assert writer_row["access_level"] == "write"


def test_list_empty_for_outsider(world):
    response = world.client("outsider").get("/api/cases/")

    assert response.json()["count"] == 0
    assert response.json()["results"] == []


def test_list_filters_by_definition(world, make_case, make_definition, grant):
    other_definition = make_definition()
    other = make_case(definition=other_definition)
    grant(world.users["reader"], other_definition, "read")

    response = world.client("reader").get("/api/cases/", {"definition": str(other_definition.pk)})

    assert numbers(response) == [other.number]


def test_list_filters_by_status(world, make_case):
    closed = make_case(definition=world.definition, status="closed")

    response = world.client("reader").get("/api/cases/", {"status": "closed"})

    assert numbers(response) == [closed.number]


def test_list_filters_by_text(world, make_case):
    make_case(definition=world.definition, title="Broken contract")

    by_title = world.client("reader").get("/api/cases/", {"q": "invoice"})
    by_number = world.client("reader").get("/api/cases/", {"q": world.case.number.lower()})

    assert numbers(by_title) == [world.case.number]
    assert numbers(by_number) == [world.case.number]


def test_list_orders_by_title(world, make_case):
    make_case(definition=world.definition, title="Annual review")
    make_case(definition=world.definition, title="Zero balance")

    response = world.client("reader").get("/api/cases/", {"ordering": "-title"})

    titles = [row["title"] for row in response.json()["results"]]
    assert titles == ["Zero balance", "Unpaid invoice 4411", "Annual review"]


def test_list_rejects_unknown_ordering(world):
    response = world.client("reader").get("/api/cases/", {"ordering": "secret_field"})

    assert response.status_code == 400
    assert "secret_field" in response.json()["ordering"][0]


def test_list_rejects_malformed_definition_filter(world):
    response = world.client("reader").get("/api/cases/", {"definition": "not-a-uuid"})

    assert response.status_code == 400
    assert "not-a-uuid" in response.json()["definition"][0]


def test_list_rejects_unknown_status_filter(world):
    response = world.client("reader").get("/api/cases/", {"status": "lost"})

    assert response.status_code == 400
    assert "lost" in response.json()["status"][0]


def test_list_page_size_up_to_200(world, make_case):
    CaseInstance.objects.bulk_create(
        [CaseInstance(definition=world.definition, number=f"BULK-{index:06d}", title="Bulk") for index in range(250)]
    )

    big = world.client("reader").get("/api/cases/", {"page_size": 150})
    capped = world.client("reader").get("/api/cases/", {"page_size": 1000})
    default = world.client("reader").get("/api/cases/")

    assert len(big.json()["results"]) == 150
    assert len(capped.json()["results"]) == 200
    assert len(default.json()["results"]) == 50
    assert default.json()["count"] == 251


def test_create_case_as_writer(world):
    response = world.client("writer").post(
        "/api/cases/", {"definition": str(world.definition.pk), "title": "Late fee"}, format="json"
    )

    assert response.status_code == 201
    body = response.json()
    assert body["number"].startswith("DEBT-")
    assert body["created_by"] == "wanda"
    assert body["status"] == "open"
    assert body["access_level"] == "write"


def test_create_with_case_grant_is_403(world, grant):
    outsider = world.users["outsider"]
    grant(outsider, world.case, "write")

    response = world.client("outsider").post(
        "/api/cases/", {"definition": str(world.definition.pk), "title": "Late fee"}, format="json"
    )

    assert response.status_code == 403
    assert "Debt collection" in response.json()["detail"]


def test_create_hidden_definition_matches_unknown(world):
    client = world.client("outsider")
    hidden_id, unknown_id = str(world.definition.pk), "00000000-0000-4000-8000-000000000000"

    hidden = client.post("/api/cases/", {"definition": hidden_id, "title": "x"}, format="json")
    unknown = client.post("/api/cases/", {"definition": unknown_id, "title": "x"}, format="json")

    assert hidden.status_code == 400
    assert unknown.status_code == 400
    assert hidden_id in hidden.json()["definition"][0]
    hidden_message = hidden.json()["definition"][0].replace(hidden_id, "<id>")
    assert hidden_message == unknown.json()["definition"][0].replace(unknown_id, "<id>")


def test_create_malformed_definition_is_400(world):
    response = world.client("writer").post("/api/cases/", {"definition": "abc", "title": "x"}, format="json")

    assert response.status_code == 400
    assert '"abc"' in response.json()["definition"][0]


def test_create_unknown_status_is_400(world):
    body = {"definition": str(world.definition.pk), "title": "x", "status": "lost"}

    response = world.client("writer").post("/api/cases/", body, format="json")

    assert response.status_code == 400
    assert '"lost"' in response.json()["status"][0]
    assert "in_progress" in response.json()["status"][0]


def test_update_case_keeps_definition(world, make_definition):
    other = make_definition()

    response = world.client("writer").patch(
        f"/api/cases/{world.case.pk}/", {"definition": str(other.pk), "title": "Moved?"}, format="json"
    )

    world.case.refresh_from_db()
    assert response.status_code == 200
    assert world.case.definition_id == world.definition.pk
    assert world.case.title == "Moved?"


def test_reader_update_is_403(world):
    response = world.client("reader").patch(f"/api/cases/{world.case.pk}/", {"title": "Hacked"}, format="json")

    world.case.refresh_from_db()
    assert response.status_code == 403
    assert "write access" in response.json()["detail"]
    assert world.case.title == "Unpaid invoice 4411"


def test_case_grant_write_allows_update(world, grant):
    grant(world.users["outsider"], world.case, "write")

    response = world.client("outsider").patch(f"/api/cases/{world.case.pk}/", {"title": "Done"}, format="json")

    assert response.status_code == 200
    assert response.json()["access_level"] == "write"


def test_my_access_reports_level(world):
    response = world.client("reader").get(f"/api/cases/{world.case.pk}/my-access/")

    assert response.json() == {"case": str(world.case.pk), "level": "read"}


def test_access_control_off_uses_model_permissions(world, superuser):
    services.set_access_control(superuser, world.definition, False)
    outsider = world.users["outsider"]
    outsider.user_permissions.add(Permission.objects.get(codename="view_caseinstance"))

    outsider_row = world.client("outsider").get(f"/api/cases/{world.case.pk}/")
    reader_row = world.client("reader").get(f"/api/cases/{world.case.pk}/")

    assert outsider_row.status_code == 200
    assert outsider_row.json()["access_level"] == "read"
    assert reader_row.status_code == 404


def test_inactive_token_is_401(world):
    response = world.client("inactive").get("/api/cases/")

    assert response.status_code == 401
    assert response["WWW-Authenticate"] == "Token"
