"""The common world of the access scenarios, and helpers that read one user's view of every route.

Definitions D1 and D2 have access control on and D0 has it off. Cases C1a and C1b belong to D1, C2a to
D2 and C0a to D0. U and V are active, ordinary users without model permissions. T is a staff user who
holds only the model permission the admin needs to list definitions. G1 and G2 are groups. Every grant
is made through `grants.services` by an access manager, as the product does.
"""

import re
import uuid
from dataclasses import dataclass

import pytest
from django.contrib.auth.models import Group, Permission
from django.test import Client
from rest_framework.authtoken.models import Token
from rest_framework.test import APIClient

from casemgmt.models import CaseDefinition, CaseInstance, User
from grants import services
from grants.levels import Level
from tests.factories import CaseFactory, DefinitionFactory, GroupFactory, UserFactory

# The routes that list cases, and those that open one case, for one signed-in user.
LIST_ROUTES = ["page", "api", "admin"]
DETAIL_ROUTES = ["page", "api", "api_browsable", "admin_change", "admin_history", "admin_delete", "api_my_access"]


@dataclass
class World:
    d0: CaseDefinition
    d1: CaseDefinition
    d2: CaseDefinition
    c0a: CaseInstance
    c1a: CaseInstance
    c1b: CaseInstance
    c2a: CaseInstance
    u: User
    v: User
    t: User
    g1: Group
    g2: Group
    manager: User

    def grant(self, subject, target, level):
        return services.grant(self.manager, subject, target, Level.parse(level))

    def revoke(self, subject, target):
        return services.revoke(self.manager, subject, target)


@pytest.fixture
def world(manager):
    """Build the common setup of the scenarios."""
    d0 = DefinitionFactory(name="D0 Uncontrolled", case_prefix="DZERO")
    services.set_access_control(manager, d0, False)
    d1 = DefinitionFactory(name="D1 Debt collection", case_prefix="DONE")
    d2 = DefinitionFactory(name="D2 Fraud", case_prefix="DTWO")

    t = UserFactory(username="tess", is_staff=True)
    t.user_permissions.add(Permission.objects.get(codename="view_casedefinition"))

    return World(
        d0=d0,
        d1=d1,
        d2=d2,
        c0a=CaseFactory(definition=d0, title="C0a uncontrolled case"),
        c1a=CaseFactory(definition=d1, title="C1a first debt"),
        c1b=CaseFactory(definition=d1, title="C1b second debt"),
        c2a=CaseFactory(definition=d2, title="C2a fraud"),
        u=UserFactory(username="ulrich"),
        v=UserFactory(username="vera"),
        t=t,
        g1=GroupFactory(name="G1 Collectors"),
        g2=GroupFactory(name="G2 Auditors"),
        manager=manager,
    )


# Clients


def page_client(user):
    """Return a test client with a browser session of `user`."""
    client = Client()
    client.force_login(user)
    return client


def api_client(user):
    """Return an API client that authenticates `user` with a real token."""
    client = APIClient()
    token, _created = Token.objects.get_or_create(user=user)
    client.credentials(HTTP_AUTHORIZATION=f"Token {token.key}")
    return client


# What one user sees


@dataclass
class Listing:
    numbers: list
    count: int


def list_cases(route, client, query=""):
    """Return the case numbers and the total count that a list route shows to the client's user."""
    if route == "page":
        response = client.get(f"/cases/?{query}")
        assert response.status_code == 200, response.content[:500]
        page = response.context["page"]
        return Listing([case.number for case in page.object_list], page.paginator.count)
    if route == "api":
        response = client.get(f"/api/cases/?{query}")
        assert response.status_code == 200, response.content[:500]
        body = response.json()
        return Listing([row["number"] for row in body["results"]], body["count"])
    if route == "admin":
        response = client.get(f"/admin/casemgmt/caseinstance/?{query}")
        assert response.status_code == 200, response.content[:500]
        changelist = response.context_data["cl"]
        return Listing([case.number for case in changelist.result_list], changelist.result_count)
    raise ValueError(route)


def detail_url(route, pk):
    return {
        "page": f"/cases/{pk}/",
        "api": f"/api/cases/{pk}/",
        "api_browsable": f"/api/cases/{pk}/?format=api",
        "api_my_access": f"/api/cases/{pk}/my-access/",
        "admin_change": f"/admin/casemgmt/caseinstance/{pk}/change/",
        "admin_history": f"/admin/casemgmt/caseinstance/{pk}/history/",
        "admin_delete": f"/admin/casemgmt/caseinstance/{pk}/delete/",
    }[route]


def client_for(route, user):
    return api_client(user) if route.startswith("api") else page_client(user)


def answer(response, *ids):
    """Return what a response reveals, with the requested ids blanked, for comparing not-found responses."""
    body = response.content.decode()
    location = response.headers.get("Location", "")
    for pk in ids:
        body, location = body.replace(str(pk), "<id>"), location.replace(str(pk), "<id>")
    # CSRF tokens change with every response and reveal nothing about the case.
    body = re.sub(r'name="csrfmiddlewaretoken" value="[^"]+"', "", body)
    body = re.sub(r'"csrfToken": "[^"]+"', "", body)
    return response.status_code, location, body


def assert_hidden(client, route, case):
    """Assert the case's detail response equals the response for a UUID that never existed."""
    unknown = uuid.uuid4()
    hidden = client.get(detail_url(route, case.pk))
    never = client.get(detail_url(route, unknown))

    assert hidden.status_code in (302, 404), (route, hidden.status_code)
    assert answer(hidden, case.pk) == answer(never, unknown), route
    assert case.number not in hidden.content.decode()
    assert case.title not in hidden.content.decode()


def assert_opens(client, route, case):
    response = client.get(detail_url(route, case.pk))
    assert response.status_code == 200, (route, response.status_code, response.content[:300])
    if route not in ("api_my_access",):
        assert case.number in response.content.decode(), route
    return response


# Side effects


def snapshot():
    """Return the rows that any access change or case change would touch, for before/after checks."""
    from grants.models import AccessEvent, CaseGroupGrant, CaseUserGrant, DefinitionGroupGrant, DefinitionUserGrant

    grants = {
        model.__name__: sorted(
            (str(row[0]), str(row[1]), row[2])
            for row in model.objects.values_list(
                "user_id" if "User" in model.__name__ else "group_id", "content_object_id", "permission__codename"
            )
        )
        for model in (DefinitionUserGrant, DefinitionGroupGrant, CaseUserGrant, CaseGroupGrant)
    }
    return {
        "grants": grants,
        "events": AccessEvent.objects.count(),
        "definitions": sorted(
            (str(pk), *rest)
            for pk, *rest in CaseDefinition.objects.values_list(
                "pk", "name", "description", "case_prefix", "access_controlled"
            )
        ),
        "cases": sorted(
            (str(pk), *rest)
            for pk, *rest in CaseInstance.objects.values_list("pk", "title", "status", "priority", "definition_id")
        ),
        "users": sorted(User.objects.values_list("username", "is_active")),
        "groups": sorted(Group.objects.values_list("name", flat=True)),
        "memberships": sorted(User.groups.through.objects.values_list("user_id", "group_id")),
    }


def change_case(route, client, case, status="closed"):
    """Change a case's status through a route and return the response status code."""
    if route == "page":
        return client.post(f"/cases/{case.pk}/", {"status": status, "priority": "high"}).status_code
    if route == "api":
        return client.patch(f"/api/cases/{case.pk}/", {"status": status}, format="json").status_code
    if route == "admin":
        data = {"title": case.title, "status": status, "priority": "high"}
        return client.post(f"/admin/casemgmt/caseinstance/{case.pk}/change/", data).status_code
    raise ValueError(route)


def stored_status(case):
    return CaseInstance.objects.get(pk=case.pk).status
