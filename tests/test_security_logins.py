"""Failed logins are throttled per user name and per client address, on the login page and the admin's."""

import pytest
from axes.utils import reset as reset_login_attempts
from django.conf import settings
from django.urls import reverse

pytestmark = pytest.mark.django_db

PASSWORD = "secret-pass-123"  # The password that tests.factories.UserFactory sets.
LOGIN_URLS = ["login", "admin:login"]


@pytest.fixture(autouse=True)
def no_earlier_attempts():
    reset_login_attempts()
    yield
    reset_login_attempts()


def log_in(client, url_name, username, password, address="10.0.0.1"):
    return client.post(reverse(url_name), {"username": username, "password": password}, REMOTE_ADDR=address)


def fail_until_limit(client, url_name, username, address="10.0.0.1"):
    for _ in range(settings.AXES_FAILURE_LIMIT):
        log_in(client, url_name, username, "wrong password", address)


@pytest.mark.parametrize("url_name", LOGIN_URLS)
def test_failures_below_limit_allow_login(client, superuser, url_name):
    for _ in range(settings.AXES_FAILURE_LIMIT - 1):
        log_in(client, url_name, superuser.username, "wrong password")

    response = log_in(client, url_name, superuser.username, PASSWORD)

    assert response.status_code == 302
    assert "_auth_user_id" in client.session


@pytest.mark.parametrize("url_name", LOGIN_URLS)
def test_user_locked_after_limit(client, superuser, url_name):
    fail_until_limit(client, url_name, superuser.username)

    response = log_in(client, url_name, superuser.username, PASSWORD)

    assert response.status_code == 429
    assert "_auth_user_id" not in client.session


@pytest.mark.parametrize("url_name", LOGIN_URLS)
def test_user_locked_on_other_address(client, superuser, url_name):
    fail_until_limit(client, url_name, superuser.username, address="10.0.0.1")

    response = log_in(client, url_name, superuser.username, PASSWORD, address="10.0.0.2")

    assert response.status_code == 429


@pytest.mark.parametrize("url_name", LOGIN_URLS)
def test_address_locked_for_other_user(client, superuser, make_user, url_name):
    for index in range(settings.AXES_FAILURE_LIMIT):
        log_in(client, url_name, f"nobody{index}", "wrong password", address="10.0.0.3")

    response = log_in(client, url_name, superuser.username, PASSWORD, address="10.0.0.3")

    assert response.status_code == 429
    assert "_auth_user_id" not in client.session


def test_lockout_leaves_other_users_alone(client, user, other_user):
    fail_until_limit(client, "login", user.username, address="10.0.0.4")

    response = log_in(client, "login", other_user.username, PASSWORD, address="10.0.0.5")

    assert response.status_code == 302


def test_success_resets_failure_count(client, user):
    for _ in range(settings.AXES_FAILURE_LIMIT - 1):
        log_in(client, "login", user.username, "wrong password")
    log_in(client, "login", user.username, PASSWORD)
    client.logout()

    log_in(client, "login", user.username, "wrong password")
    response = log_in(client, "login", user.username, PASSWORD)

    assert response.status_code == 302


def test_reset_lifts_lockout(client, user):
    fail_until_limit(client, "login", user.username)

    reset_login_attempts(username=user.username)
    reset_login_attempts(ip="10.0.0.1")
    response = log_in(client, "login", user.username, PASSWORD)

    assert response.status_code == 302


def test_test_client_login_not_throttled(client, user):
    fail_until_limit(client, "login", user.username)

    assert client.login(username=user.username, password=PASSWORD)
