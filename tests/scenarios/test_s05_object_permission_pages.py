"""S5: guardian's object-permission pages in the admin are for access managers only.

T reads D1, has nothing on D2 and is no access manager: T can neither open nor post to those pages of
any definition or case, grants no one anything there, and sees no "Object permissions" button. An
access manager opens them for the UUID-keyed definitions and cases, and saves through the services.
"""

import pytest

from grants.levels import Level
from grants.models import AccessEvent, CaseUserGrant, DefinitionGroupGrant, DefinitionUserGrant

from .conftest import page_client

pytestmark = pytest.mark.django_db

TARGETS = ["d1", "d2", "c1a", "c2a"]


@pytest.fixture
def t_reader(world):
    world.grant(world.t, world.d1, "read")
    return world.t


@pytest.fixture
def staff_manager(world):
    world.manager.is_staff = True
    world.manager.save(update_fields=["is_staff"])
    return world.manager


def admin_base(target):
    return f"/admin/casemgmt/{target._meta.model_name}/{target.pk}"


def permission_urls(target, world):
    base = admin_base(target)
    return {
        "page": f"{base}/permissions/",
        "user": f"{base}/permissions/user-manage/{world.t.pk}/",
        "group": f"{base}/permissions/group-manage/{world.g1.pk}/",
    }


def grant_row_count():
    return sum(model.objects.count() for model in (DefinitionUserGrant, DefinitionGroupGrant, CaseUserGrant))


def refused(response):
    return response.status_code == 403 or (
        response.status_code == 302 and response["Location"].startswith("/admin/login/")
    )


@pytest.mark.parametrize("page", ["page", "user", "group"])
@pytest.mark.parametrize("target_name", TARGETS)
def test_s05_non_manager_cannot_open_permission_pages_admin(world, t_reader, target_name, page):
    url = permission_urls(getattr(world, target_name), world)[page]

    response = page_client(t_reader).get(url)

    assert refused(response), (url, response.status_code)


POSTS = {
    "page": {"user": "tess", "submit_manage_user": "Manage user"},
    "user": {"level": "write"},
    "group": {"level": "write"},
}


@pytest.mark.parametrize("page", ["page", "user", "group"])
@pytest.mark.parametrize("target_name", TARGETS)
def test_s05_non_manager_post_grants_nothing_admin(world, t_reader, target_name, page):
    url = permission_urls(getattr(world, target_name), world)[page]
    grants, events = grant_row_count(), AccessEvent.objects.count()

    response = page_client(t_reader).post(url, POSTS[page])

    assert refused(response), (url, response.status_code)
    assert grant_row_count() == grants
    assert AccessEvent.objects.count() == events
    assert DefinitionUserGrant.objects.get(user=t_reader).level == Level.READ


def test_s05_no_permissions_button_for_non_manager_admin(world, t_reader):
    response = page_client(t_reader).get(f"{admin_base(world.d1)}/change/")

    assert response.status_code == 200
    assert "Object permissions" not in response.content.decode()
    assert "/permissions/" not in response.content.decode()


def test_s05_no_case_permissions_button_admin(world, t_reader):
    response = page_client(t_reader).get(f"{admin_base(world.c1a)}/change/")

    assert response.status_code == 200
    assert "Object permissions" not in response.content.decode()


def test_s05_permissions_button_shown_to_manager_admin(world, staff_manager):
    response = page_client(staff_manager).get(f"{admin_base(world.d2)}/change/")

    assert response.status_code == 200
    assert f'href="{admin_base(world.d2)}/permissions/"' in response.content.decode()


@pytest.mark.parametrize("page", ["page", "user", "group"])
@pytest.mark.parametrize("target_name", ["d1", "d2"])
def test_s05_manager_opens_permission_pages_admin(world, staff_manager, target_name, page):
    response = page_client(staff_manager).get(permission_urls(getattr(world, target_name), world)[page])

    assert response.status_code == 200


@pytest.mark.parametrize("target_name", ["c1a", "c2a"])
def test_s05_superuser_opens_case_permission_page_admin(world, superuser, target_name):
    response = page_client(superuser).get(permission_urls(getattr(world, target_name), world)["page"])

    assert response.status_code == 200


@pytest.mark.parametrize(("kind", "model"), [("user", DefinitionUserGrant), ("group", DefinitionGroupGrant)])
def test_s05_manager_saves_on_permission_page_admin(world, staff_manager, kind, model):
    response = page_client(staff_manager).post(permission_urls(world.d2, world)[kind], {"level": "write"})

    assert response.status_code == 302
    subject = {"user": world.t, "group": world.g1}[kind]
    assert model.objects.get(**{kind: subject}, content_object=world.d2).level == Level.WRITE
    assert AccessEvent.objects.filter(definition=world.d2, new_level=Level.WRITE).count() == 1


def test_s05_manager_picks_user_on_permission_page_admin(world, staff_manager):
    response = page_client(staff_manager).post(
        permission_urls(world.d2, world)["page"], {"user": world.t.username, "submit_manage_user": "Manage user"}
    )

    assert response.status_code == 302
    assert response["Location"].endswith(f"/permissions/user-manage/{world.t.pk}/")
