"""The grant models' own admin screens: for access managers, saving through the services."""

import pytest
from django.contrib.auth.models import Permission
from django.urls import reverse

from grants.levels import Level
from grants.models import AccessAction, AccessEvent, CaseUserGrant, DefinitionGroupGrant, DefinitionUserGrant


def test_manager_adds_grant(staff_manager, definition, user, login):
    response = login(staff_manager).post(
        reverse("admin:grants_definitionusergrant_add"),
        {"user": user.pk, "content_object": definition.pk, "level": "read"},
    )

    assert response.status_code == 302
    assert DefinitionUserGrant.objects.get(user=user).level == Level.READ
    assert AccessEvent.objects.get(action=AccessAction.GRANTED).actor == staff_manager


def test_add_form_rejects_inactive_user(staff_manager, definition, make_user, login):
    inactive = make_user(username="gone", is_active=False)

    response = login(staff_manager).post(
        reverse("admin:grants_definitionusergrant_add"),
        {"user": inactive.pk, "content_object": definition.pk, "level": "read"},
    )

    assert "User gone is inactive" in str(response.context["adminform"].form.errors)
    assert not DefinitionUserGrant.objects.exists()


@pytest.mark.parametrize(
    ("model_name", "subject_field", "field", "value"),
    [
        ("definitionusergrant", "user", "content_object", "garbage"),
        ("definitionusergrant", "user", "user", "abc"),
        ("definitionusergrant", "user", "user", "9" * 30),
        ("definitiongroupgrant", "group", "content_object", "not-a-uuid"),
        ("caseusergrant", "user", "content_object", "garbage"),
    ],
)
def test_add_form_rejects_malformed_ids(
    staff_manager, definition, user, group, login, model_name, subject_field, field, value
):
    subject = user if subject_field == "user" else group
    data = {subject_field: subject.pk, "content_object": definition.pk, "level": "read", field: value}

    response = login(staff_manager).post(reverse(f"admin:grants_{model_name}_add"), data)

    assert response.status_code == 200
    assert field in response.context["adminform"].form.errors
    assert not AccessEvent.objects.filter(action=AccessAction.GRANTED).exists()


def test_manager_changes_level(staff_manager, definition, group, grant, login):
    existing = grant(group, definition, "read").grant

    login(staff_manager).post(
        reverse("admin:grants_definitiongroupgrant_change", args=[existing.pk]), {"level": "write"}
    )

    existing.refresh_from_db()
    assert existing.level == Level.WRITE
    assert AccessEvent.objects.filter(action=AccessAction.LEVEL_CHANGED).count() == 1


def test_change_keeps_subject(staff_manager, definition, group, make_group, grant, login):
    existing = grant(group, definition, "read").grant
    other = make_group(name="Auditors")

    login(staff_manager).post(
        reverse("admin:grants_definitiongroupgrant_change", args=[existing.pk]),
        {"group": other.pk, "level": "read"},
    )

    assert list(DefinitionGroupGrant.objects.values_list("group", flat=True)) == [group.pk]


def test_manager_deletes_grant(staff_manager, definition, user, grant, login):
    existing = grant(user, definition, "write").grant

    response = login(staff_manager).post(
        reverse("admin:grants_definitionusergrant_delete", args=[existing.pk]), {"post": "yes"}
    )

    assert response.status_code == 302
    assert not DefinitionUserGrant.objects.exists()
    assert AccessEvent.objects.filter(action=AccessAction.REVOKED, actor=staff_manager).count() == 1


def test_bulk_delete_revokes_each(staff_manager, definition, user, other_user, grant, login):
    grants = [grant(subject, definition, "read").grant for subject in (user, other_user)]

    login(staff_manager).post(
        reverse("admin:grants_definitionusergrant_changelist"),
        {"action": "delete_selected", "_selected_action": [row.pk for row in grants], "post": "yes"},
    )

    assert not DefinitionUserGrant.objects.exists()
    assert AccessEvent.objects.filter(action=AccessAction.REVOKED).count() == 2


@pytest.mark.parametrize(
    "model_name", ["definitionusergrant", "definitiongroupgrant", "caseusergrant", "casegroupgrant"]
)
def test_non_manager_is_refused(staff_user, login, model_name):
    model_permissions = Permission.objects.filter(content_type__app_label="grants").exclude(codename="manage_access")
    staff_user.user_permissions.add(*model_permissions)

    response = login(staff_user).get(reverse(f"admin:grants_{model_name}_changelist"))

    assert response.status_code == 403


def test_case_grants_of_unreadable_cases_are_hidden(staff_manager, case, user, grant, login):
    grant(user, case, "read")

    response = login(staff_manager).get(reverse("admin:grants_caseusergrant_changelist"))

    assert list(response.context["cl"].result_list) == []


def test_case_grants_listed_to_superuser(superuser, case, user, grant, login):
    grant(user, case, "read")

    response = login(superuser).get(reverse("admin:grants_caseusergrant_changelist"))

    assert list(response.context["cl"].result_list) == list(CaseUserGrant.objects.all())
    assert case.number in response.content.decode()
