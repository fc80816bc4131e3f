"""A power user grants a group write on three definitions with the admin action, in a real browser."""

import pytest
from playwright.sync_api import expect

pytestmark = pytest.mark.django_db(transaction=True)

PASSWORD = "secret-pass-123"  # The password of every user made by tests.factories.UserFactory.


def log_in_to_admin(page, live_server, username):
    page.goto(f"{live_server.url}/admin/login/")
    page.get_by_label("Username").fill(username)
    page.get_by_label("Password").fill(PASSWORD)
    page.get_by_role("button", name="Log in").click()
    expect(page.get_by_role("heading", name="Site administration")).to_be_visible()


def log_in(page, live_server, username):
    page.goto(f"{live_server.url}/login/")
    page.get_by_label("Username").fill(username)
    page.get_by_label("Password").fill(PASSWORD)
    page.get_by_role("button", name="Log in").click()
    expect(page.get_by_role("heading", name="My cases")).to_be_visible()


def choose_in_autocomplete(page, field_name, search, option):
    """Open the admin's select2 autocomplete of a field, search, and pick the option."""
    page.locator(f"#id_{field_name} + .select2").click()
    page.locator(".select2-search__field").press_sequentially(search, delay=30)
    page.locator(".select2-results__option", has_text=option).click()


def test_bulk_grant_through_intermediate_page(
    page, live_server, manager, user, group, make_definition, make_case
):
    manager.is_staff = True
    manager.save(update_fields=["is_staff"])
    user.groups.add(group)
    chosen = [make_definition(name=name) for name in ("Debt collection", "Insurance", "Pensions")]
    untouched = make_definition(name="Fraud")
    numbers = sorted(make_case(definition=definition).number for definition in chosen)
    make_case(definition=untouched)

    log_in_to_admin(page, live_server, "manager")
    page.goto(f"{live_server.url}/admin/casemgmt/casedefinition/")
    for definition in chosen:
        page.locator(f'input.action-select[value="{definition.pk}"]').check()
    page.locator('select[name="action"]').select_option("grant_on_selected_definitions")
    page.get_by_role("button", name="Go").click()

    expect(page.get_by_role("heading", name="Grant access to 3 definitions")).to_be_visible()
    choose_in_autocomplete(page, "group", "Debt", "Debt control")
    page.get_by_label("Write").check()
    page.get_by_role("button", name="Review the grant").click()

    expect(page.locator(".grant-summary")).to_have_text(
        "Grant Debt control write access on these 3 definitions?"
    )
    page.get_by_role("button", name="Yes, grant access").click()

    expect(page.locator(".messagelist")).to_contain_text("Debt control now has write access on 3 more definitions.")
    page.goto(f"{live_server.url}/admin/grants/accessevent/")
    expect(page.locator("#result_list tbody tr", has_text="Granted")).to_have_count(3)
    page.get_by_role("button", name="Log out").click()

    log_in(page, live_server, "ulla")
    listed = page.locator(".cases-table tbody tr td:first-child")
    expect(listed).to_have_count(3)
    for number in numbers:
        expect(listed.filter(has_text=number)).to_have_count(1)
