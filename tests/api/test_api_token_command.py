"""`manage.py api_token`: issuing and revoking tokens, and its errors."""

from io import StringIO

import pytest
from django.core.management import CommandError, call_command
from rest_framework.authtoken.models import Token
from rest_framework.test import APIClient

pytestmark = pytest.mark.django_db


def run(*args):
    output = StringIO()
    call_command("api_token", *args, stdout=output)
    return output.getvalue().strip()


def test_issue_prints_working_token(user):
    key = run("issue", user.username)

    client = APIClient()
    client.credentials(HTTP_AUTHORIZATION=f"Token {key}")
    assert client.get("/api/cases/").status_code == 200


def test_issue_twice_keeps_token(user):
    first = run("issue", user.username)

    assert run("issue", user.username) == first
    assert Token.objects.filter(user=user).count() == 1


def test_issue_rotate_replaces_token(user):
    first = run("issue", user.username)

    second = run("issue", user.username, "--rotate")

    assert second != first
    assert list(Token.objects.filter(user=user).values_list("key", flat=True)) == [second]


def test_revoke_stops_token(user):
    key = run("issue", user.username)

    run("revoke", user.username)

    client = APIClient()
    client.credentials(HTTP_AUTHORIZATION=f"Token {key}")
    assert client.get("/api/cases/").status_code == 401


def test_revoke_without_token_fails(user):
    with pytest.raises(CommandError, match="has no API token"):
        run("revoke", user.username)


def test_unknown_user_fails(db):
    with pytest.raises(CommandError, match="No user named 'nobody' exists"):
        run("issue", "nobody")


def test_inactive_user_gets_no_token(user):
    user.is_active = False
    user.save()

    with pytest.raises(CommandError, match="inactive"):
        run("issue", user.username)
    assert not Token.objects.filter(user=user).exists()
