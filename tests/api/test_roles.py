"""Every endpoint and method against every role, with the status each one must get.

Columns follow ROLES: superuser, manager, writer, reader, outsider, inactive, anonymous. The manager
has grants.manage_access but no grant on the case, so he manages access without reading the case.
The outsider has no access at all, so every case and definition is 404 to him, as an unknown id is.
"""

import pytest

from .conftest import ROLES

pytestmark = pytest.mark.django_db

DEFINITION_BODY = {"name": "Fraud review", "case_prefix": "FRAUD", "description": "Checks"}


def definition_url(world, suffix=""):
    return f"/api/definitions/{world.definition.pk}/{suffix}"


def case_url(world, suffix=""):
    return f"/api/cases/{world.case.pk}/{suffix}"


# (name, method, url builder, body builder, statuses by role in ROLES order)
MATRIX = [
    ("definitions list", "get", lambda w: "/api/definitions/", None,
     [200, 200, 200, 200, 200, 401, 401]),
    ("definition create", "post", lambda w: "/api/definitions/", lambda w: DEFINITION_BODY,
     [201, 201, 403, 403, 403, 401, 401]),
    ("definition get", "get", definition_url, None,
     [200, 200, 200, 200, 404, 401, 401]),
    ("definition put", "put", definition_url, lambda w: {"name": "Debts", "case_prefix": "DEBT"},
     [200, 200, 403, 403, 404, 401, 401]),
    ("definition patch", "patch", definition_url, lambda w: {"description": "Overdue invoices"},
     [200, 200, 403, 403, 404, 401, 401]),
    ("definition delete", "delete", definition_url, None,
     [204, 204, 403, 403, 404, 401, 401]),
    ("access control switch", "put", lambda w: definition_url(w, "access-control/"), lambda w: {"enabled": False},
     [200, 200, 403, 403, 404, 401, 401]),
    ("definition grants list", "get", lambda w: definition_url(w, "grants/"), None,
     [200, 200, 403, 403, 403, 401, 401]),
    ("definition grant create", "post", lambda w: definition_url(w, "grants/"),
     lambda w: {"group": "Auditors", "level": "read"},
     [201, 201, 403, 403, 403, 401, 401]),
    ("definition grant get", "get", lambda w: definition_url(w, f"grants/users/{w.users['reader'].pk}/"), None,
     [200, 200, 403, 403, 403, 401, 401]),
    ("definition grant put", "put", lambda w: definition_url(w, f"grants/users/{w.users['reader'].pk}/"),
     lambda w: {"level": "write"},
     [200, 200, 403, 403, 403, 401, 401]),
    ("definition grant patch", "patch", lambda w: definition_url(w, f"grants/users/{w.users['reader'].pk}/"),
     lambda w: {"level": "write"},
     [200, 200, 403, 403, 403, 401, 401]),
    ("definition grant delete", "delete", lambda w: definition_url(w, f"grants/users/{w.users['reader'].pk}/"),
     None,
     [204, 204, 403, 403, 403, 401, 401]),
    ("cases list", "get", lambda w: "/api/cases/", None,
     [200, 200, 200, 200, 200, 401, 401]),
    ("case create", "post", lambda w: "/api/cases/", lambda w: {"definition": str(w.definition.pk), "title": "New"},
     [201, 403, 201, 403, 400, 401, 401]),
    ("case get", "get", case_url, None,
     [200, 404, 200, 200, 404, 401, 401]),
    ("case put", "put", case_url, lambda w: {"title": "Renamed", "status": "closed", "priority": "high"},
     [200, 404, 200, 403, 404, 401, 401]),
    ("case patch", "patch", case_url, lambda w: {"title": "Renamed"},
     [200, 404, 200, 403, 404, 401, 401]),
    ("case delete", "delete", case_url, None,
     [204, 404, 204, 403, 404, 401, 401]),
    ("case post not allowed", "post", case_url, lambda w: {"title": "x"},
     [405, 405, 405, 405, 405, 401, 401]),
    ("my access", "get", lambda w: case_url(w, "my-access/"), None,
     [200, 404, 200, 200, 404, 401, 401]),
    ("case grants list", "get", lambda w: case_url(w, "grants/"), None,
     [200, 200, 403, 403, 403, 401, 401]),
    ("case grant create", "post", lambda w: case_url(w, "grants/"),
     lambda w: {"user": "otto", "level": "read"},
     [201, 201, 403, 403, 403, 401, 401]),
    ("case grant get", "get", lambda w: case_url(w, f"grants/groups/{w.auditors.pk}/"), None,
     [200, 200, 403, 403, 403, 401, 401]),
    ("case grant put", "put", lambda w: case_url(w, f"grants/groups/{w.auditors.pk}/"), lambda w: {"level": "write"},
     [200, 200, 403, 403, 403, 401, 401]),
    ("case grant patch", "patch", lambda w: case_url(w, f"grants/groups/{w.auditors.pk}/"),
     lambda w: {"level": "write"},
     [200, 200, 403, 403, 403, 401, 401]),
    ("case grant delete", "delete", lambda w: case_url(w, f"grants/groups/{w.auditors.pk}/"), None,
     [204, 204, 403, 403, 403, 401, 401]),
    ("effective access", "get", lambda w: case_url(w, "access/"), None,
     [200, 200, 403, 403, 403, 401, 401]),
    ("access check", "get", lambda w: case_url(w, "access/check/?user=rita"), None,
     [200, 200, 403, 403, 403, 401, 401]),
    ("access history", "get", lambda w: "/api/access-events/", None,
     [200, 200, 403, 403, 403, 401, 401]),
    ("schema", "get", lambda w: "/api/schema/", None,
     [200, 200, 200, 200, 200, 200, 200]),
    ("docs", "get", lambda w: "/api/docs/", None,
     [200, 200, 200, 200, 200, 200, 200]),
]

CASES = [
    pytest.param(method, url, body, role, expected[index], id=f"{name}-{role}")
    for name, method, url, body, expected in MATRIX
    for index, role in enumerate(ROLES)
]


@pytest.mark.parametrize(("method", "url", "body", "role", "expected"), CASES)
def test_role_gets_expected_status(world, method, url, body, role, expected):
    client = world.client(role)
    kwargs = {"format": "json"} if body is not None else {}
    if body is not None:
        kwargs["data"] = body(world)

    response = getattr(client, method)(url(world), **kwargs)

    assert response.status_code == expected, response.content[:300]
