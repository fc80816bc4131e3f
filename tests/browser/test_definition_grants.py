"""An access manager grants a group write on a definition, then revokes it, in a real browser."""

import re

import pytest
from playwright.sync_api import expect

pytestmark = pytest.mark.django_db(transaction=True)

PASSWORD = "secret-pass-123"  # The password of every user made by tests.factories.UserFactory.
LAPTOP = {"width": 1280, "height": 900}
PHONE = {"width": 390, "height": 844}

# A busy machine can take longer than Playwright's default 5 s wait, so expectations wait up to 15 s.
expect.set_options(timeout=15_000)


def log_in(page, live_server, username):
    page.goto(f"{live_server.url}/login/")
    page.get_by_label("Username").fill(username)
    page.get_by_label("Password").fill(PASSWORD)
    page.get_by_role("button", name="Log in").click()
    expect(page.get_by_role("heading", name="My cases")).to_be_visible()


def log_out(page):
    page.get_by_role("button", name="Log out").click()
    expect(page.get_by_role("heading", name="Log in")).to_be_visible()


def listed_numbers(page):
    return page.locator(".cases-table tbody tr td:first-child")


def screenshot_both_widths(page, name):
    for label, size in [("laptop", LAPTOP), ("phone", PHONE)]:
        page.set_viewport_size(size)
        page.screenshot(path=f"/tmp/pages-{name}-{label}.png", full_page=True)
    page.set_viewport_size(LAPTOP)


def test_group_grant_on_definition(page, live_server, manager, user, other_user, group, definition, make_case):
    user.groups.add(group)
    cases = make_case.create_batch(3, definition=definition)
    numbers = sorted(case.number for case in cases)
    page.set_viewport_size(LAPTOP)

    log_in(page, live_server, "manager")
    page.goto(f"{live_server.url}{definition.get_absolute_url()}")
    page.get_by_label("Find a user or group").press_sequentially("debt co", delay=30)
    page.get_by_role("radio", name="Group: Debt control").check()
    page.get_by_label("Level", exact=True).select_option("write")
    screenshot_both_widths(page, "finder")
    page.get_by_role("button", name="Grant", exact=True).click()

    expect(page.get_by_role("status")).to_have_text("Granted write on Debt collection to group Debt control.")
    row = page.locator(f"#grant-group-{group.pk}")
    expect(row).to_contain_text("Debt control")
    expect(row.get_by_role("combobox")).to_have_value("write")
    expect(page.locator("#history")).to_contain_text("Granted")
    screenshot_both_widths(page, "definition")
    log_out(page)

    log_in(page, live_server, "ulla")
    expect(listed_numbers(page)).to_have_count(3)
    for number in numbers:
        expect(listed_numbers(page).filter(has_text=number)).to_have_count(1)
    screenshot_both_widths(page, "my-cases")
    log_out(page)

    log_in(page, live_server, "viktor")
    expect(listed_numbers(page)).to_have_count(0)
    log_out(page)

    log_in(page, live_server, "manager")
    page.goto(f"{live_server.url}{definition.get_absolute_url()}")
    page.locator(f"#grant-group-{group.pk}").get_by_role("link", name="Revoke…").click()
    expect(page.get_by_role("heading")).to_have_text(
        "Revoke the write grant of group Debt control on Debt collection?"
    )
    screenshot_both_widths(page, "revoke")
    page.get_by_role("button", name="Revoke", exact=True).click()
    expect(page.get_by_role("status")).to_have_text("Revoked the write grant of group Debt control on Debt collection.")
    expect(page.locator(f"#grant-group-{group.pk}")).to_have_count(0)
    log_out(page)

    log_in(page, live_server, "ulla")
    expect(listed_numbers(page)).to_have_count(0)
    expect(page.get_by_text(re.compile(r"You cannot read any case yet"))).to_be_visible()
