"""Every form of the pages is protected by CSRF: a POST without the token is rejected with 403."""

import pytest
from django.test import Client
from django.urls import reverse

from grants.levels import Level
from grants.models import DefinitionGroupGrant

pytestmark = pytest.mark.django_db


@pytest.fixture
def csrf_client():
    return Client(enforce_csrf_checks=True)


def token_from(client, url):
    """Open a page as a browser would and return the CSRF token its forms post."""
    response = client.get(url)
    assert response.status_code == 200, url
    return client.cookies["csrftoken"].value


def post_pair(client, url, page_url, data):
    """Post once without the token and once with it, and return both responses."""
    without = client.post(url, data)
    token = token_from(client, page_url)
    with_token = client.post(url, {**data, "csrfmiddlewaretoken": token})
    return without, with_token


def test_grant_form_needs_token(csrf_client, manager, group, definition):
    csrf_client.force_login(manager)
    page = reverse("definition-detail", args=[definition.pk])
    url = reverse("grant-create", args=["definitions", definition.pk])

    without, with_token = post_pair(csrf_client, url, page, {"subject": f"group-{group.pk}", "level": "read"})

    assert without.status_code == 403
    assert with_token.status_code == 302
    assert DefinitionGroupGrant.objects.get().level == Level.READ


def test_change_level_form_needs_token(csrf_client, manager, group, definition, grant):
    grant(group, definition, "read")
    csrf_client.force_login(manager)
    page = reverse("definition-detail", args=[definition.pk])
    url = reverse("grant-change-level", args=["definitions", definition.pk, f"group-{group.pk}"])

    without, with_token = post_pair(csrf_client, url, page, {"level": "write"})

    assert without.status_code == 403
    assert with_token.status_code == 302
    assert DefinitionGroupGrant.objects.get().level == Level.WRITE


def test_revoke_form_needs_token(csrf_client, manager, group, definition, grant):
    grant(group, definition, "read")
    csrf_client.force_login(manager)
    url = reverse("grant-revoke", args=["definitions", definition.pk, f"group-{group.pk}"])

    without, with_token = post_pair(csrf_client, url, url, {})

    assert without.status_code == 403
    assert with_token.status_code == 302
    assert not DefinitionGroupGrant.objects.exists()


def test_access_control_form_needs_token(csrf_client, manager, definition):
    csrf_client.force_login(manager)
    url = reverse("definition-access-control", args=[definition.pk])

    without, with_token = post_pair(csrf_client, url, url + "?enabled=off", {"enabled": "off"})

    assert without.status_code == 403
    assert with_token.status_code == 302
    definition.refresh_from_db()
    assert not definition.access_controlled


def test_case_form_needs_token(csrf_client, user, case, definition, grant):
    grant(user, definition, "write")
    csrf_client.force_login(user)
    url = case.get_absolute_url()

    without, with_token = post_pair(csrf_client, url, url, {"status": "closed", "priority": "low"})

    assert without.status_code == 403
    assert with_token.status_code == 302
    case.refresh_from_db()
    assert case.status == "closed"


def test_login_form_needs_token(csrf_client, user):
    url = reverse("login")

    without, with_token = post_pair(csrf_client, url, url, {"username": "ulla", "password": "secret-pass-123"})

    assert without.status_code == 403
    assert with_token.status_code == 302


def test_logout_form_needs_token(csrf_client, user):
    csrf_client.force_login(user)

    without, with_token = post_pair(csrf_client, reverse("logout"), reverse("my-cases"), {})

    assert without.status_code == 403
    assert with_token.status_code == 302
    assert "_auth_user_id" not in csrf_client.session
