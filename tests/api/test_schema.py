"""The OpenAPI schema, its interactive docs, and a Schemathesis run of every operation against them.

Schemathesis generates requests from the live schema and sends them over HTTP to the test server, as an
access manager. The run is bounded (`MAX_EXAMPLES` per operation) so that it takes well under a minute.
Every Schemathesis check runs except `positive_data_acceptance`: a schema-valid body may name a user,
group or definition that does not exist, and the API rejects that with 400 on purpose.
"""

import re

import pytest
import requests
import schemathesis
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st
from rest_framework.authtoken.models import Token
from schemathesis import GenerationMode
from schemathesis.specs.openapi.checks import positive_data_acceptance

MAX_EXAMPLES = 10

pytestmark = pytest.mark.django_db


def test_schema_lists_every_endpoint(client):
    schema = client.get("/api/schema/?format=json").json()

    assert sorted(schema["paths"]) == [
        "/api/access-events/",
        "/api/cases/",
        "/api/cases/{id}/",
        "/api/cases/{id}/access/",
        "/api/cases/{id}/access/check/",
        "/api/cases/{id}/grants/",
        "/api/cases/{id}/grants/groups/{subject_id}/",
        "/api/cases/{id}/grants/users/{subject_id}/",
        "/api/cases/{id}/my-access/",
        "/api/definitions/",
        "/api/definitions/{id}/",
        "/api/definitions/{id}/access-control/",
        "/api/definitions/{id}/grants/",
        "/api/definitions/{id}/grants/groups/{subject_id}/",
        "/api/definitions/{id}/grants/users/{subject_id}/",
    ]


def test_schema_describes_errors_of_every_operation(client):
    schema = client.get("/api/schema/?format=json").json()

    for path, operations in schema["paths"].items():
        for method, operation in operations.items():
            assert "401" in operation["responses"], f"{method} {path}"
            if "{id}" in path:
                assert "404" in operation["responses"], f"{method} {path}"
            if method in {"post", "put", "patch"}:
                assert "400" in operation["responses"], f"{method} {path}"


def test_docs_load_local_assets_only(client):
    html = client.get("/api/docs/").content.decode()

    sources = re.findall(r'(?:src|href)="([^"]+)"', html)
    assert any("swagger-ui" in source for source in sources)
    assert all(source.startswith("/") for source in sources), sources
    assert "cdn" not in html.lower()
    assert "//unpkg" not in html


def test_docs_assets_are_served(live_server):
    html = requests.get(f"{live_server.url}/api/docs/", timeout=10).text
    assets = re.findall(r'(?:src|href)="(/[^"]+\.(?:js|css|png))"', html)

    assert assets
    for asset in assets:
        assert requests.get(f"{live_server.url}{asset}", timeout=10).status_code == 200, asset


@pytest.mark.slow
def test_api_conforms_to_schema(live_server, world, grant, make_definition, make_case):
    """No operation returns 5xx, or any status or body that its schema does not describe."""
    manager = world.users["manager"]
    schema = schemathesis.openapi.from_url(f"{live_server.url}/api/schema/?format=json")
    token, _created = Token.objects.get_or_create(user=manager)
    headers = {"Authorization": f"Token {token.key}"}

    def seed():
        """Build a fresh definition and case for each operation, since DELETE examples remove them."""
        definition = make_definition()
        case = make_case(definition=definition)
        grant(manager, definition, "write")  # Without it the case endpoints return only 404 to him.
        for target in (definition, case):
            grant(world.users["reader"], target, "read")
            grant(world.auditors, target, "read")
        return {"definition": definition.pk, "case": case.pk}

    failures = []
    for result in schema.get_all_operations():
        operation = result.ok()
        try:
            check_operation(operation, seed(), world, headers)
        except Exception as error:  # Any failure of one operation is kept, so that the others still run.
            failures.append(f"{operation.method.upper()} {operation.path}:\n{error}")

    assert not failures, "\n\n".join(failures)


def check_operation(operation, seeded, world, headers):
    """Send generated requests to one operation: valid and invalid ones, with random and seeded ids."""
    strategies = [operation.as_strategy(mode) for mode in GenerationMode]
    if "{id}" in operation.path:
        target = seeded["case"] if operation.path.startswith("/api/cases/") else seeded["definition"]
        path_parameters = {"id": str(target)}
        if "/users/" in operation.path:
            path_parameters["subject_id"] = world.users["reader"].pk
        elif "/groups/" in operation.path:
            path_parameters["subject_id"] = world.auditors.pk
        strategies.append(operation.as_strategy(GenerationMode.POSITIVE, path_parameters=path_parameters))

    @settings(
        max_examples=MAX_EXAMPLES,
        deadline=None,
        derandomize=True,
        database=None,
        suppress_health_check=[HealthCheck.too_slow, HealthCheck.filter_too_much],
    )
    @given(case=st.one_of(*strategies))
    def send(case):
        case.call_and_validate(headers=headers, excluded_checks=[positive_data_acceptance])

    send()
