"""The API's case list and the "My cases" page show the same cases at the same levels, for every user."""

import re

import pytest
from django.contrib.auth.models import Permission
from django.test import Client
from django.urls import reverse
from rest_framework.authtoken.models import Token
from rest_framework.test import APIClient

from grants.levels import Level

CASE_LINK = re.compile(r'<a href="/cases/[0-9a-f-]{36}/">([A-Z0-9]+-\d{6})</a>')


@pytest.fixture
def world(manager, grant, make_definition, make_case, make_user, make_group):
    """Build definitions with and without access control, cases on several pages, and varied users."""
    debts = make_definition(name="Debts", case_prefix="DEBT")
    fraud = make_definition(name="Fraud", case_prefix="FRAUD")
    it_requests = make_definition(name="IT requests", case_prefix="IT", access_controlled=False)
    debt_cases = make_case.create_batch(60, definition=debts)
    fraud_cases = make_case.create_batch(5, definition=fraud)
    make_case.create_batch(3, definition=it_requests)

    team, auditors = make_group(name="Debt team"), make_group(name="Auditors")
    grant(team, debts, "write")
    grant(auditors, debts, "read")
    grant(auditors, fraud_cases[0], "write")

    users = {
        "member of two groups": make_user(username="both"),
        "own case grant": make_user(username="single"),
        "model permission": make_user(username="helpdesk"),
        "no access": make_user(username="nobody"),
        "superuser": make_user(username="chief", is_superuser=True),
        "inactive": make_user(username="gone"),
    }
    users["member of two groups"].groups.add(team, auditors)
    grant(users["own case grant"], debt_cases[7], "read")
    grant(users["own case grant"], fraud, "read")
    users["model permission"].user_permissions.add(Permission.objects.get(codename="view_caseinstance"))
    grant(users["inactive"], debts, "write")
    users["inactive"].is_active = False
    users["inactive"].save()
    return users


def cases_on_pages(user):
    """Return {number: level} read off every page of My cases, as the user's browser shows them."""
    client = Client()
    client.force_login(user)
    shown, url = {}, reverse("my-cases")

    while url:
        response = client.get(url)
        assert response.status_code == 200
        numbers = CASE_LINK.findall(response.content.decode())
        levels = {case.number: Level(case.access_level).slug for case in response.context["page"].object_list}
        assert sorted(numbers) == sorted(levels)
        shown.update(levels)
        page = response.context["page"]
        url = f"{reverse('my-cases')}?page={page.next_page_number()}" if page.has_next() else None
    return shown


def cases_in_api(user):
    """Return {number: level} from every page of the API's case list."""
    client = APIClient()
    client.force_authenticate(user)
    listed, url = {}, "/api/cases/?page_size=20"

    while url:
        response = client.get(url)
        assert response.status_code == 200, response.content
        body = response.json()
        for case in body["results"]:
            assert case["number"] not in listed, f"{case['number']} listed twice"
            listed[case["number"]] = case["access_level"]
        url = body["next"]
    return listed


@pytest.mark.django_db
@pytest.mark.parametrize(
    "role", ["member of two groups", "own case grant", "model permission", "no access", "superuser"]
)
def test_api_case_list_equals_my_cases_page(world, role):
    user = world[role]

    on_pages = cases_on_pages(user)

    assert cases_in_api(user) == on_pages


@pytest.mark.django_db
def test_inactive_user_gets_neither_list(world):
    user = world["inactive"]
    page_client, api_client = Client(), APIClient()
    page_client.force_login(user)
    api_client.credentials(HTTP_AUTHORIZATION=f"Token {Token.objects.create(user=user).key}")

    page_response = page_client.get(reverse("my-cases"))
    api_response = api_client.get("/api/cases/")

    assert page_response.status_code == 302
    assert api_response.status_code == 401
