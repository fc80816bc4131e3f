"""Every page works under the Content Security Policy: Chromium reports no blocked script or style."""

import pytest
from django.urls import reverse
from playwright.sync_api import expect

pytestmark = pytest.mark.django_db(transaction=True)

PASSWORD = "secret-pass-123"  # The password of every user made by tests.factories.UserFactory.


@pytest.fixture
def csp_violations(page):
    """Collect the console messages in which Chromium reports a blocked resource."""
    violations = []
    page.on(
        "console",
        lambda message: violations.append(f"{page.url}: {message.text}")
        if "Content Security Policy" in message.text
        else None,
    )
    return violations


def log_in(page, live_server, username):
    page.goto(live_server.url + reverse("login"))
    page.get_by_label("Username").fill(username)
    page.get_by_label("Password").fill(PASSWORD)
    page.get_by_role("button", name="Log in").click()
    expect(page.get_by_role("heading", name="My cases")).to_be_visible()


def visit_all(page, live_server, paths):
    for path in paths:
        response = page.goto(live_server.url + path)
        assert response.status == 200, path
        page.wait_for_load_state("networkidle")


def test_user_pages_run_under_csp(page, live_server, csp_violations, superuser, case):
    log_in(page, live_server, superuser.username)

    visit_all(
        page,
        live_server,
        [
            reverse("my-cases"),
            reverse("case-detail", args=[case.pk]),
            reverse("definition-list"),
            reverse("definition-detail", args=[case.definition_id]),
        ],
    )

    assert csp_violations == []


def test_admin_pages_run_under_csp(page, live_server, csp_violations, superuser, case):
    log_in(page, live_server, superuser.username)

    visit_all(
        page,
        live_server,
        [
            reverse("admin:index"),
            reverse("admin:casemgmt_caseinstance_changelist"),
            reverse("admin:casemgmt_caseinstance_change", args=[case.pk]),
            reverse("admin:casemgmt_casedefinition_change", args=[case.definition_id]),
        ],
    )

    assert csp_violations == []


def test_api_docs_render_under_csp(page, live_server, csp_violations):
    page.goto(live_server.url + reverse("api-docs"))

    expect(page.get_by_role("heading", name="casemgmt API")).to_be_visible()
    expect(page.locator(".opblock").first).to_be_visible()
    assert csp_violations == []
