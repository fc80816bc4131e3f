"""An access manager grants one user read access to one case from the case page, in a real browser."""

import re

import pytest
from playwright.sync_api import expect

pytestmark = pytest.mark.django_db(transaction=True)

PASSWORD = "secret-pass-123"  # The password of every user made by tests.factories.UserFactory.


def log_in(page, live_server, username):
    page.goto(f"{live_server.url}/login/")
    page.get_by_label("Username").fill(username)
    page.get_by_label("Password").fill(PASSWORD)
    page.get_by_role("button", name="Log in").click()
    expect(page.get_by_role("heading", name="My cases")).to_be_visible()


def log_out(page):
    page.get_by_role("button", name="Log out").click()


def test_manager_grants_read_on_case(page, live_server, manager, user, case, definition, grant, make_case):
    other_cases = make_case.create_batch(3, definition=definition)
    grant(manager, definition, "read")

    log_in(page, live_server, "manager")
    page.goto(f"{live_server.url}{case.get_absolute_url()}")
    access = page.locator("#access")
    access.get_by_label("Find a user or group").fill("ulla")
    access.get_by_role("radio", name=f"User: {user.get_full_name()} (ulla)").check()
    access.locator("#grant-level").select_option("read")
    access.get_by_role("button", name="Grant", exact=True).click()

    expect(page).to_have_url(re.compile(re.escape(case.get_absolute_url()) + "#access$"))
    expect(page.get_by_role("status")).to_contain_text(f"Granted read on case {case.number}")
    row = page.locator(f"#effective-user-{user.pk}")
    expect(row).to_contain_text("ulla")
    expect(row).to_contain_text("Read")
    expect(row).to_contain_text("Own grant on this case")
    log_out(page)

    log_in(page, live_server, "ulla")
    numbers = page.locator(".cases-table tbody tr td:first-child")
    expect(numbers).to_have_text([case.number])
    for hidden in other_cases:
        expect(page.get_by_text(hidden.number)).to_have_count(0)
