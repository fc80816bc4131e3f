"""Security headers and cookie flags on every response, checked through the real middleware stack."""

import pytest
from django.test import override_settings
from django.urls import reverse

pytestmark = pytest.mark.django_db


@pytest.fixture
def login_page(client):
    return client.get(reverse("login"))


def csp_directives(response):
    header = response.headers["Content-Security-Policy"]
    return {part.split()[0]: part.split()[1:] for part in header.split(";") if part.strip()}


def test_csp_allows_only_own_scripts(login_page):
    assert csp_directives(login_page)["script-src"] == ["'self'"]


def test_csp_allows_only_own_styles(login_page):
    assert csp_directives(login_page)["style-src"] == ["'self'"]


def test_csp_defaults_to_self(login_page):
    assert csp_directives(login_page)["default-src"] == ["'self'"]


def test_csp_forbids_framing_and_plugins(login_page):
    directives = csp_directives(login_page)
    assert directives["frame-ancestors"] == ["'none'"]
    assert directives["object-src"] == ["'none'"]


def test_csp_on_admin_login(client):
    response = client.get(reverse("admin:login"))
    assert csp_directives(response)["script-src"] == ["'self'"]


def test_frame_options_deny(login_page):
    assert login_page.headers["X-Frame-Options"] == "DENY"


def test_referrer_policy_same_origin(login_page):
    assert login_page.headers["Referrer-Policy"] == "same-origin"


def test_content_type_nosniff(login_page):
    assert login_page.headers["X-Content-Type-Options"] == "nosniff"


@override_settings(SECURE_HSTS_SECONDS=600, SECURE_HSTS_INCLUDE_SUBDOMAINS=True, SECURE_HSTS_PRELOAD=False)
def test_hsts_sent_over_https(client):
    response = client.get(reverse("login"), secure=True)
    assert response.headers["Strict-Transport-Security"] == "max-age=600; includeSubDomains"


@override_settings(SECURE_HSTS_SECONDS=600)
def test_hsts_not_sent_over_http(client):
    response = client.get(reverse("login"))
    assert "Strict-Transport-Security" not in response.headers


def test_session_cookie_http_only_and_lax(client, user):
    response = client.post(reverse("login"), {"username": user.username, "password": "secret-pass-123"})

    cookie = response.cookies["sessionid"]
    assert cookie["httponly"] is True
    assert cookie["samesite"] == "Lax"


@override_settings(SESSION_COOKIE_SECURE=True, CSRF_COOKIE_SECURE=True)
def test_cookies_secure_when_configured(client, user):
    response = client.post(reverse("login"), {"username": user.username, "password": "secret-pass-123"}, secure=True)

    assert response.cookies["sessionid"]["secure"] is True
    assert response.cookies["csrftoken"]["secure"] is True


def test_static_folder_not_listed(client):
    assert client.get("/static/").status_code == 404


@pytest.mark.parametrize("path", ["/.git/config", "/.env", "/manage.py", "/static/../casemgmt/settings.py"])
def test_metadata_files_not_served(client, path):
    assert client.get(path).status_code == 404
