"""Guardian's object-permission pages: for access managers only, saving through the services."""

import pytest
from django.contrib.auth.models import Permission
from django.urls import reverse

from grants.levels import Level
from grants.models import AccessAction, AccessEvent, CaseGroupGrant, CaseUserGrant, DefinitionUserGrant


def permissions_url(target, *rest):
    model_name = target._meta.model_name
    if not rest:
        return reverse(f"admin:casemgmt_{model_name}_permissions", args=[target.pk])
    kind, subject = rest
    return reverse(f"admin:casemgmt_{model_name}_permissions_manage_{kind}", args=[target.pk, subject.pk])


@pytest.fixture
def case_writer(staff_user, case, grant):
    """A staff user who may write the case but is no access manager."""
    grant(staff_user, case, "write")
    return staff_user


@pytest.mark.parametrize("target_name", ["definition", "case"])
def test_manager_opens_permissions_page(staff_manager, superuser, request, login, grant, user, target_name):
    target = request.getfixturevalue(target_name)
    grant(user, target, "read")
    client = login(superuser if target_name == "case" else staff_manager)

    response = client.get(permissions_url(target))

    assert response.status_code == 200
    assert user in response.context["users_perms"]


def test_manager_grants_on_user_page(staff_manager, definition, user, login):
    response = login(staff_manager).post(permissions_url(definition, "user", user), {"level": "write"})

    assert response.status_code == 302
    assert DefinitionUserGrant.objects.get(user=user, content_object=definition).level == Level.WRITE
    event = AccessEvent.objects.get(action=AccessAction.GRANTED)
    assert (event.actor, event.subject_user, event.definition, event.new_level) == (
        staff_manager, user, definition, Level.WRITE
    )


def test_grant_on_permissions_page_appears_in_history(superuser, case, group, login):
    client = login(superuser)

    client.post(permissions_url(case, "group", group), {"level": "read"})
    response = client.get(reverse("admin:grants_accessevent_changelist"))

    assert CaseGroupGrant.objects.get(group=group, content_object=case).level == Level.READ
    assert case.number in response.content.decode()
    assert "Debt control" in response.content.decode()


def test_user_page_offers_levels(staff_manager, definition, user, grant, login):
    grant(user, definition, "read")

    response = login(staff_manager).get(permissions_url(definition, "user", user))

    form = response.context["form"]
    assert [value for value, _label in form.fields["level"].choices] == ["none", "read", "write"]
    assert form.fields["level"].initial == "read"


def test_no_grant_choice_revokes(staff_manager, definition, user, grant, login):
    grant(user, definition, "read")

    login(staff_manager).post(permissions_url(definition, "user", user), {"level": "none"})

    assert not DefinitionUserGrant.objects.exists()
    assert AccessEvent.objects.filter(action=AccessAction.REVOKED, subject_user=user).count() == 1


def test_same_level_records_nothing(staff_manager, definition, user, grant, login):
    grant(user, definition, "read")
    events_before = AccessEvent.objects.count()

    login(staff_manager).post(permissions_url(definition, "user", user), {"level": "read"})

    assert AccessEvent.objects.count() == events_before


def test_unknown_level_is_rejected(staff_manager, definition, user, login):
    response = login(staff_manager).post(permissions_url(definition, "user", user), {"level": "read_cases"})

    assert response.status_code == 200
    assert "read_cases" in str(response.context["form"].errors)
    assert not DefinitionUserGrant.objects.exists()


def test_inactive_user_is_rejected(staff_manager, definition, make_user, login):
    inactive = make_user(username="gone", is_active=False)

    response = login(staff_manager).post(permissions_url(definition, "user", inactive), {"level": "read"})

    assert "User gone is inactive" in str(response.context["form"].errors)
    assert not DefinitionUserGrant.objects.exists()


def test_manager_selects_user_by_username(staff_manager, definition, user, login):
    response = login(staff_manager).post(permissions_url(definition), {"user": "ulla", "submit_manage_user": "1"})

    assert response["Location"] == permissions_url(definition, "user", user)


@pytest.mark.parametrize("page", ["main", "user", "group"])
def test_non_manager_cannot_open_permissions_pages(case_writer, case, user, group, login, page):
    url = {"main": permissions_url(case), "user": permissions_url(case, "user", user),
           "group": permissions_url(case, "group", group)}[page]

    response = login(case_writer).get(url)

    assert response.status_code == 403


@pytest.mark.parametrize("kind", ["user", "group"])
def test_non_manager_cannot_post_permissions(case_writer, case, user, group, login, kind):
    subject = user if kind == "user" else group

    response = login(case_writer).post(permissions_url(case, kind, subject), {"level": "write"})

    assert response.status_code == 403
    assert not CaseUserGrant.objects.filter(user=user).exists()
    assert not CaseGroupGrant.objects.exists()


def test_non_manager_with_guardian_permissions_is_refused(case_writer, case, user, login):
    case_writer.user_permissions.add(*Permission.objects.filter(content_type__app_label="guardian"))

    response = login(case_writer).post(permissions_url(case, "user", user), {"level": "write"})

    assert response.status_code == 403


def test_button_hidden_from_non_manager(case_writer, case, login):
    response = login(case_writer).get(reverse("admin:casemgmt_caseinstance_change", args=[case.pk]))

    assert response.status_code == 200
    assert "Object permissions" not in response.content.decode()


def test_button_shown_to_manager(staff_manager, definition, login):
    response = login(staff_manager).get(reverse("admin:casemgmt_casedefinition_change", args=[definition.pk]))

    assert permissions_url(definition) in response.content.decode()


def test_manager_cannot_open_unreadable_case_permissions(staff_manager, case, login):
    response = login(staff_manager).get(permissions_url(case))

    assert response.status_code == 404
