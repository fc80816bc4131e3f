"""S7: every detail action and nested route checks the object it names.

V, with no grant, gets the same response for C2a and D2 as for ids that never existed, on every route,
and changes nothing. U, reading D2, gets 403 on each state-changing action on C2a and 200 on each
read-only one. U, holding a grant on C1a alone, sees C1a and not C1b in every list scoped to D1.
V and U are no staff, so T stands in for them on the admin routes.
"""

import uuid

import pytest

from .conftest import answer, api_client, list_cases, page_client, snapshot

pytestmark = pytest.mark.django_db

CASE_BODY = {"title": "Taken over", "status": "closed", "priority": "high"}

# (method, URL template, body). {case}, {definition}, {user} and {group} are filled in per test.
API_ROUTES = [
    ("get", "/api/cases/{case}/", None),
    ("put", "/api/cases/{case}/", CASE_BODY),
    ("patch", "/api/cases/{case}/", {"title": "Taken over"}),
    ("delete", "/api/cases/{case}/", None),
    ("get", "/api/cases/{case}/?format=api", None),
    ("get", "/api/cases/{case}/my-access/", None),
    ("get", "/api/cases/{case}/grants/", None),
    ("post", "/api/cases/{case}/grants/", {"user": "vera", "level": "write"}),
    ("get", "/api/cases/{case}/grants/users/{user}/", None),
    ("put", "/api/cases/{case}/grants/users/{user}/", {"level": "write"}),
    ("patch", "/api/cases/{case}/grants/users/{user}/", {"level": "write"}),
    ("delete", "/api/cases/{case}/grants/users/{user}/", None),
    ("get", "/api/cases/{case}/grants/groups/{group}/", None),
    ("delete", "/api/cases/{case}/grants/groups/{group}/", None),
    ("get", "/api/cases/{case}/access/", None),
    ("get", "/api/cases/{case}/access/check/?user=vera", None),
    ("get", "/api/definitions/{definition}/", None),
    ("put", "/api/definitions/{definition}/", {"name": "Taken", "case_prefix": "TAKEN", "description": ""}),
    ("patch", "/api/definitions/{definition}/", {"description": "Taken over"}),
    ("delete", "/api/definitions/{definition}/", None),
    ("put", "/api/definitions/{definition}/access-control/", {"enabled": False}),
    ("get", "/api/definitions/{definition}/grants/", None),
    ("post", "/api/definitions/{definition}/grants/", {"group": "G2 Auditors", "level": "write"}),
    ("get", "/api/definitions/{definition}/grants/users/{user}/", None),
    ("put", "/api/definitions/{definition}/grants/users/{user}/", {"level": "write"}),
    ("delete", "/api/definitions/{definition}/grants/users/{user}/", None),
    ("get", "/api/cases/?definition={definition}", None),
    ("get", "/api/access-events/?definition={definition}", None),
]

PAGE_ROUTES = [
    ("get", "/cases/{case}/", None),
    ("post", "/cases/{case}/", {"status": "closed", "priority": "high"}),
    ("get", "/cases/?definition={definition}", None),
    ("get", "/access/definitions/{definition}/", None),
    ("get", "/access/definitions/{definition}/access-control/?enabled=off", None),
    ("post", "/access/definitions/{definition}/access-control/", {"enabled": "off"}),
    ("get", "/access/cases/{case}/grants/", None),
    ("post", "/access/cases/{case}/grants/new/", {"subject": "user-{v}", "level": "write"}),
    ("post", "/access/cases/{case}/grants/user-{user}/level/", {"level": "write"}),
    ("get", "/access/cases/{case}/grants/user-{user}/revoke/", None),
    ("post", "/access/cases/{case}/grants/user-{user}/revoke/", None),
    ("post", "/access/definitions/{definition}/grants/new/", {"subject": "user-{v}", "level": "write"}),
    ("post", "/access/definitions/{definition}/grants/user-{user}/revoke/", None),
    ("get", "/access/review/cases/{case}/", None),
]

ADMIN_ROUTES = [
    ("get", "/admin/casemgmt/caseinstance/{case}/change/", None),
    ("post", "/admin/casemgmt/caseinstance/{case}/change/", CASE_BODY),
    ("get", "/admin/casemgmt/caseinstance/{case}/history/", None),
    ("get", "/admin/casemgmt/caseinstance/{case}/delete/", None),
    ("post", "/admin/casemgmt/caseinstance/{case}/delete/", {"post": "yes"}),
    ("get", "/admin/casemgmt/caseinstance/{case}/permissions/", None),
    ("post", "/admin/casemgmt/caseinstance/{case}/permissions/user-manage/{user}/", {"level": "write"}),
    ("get", "/admin/casemgmt/casedefinition/{definition}/change/", None),
    ("post", "/admin/casemgmt/casedefinition/{definition}/delete/", {"post": "yes"}),
    ("get", "/admin/casemgmt/casedefinition/{definition}/permissions/", None),
]


def route_id(route):
    method, url, _body = route
    return f"{method} {url}"


def fill(template, world, case_pk, definition_pk):
    values = {"case": case_pk, "definition": definition_pk, "user": world.u.pk, "group": world.g1.pk, "v": world.v.pk}
    if isinstance(template, dict):
        return {key: fill(value, world, case_pk, definition_pk) for key, value in template.items()}
    if isinstance(template, str):
        return template.format(**values)
    return template


def call(client, route, world, case_pk, definition_pk, is_api):
    method, url, body = route
    url = fill(url, world, case_pk, definition_pk)
    body = fill(body, world, case_pk, definition_pk)
    if body is None:
        return getattr(client, method)(url)
    if is_api:
        return getattr(client, method)(url, body, format="json")
    return getattr(client, method)(url, body)


@pytest.fixture
def grants_on_d2(world):
    """U reads D2 and C2a and G1 reads C2a, so that the grant routes name grants that exist."""
    world.grant(world.u, world.d2, "read")
    world.grant(world.u, world.c2a, "read")
    world.grant(world.g1, world.c2a, "read")
    return world


def assert_same_as_unknown(client, route, world, is_api):
    before = snapshot()
    unknown_case, unknown_definition = uuid.uuid4(), uuid.uuid4()

    hidden = call(client, route, world, world.c2a.pk, world.d2.pk, is_api)
    never = call(client, route, world, unknown_case, unknown_definition, is_api)

    assert hidden.status_code in (200, 302, 403, 404), hidden.status_code
    assert answer(hidden, world.c2a.pk, world.d2.pk) == answer(never, unknown_case, unknown_definition)
    for secret in (world.c2a.number, world.c2a.title, world.d2.name):
        assert secret not in hidden.content.decode()
    assert snapshot() == before


@pytest.mark.parametrize("route", API_ROUTES, ids=route_id)
def test_s07_no_grant_same_as_unknown_api(grants_on_d2, route):
    assert_same_as_unknown(api_client(grants_on_d2.v), route, grants_on_d2, is_api=True)


@pytest.mark.parametrize("route", PAGE_ROUTES, ids=route_id)
def test_s07_no_grant_same_as_unknown_pages(grants_on_d2, route):
    assert_same_as_unknown(page_client(grants_on_d2.v), route, grants_on_d2, is_api=False)


@pytest.mark.parametrize("route", ADMIN_ROUTES, ids=route_id)
def test_s07_no_grant_same_as_unknown_admin(grants_on_d2, route):
    assert_same_as_unknown(page_client(grants_on_d2.t), route, grants_on_d2, is_api=False)


# U reads D2: read-only routes return 200, state-changing ones 403.

READ_ONLY_ROUTES = [
    ("api", ("get", "/api/cases/{case}/", None)),
    ("api", ("get", "/api/cases/{case}/?format=api", None)),
    ("api", ("get", "/api/cases/{case}/my-access/", None)),
    ("api", ("get", "/api/definitions/{definition}/", None)),
    ("api", ("get", "/api/cases/?definition={definition}", None)),
    ("page", ("get", "/cases/{case}/", None)),
    ("page", ("get", "/cases/?definition={definition}", None)),
    ("admin", ("get", "/admin/casemgmt/caseinstance/{case}/change/", None)),
    ("admin", ("get", "/admin/casemgmt/caseinstance/{case}/history/", None)),
    ("admin", ("get", "/admin/casemgmt/casedefinition/{definition}/change/", None)),
]

STATE_CHANGING_ROUTES = [
    ("api", ("put", "/api/cases/{case}/", CASE_BODY)),
    ("api", ("patch", "/api/cases/{case}/", {"title": "Taken over"})),
    ("api", ("delete", "/api/cases/{case}/", None)),
    ("api", ("post", "/api/cases/", {"definition": "{definition}", "title": "New in D2"})),
    ("api", ("patch", "/api/definitions/{definition}/", {"description": "Taken over"})),
    ("api", ("delete", "/api/definitions/{definition}/", None)),
    ("api", ("put", "/api/definitions/{definition}/access-control/", {"enabled": False})),
    ("api", ("post", "/api/cases/{case}/grants/", {"user": "vera", "level": "write"})),
    ("api", ("delete", "/api/cases/{case}/grants/users/{user}/", None)),
    ("page", ("post", "/cases/{case}/", {"status": "closed", "priority": "high"})),
    ("page", ("post", "/access/cases/{case}/grants/new/", {"subject": "user-{v}", "level": "write"})),
    ("page", ("post", "/access/cases/{case}/grants/user-{user}/revoke/", None)),
    ("admin", ("post", "/admin/casemgmt/caseinstance/{case}/change/", CASE_BODY)),
    ("admin", ("post", "/admin/casemgmt/caseinstance/{case}/delete/", {"post": "yes"})),
    ("admin", ("get", "/admin/casemgmt/caseinstance/{case}/delete/", None)),
    ("admin", ("post", "/admin/casemgmt/caseinstance/{case}/permissions/user-manage/{user}/", {"level": "write"})),
]


def reader_client(world, channel):
    if channel == "api":
        return api_client(world.u)
    if channel == "page":
        return page_client(world.u)
    return page_client(world.t)


@pytest.fixture
def readers_of_d2(world):
    world.grant(world.u, world.d2, "read")
    world.grant(world.t, world.d2, "read")
    return world


@pytest.mark.parametrize(("channel", "route"), READ_ONLY_ROUTES, ids=lambda value: value if isinstance(value, str) else route_id(value))
def test_s07_reader_gets_200_on_read_only_route(readers_of_d2, channel, route):
    response = call(reader_client(readers_of_d2, channel), route, readers_of_d2, readers_of_d2.c2a.pk, readers_of_d2.d2.pk, channel == "api")

    assert response.status_code == 200
    body = response.content.decode()
    assert readers_of_d2.c2a.number in body or readers_of_d2.d2.name in body or str(readers_of_d2.c2a.pk) in body


@pytest.mark.parametrize(("channel", "route"), STATE_CHANGING_ROUTES, ids=lambda value: value if isinstance(value, str) else route_id(value))
def test_s07_reader_gets_403_on_state_changing_route(readers_of_d2, channel, route):
    before = snapshot()

    response = call(reader_client(readers_of_d2, channel), route, readers_of_d2, readers_of_d2.c2a.pk, readers_of_d2.d2.pk, channel == "api")

    assert response.status_code == 403
    assert snapshot() == before


# U has a grant on C1a alone.


@pytest.mark.parametrize("route", ["page", "api", "admin"])
@pytest.mark.parametrize("extra", ["", "&q=debt", "&status=open"])
def test_s07_case_grant_alone_in_definition_scoped_list(world, route, extra):
    user = world.t if route == "admin" else world.u
    world.grant(user, world.c1a, "read")
    client = api_client(user) if route == "api" else page_client(user)
    extra = extra.replace("status=", "status__exact=") if route == "admin" else extra

    listing = list_cases(route, client, f"definition={world.d1.pk}{extra}")

    assert listing.numbers == [world.c1a.number]
    assert listing.count == 1
