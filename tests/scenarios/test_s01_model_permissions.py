"""S1: model permissions open no case of a definition under access control.

T holds `view_caseinstance` and `change_caseinstance` through a group and has no grant. The cases of D1
and D2 stay hidden on every route; on D0, whose access control is off, the model permissions decide,
and every route agrees on that.
"""

import pytest
from django.contrib.auth.models import Permission

from .conftest import DETAIL_ROUTES, LIST_ROUTES, assert_hidden, assert_opens, client_for, list_cases

pytestmark = pytest.mark.django_db


@pytest.fixture
def t_with_model_permissions(world):
    holders = world.g2
    holders.permissions.add(*Permission.objects.filter(codename__in=["view_caseinstance", "change_caseinstance"]))
    world.t.groups.add(holders)
    return world.t


@pytest.mark.parametrize("route", LIST_ROUTES)
def test_s01_controlled_cases_absent_from_list(world, t_with_model_permissions, route):
    listing = list_cases(route, client_for(route, t_with_model_permissions))

    assert listing.numbers == [world.c0a.number]
    assert listing.count == 1


@pytest.mark.parametrize("route", DETAIL_ROUTES)
@pytest.mark.parametrize("case_name", ["c1a", "c1b", "c2a"])
def test_s01_controlled_case_detail_not_found(world, t_with_model_permissions, route, case_name):
    assert_hidden(client_for(route, t_with_model_permissions), route, getattr(world, case_name))


@pytest.mark.parametrize("route", DETAIL_ROUTES)
def test_s01_uncontrolled_case_opens_on_every_route(world, t_with_model_permissions, route):
    assert_opens(client_for(route, t_with_model_permissions), route, world.c0a)


@pytest.mark.parametrize("route", ["page", "api"])
def test_s01_uncontrolled_case_writable_by_model_permission(world, t_with_model_permissions, route):
    client = client_for(route, t_with_model_permissions)

    if route == "page":
        response = client.post(f"/cases/{world.c0a.pk}/", {"status": "closed", "priority": "high"})
        assert response.status_code == 302
    else:
        response = client.patch(f"/api/cases/{world.c0a.pk}/", {"status": "closed"}, format="json")
        assert response.status_code == 200

    world.c0a.refresh_from_db()
    assert world.c0a.status == "closed"


@pytest.mark.parametrize("route", LIST_ROUTES)
def test_s01_no_model_permission_hides_uncontrolled_case(world, route):
    listing = list_cases(route, client_for(route, world.t))

    assert listing.numbers == []
    assert listing.count == 0


@pytest.mark.parametrize("route", DETAIL_ROUTES)
def test_s01_no_model_permission_uncontrolled_detail_not_found(world, route):
    assert_hidden(client_for(route, world.t), route, world.c0a)


@pytest.mark.parametrize("route", ["page", "api"])
@pytest.mark.parametrize("case_name", ["c1a", "c2a"])
def test_s01_model_permission_cannot_change_controlled_case(world, t_with_model_permissions, route, case_name):
    case = getattr(world, case_name)
    client = client_for(route, t_with_model_permissions)

    if route == "page":
        response = client.post(f"/cases/{case.pk}/", {"status": "closed", "priority": "high"})
    else:
        response = client.patch(f"/api/cases/{case.pk}/", {"status": "closed"}, format="json")

    assert response.status_code == 404
    case.refresh_from_db()
    assert case.status == "open"


def test_s01_admin_definition_filter_offers_only_d0(world, t_with_model_permissions):
    response = client_for("admin", t_with_model_permissions).get("/admin/casemgmt/caseinstance/")

    definition_filter = next(spec for spec in response.context_data["cl"].filter_specs if spec.parameter_name == "definition")
    assert [name for _pk, name in definition_filter.lookup_choices] == [world.d0.name]


def test_s01_admin_change_post_refused_on_controlled_case(world, t_with_model_permissions):
    client = client_for("admin", t_with_model_permissions)

    response = client.post(
        f"/admin/casemgmt/caseinstance/{world.c1a.pk}/change/",
        {"title": "Taken over", "status": "closed", "priority": "high"},
    )

    assert response.status_code == 302
    world.c1a.refresh_from_db()
    assert (world.c1a.title, world.c1a.status) == ("C1a first debt", "open")
