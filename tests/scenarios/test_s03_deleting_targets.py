"""S3: deleting a case or a definition deletes its grants, and revoking on a deleted target is not found.

U has read on C2a and G1 has write on D1. Each deletion route (the model, the API, the admin) must
leave no grant row and no listing of the deleted target. Revoking one instance grant while a
definition grant also reaches the case removes that instance grant alone.
"""

import pytest
from django.contrib.admin.models import LogEntry
from django.core.exceptions import ObjectDoesNotExist
from guardian.models import GroupObjectPermission, UserObjectPermission

from casemgmt.models import CaseDefinition, CaseInstance
from grants import services
from grants.levels import Level
from grants.models import AccessAction, AccessEvent, CaseGroupGrant, CaseUserGrant, DefinitionGroupGrant, DefinitionUserGrant
from grants.policy import level_of_user_on_case

from .conftest import api_client, page_client

pytestmark = pytest.mark.django_db

GRANT_MODELS = [DefinitionUserGrant, DefinitionGroupGrant, CaseUserGrant, CaseGroupGrant]
DELETE_ROUTES = ["model", "api", "admin"]


@pytest.fixture
def granted(world, superuser):
    world.grant(world.u, world.c2a, "read")
    world.grant(world.g1, world.d1, "write")
    world.grant(world.u, world.c1a, "write")
    world.u.groups.add(world.g1)
    return world


def delete_case(route, case, superuser):
    if route == "model":
        case.delete()
    elif route == "api":
        assert api_client(superuser).delete(f"/api/cases/{case.pk}/").status_code == 204
    else:
        response = page_client(superuser).post(f"/admin/casemgmt/caseinstance/{case.pk}/delete/", {"post": "yes"})
        assert response.status_code == 302
    assert not CaseInstance.objects.filter(pk=case.pk).exists()


def delete_definition(route, definition, superuser):
    if route == "model":
        definition.delete()
    elif route == "api":
        assert api_client(superuser).delete(f"/api/definitions/{definition.pk}/").status_code == 204
    else:
        response = page_client(superuser).post(
            f"/admin/casemgmt/casedefinition/{definition.pk}/delete/", {"post": "yes"}
        )
        assert response.status_code == 302
    assert not CaseDefinition.objects.filter(pk=definition.pk).exists()


def grant_rows_on(target_ids):
    rows = [model.objects.filter(content_object_id__in=target_ids).count() for model in GRANT_MODELS]
    text_ids = [str(pk) for pk in target_ids]
    rows.append(UserObjectPermission.objects.filter(object_pk__in=text_ids).count())
    rows.append(GroupObjectPermission.objects.filter(object_pk__in=text_ids).count())
    return rows


@pytest.mark.parametrize("route", DELETE_ROUTES)
def test_s03_deleting_case_deletes_its_grants(granted, superuser, route):
    case_pk = granted.c2a.pk

    delete_case(route, granted.c2a, superuser)

    assert grant_rows_on([case_pk]) == [0, 0, 0, 0, 0, 0]
    assert CaseUserGrant.objects.filter(user=granted.u).count() == 1  # The grant on C1a stays.


@pytest.mark.parametrize("route", DELETE_ROUTES)
def test_s03_deleting_definition_deletes_cases_and_grants(granted, superuser, route):
    targets = [granted.d1.pk, granted.c1a.pk, granted.c1b.pk]

    delete_definition(route, granted.d1, superuser)

    assert grant_rows_on(targets) == [0, 0, 0, 0, 0, 0]
    assert not CaseInstance.objects.filter(pk__in=targets).exists()
    assert CaseUserGrant.objects.filter(user=granted.u, content_object=granted.c2a).exists()


@pytest.mark.parametrize("route", DELETE_ROUTES)
def test_s03_deleted_targets_recorded_in_history(granted, superuser, route):
    delete_case(route, granted.c2a, superuser)
    delete_definition(route, granted.d1, superuser)

    deleted = AccessEvent.objects.filter(action=AccessAction.TARGET_DELETED)
    assert sorted(deleted.values_list("subject_name", "old_level")) == sorted([
        (granted.u.username, Level.READ),
        (granted.u.username, Level.WRITE),
        (granted.g1.name, Level.WRITE),
    ])


@pytest.mark.parametrize(
    "url",
    [
        "/admin/grants/caseusergrant/",
        "/admin/grants/casegroupgrant/",
        "/admin/grants/definitionusergrant/",
        "/admin/grants/definitiongroupgrant/",
    ],
)
def test_s03_admin_grant_lists_omit_deleted_targets(granted, superuser, url):
    c2a_number, c1a_number, d1_name = granted.c2a.number, granted.c1a.number, granted.d1.name
    delete_case("model", granted.c2a, superuser)
    delete_definition("model", granted.d1, superuser)

    response = page_client(superuser).get(url)

    assert response.status_code == 200
    assert response.context_data["cl"].result_count == 0
    body = response.content.decode()
    for name in (c2a_number, c1a_number, d1_name):
        assert name not in body


def test_s03_user_access_page_omits_deleted_targets(granted, superuser):
    c2a_number, c1a_number, d1_name = granted.c2a.number, granted.c1a.number, granted.d1.name
    delete_case("model", granted.c2a, superuser)
    delete_definition("model", granted.d1, superuser)

    response = page_client(granted.manager).get(f"/access/review/users/{granted.u.pk}/")

    # The history section keeps the names of deleted targets on purpose; the current access omits them.
    assert response.status_code == 200
    summary = response.context["summary"]
    assert d1_name not in [access.definition.name for access in summary.definitions]
    listed = [case.number for case in response.context["cases_page"].object_list]
    assert c2a_number not in listed
    assert c1a_number not in listed


def test_s03_definition_list_page_omits_deleted(granted, superuser):
    d1_name = granted.d1.name
    delete_definition("model", granted.d1, superuser)

    response = page_client(granted.manager).get("/access/definitions/")

    assert d1_name not in response.content.decode()


@pytest.mark.parametrize("kind", ["cases", "definitions"])
def test_s03_api_grant_list_of_deleted_target_not_found(granted, superuser, kind):
    target = granted.c2a if kind == "cases" else granted.d1
    target_pk = target.pk
    target.delete()

    response = api_client(granted.manager).get(f"/api/{kind}/{target_pk}/grants/")

    assert response.status_code == 404


def test_s03_api_revoke_on_deleted_case_not_found(granted):
    case_pk = granted.c2a.pk
    granted.c2a.delete()
    events = AccessEvent.objects.count()

    response = api_client(granted.manager).delete(f"/api/cases/{case_pk}/grants/users/{granted.u.pk}/")

    assert response.status_code == 404
    assert response.json() == {"detail": "Case not found."}
    assert AccessEvent.objects.count() == events


def test_s03_page_revoke_on_deleted_case_not_found(granted):
    case_pk = granted.c2a.pk
    granted.c2a.delete()
    events = AccessEvent.objects.count()

    response = page_client(granted.manager).post(f"/access/cases/{case_pk}/grants/user-{granted.u.pk}/revoke/")

    assert response.status_code == 404
    assert AccessEvent.objects.count() == events


def test_s03_service_revoke_on_deleted_case_not_found(granted):
    stale = CaseInstance.objects.get(pk=granted.c2a.pk)
    granted.c2a.delete()

    with pytest.raises(ObjectDoesNotExist, match="no longer exists"):
        services.revoke(granted.manager, granted.u, stale)


def test_s03_admin_permissions_page_of_deleted_case(granted, superuser):
    case_pk = granted.c2a.pk
    granted.c2a.delete()

    response = page_client(superuser).get(f"/admin/casemgmt/caseinstance/{case_pk}/permissions/")

    assert response.status_code in (302, 404)
    assert not LogEntry.objects.exists()


# Revoking an instance grant under a definition grant


@pytest.fixture
def both_grants(world):
    world.grant(world.u, world.d1, "read")
    world.grant(world.u, world.c1a, "write")
    return world


def revoke_instance_grant(route, world, superuser):
    if route == "service":
        world.revoke(world.u, world.c1a)
    elif route == "page":
        response = page_client(world.manager).post(f"/access/cases/{world.c1a.pk}/grants/user-{world.u.pk}/revoke/")
        assert response.status_code == 302
    elif route == "api":
        response = api_client(world.manager).delete(f"/api/cases/{world.c1a.pk}/grants/users/{world.u.pk}/")
        assert response.status_code == 204
    else:
        response = page_client(superuser).post(
            f"/admin/casemgmt/caseinstance/{world.c1a.pk}/permissions/user-manage/{world.u.pk}/", {"level": "none"}
        )
        assert response.status_code == 302


@pytest.mark.parametrize("route", ["service", "page", "api", "admin"])
def test_s03_instance_revoke_keeps_definition_grant(both_grants, superuser, route):
    revoke_instance_grant(route, both_grants, superuser)

    assert not CaseUserGrant.objects.filter(user=both_grants.u).exists()
    assert DefinitionUserGrant.objects.get(user=both_grants.u, content_object=both_grants.d1).level == Level.READ
    assert level_of_user_on_case(both_grants.u, both_grants.c1a) == Level.READ
    assert AccessEvent.objects.filter(action=AccessAction.REVOKED).count() == 1
