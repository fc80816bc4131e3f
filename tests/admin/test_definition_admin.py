"""The definition admin: its list, its grant inlines through the services, and access control."""

import pytest
from django.contrib.auth import get_user_model
from django.contrib.auth.models import Permission
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.urls import reverse

from casemgmt.models import CaseDefinition
from grants.levels import Level
from grants.models import AccessAction, AccessEvent, DefinitionGroupGrant, DefinitionUserGrant

from .post_data import grant_inline_data

CHANGELIST = reverse("admin:casemgmt_casedefinition_changelist")


def change_url(definition):
    return reverse("admin:casemgmt_casedefinition_change", args=[definition.pk])


def give_definition_permissions(user):
    """Give the user the model permissions to view and change definitions, and no grant."""
    codenames = ["view_casedefinition", "change_casedefinition"]
    user.user_permissions.add(*Permission.objects.filter(codename__in=codenames))


def definition_form(definition, **inlines):
    return {
        "name": definition.name,
        "case_prefix": definition.case_prefix,
        "description": definition.description,
        "access_controlled": "on" if definition.access_controlled else "",
        **grant_inline_data(**inlines),
    }


# The list


def test_changelist_counts_cases_and_grants(staff_manager, definition, make_case, user, group, grant, login):
    make_case(definition=definition)
    make_case(definition=definition)
    grant(user, definition, "read")
    grant(group, definition, "write")

    response = login(staff_manager).get(CHANGELIST)

    row = response.context["cl"].result_list[0]
    assert row.case_count == 0  # The manager has no grant, so he reads none of the cases.
    assert row.grant_count == 2


def test_superuser_counts_all_cases(superuser, definition, make_case, login):
    make_case(definition=definition)
    make_case(definition=definition)

    response = login(superuser).get(CHANGELIST)

    assert response.context["cl"].result_list[0].case_count == 2


def test_changelist_queries_are_fixed(superuser, make_definition, make_case, user, grant, login):
    def add_definition():
        definition = make_definition()
        make_case(definition=definition)
        grant(user, definition, "read")

    client = login(superuser)
    add_definition()
    client.get(CHANGELIST)
    with CaptureQueriesContext(connection) as one_definition:
        client.get(CHANGELIST)

    for _number in range(5):
        add_definition()
    with CaptureQueriesContext(connection) as six_definitions:
        response = client.get(CHANGELIST)

    assert len(response.context["cl"].result_list) == 6
    assert len(six_definitions) == len(one_definition)


def test_changelist_search_by_prefix(superuser, definition, make_definition, login):
    make_definition(name="Insurance", case_prefix="INS")

    response = login(superuser).get(CHANGELIST, {"q": "DEBT"})

    assert [row.name for row in response.context["cl"].result_list] == ["Debt collection"]


def test_changelist_filter_by_access_control(superuser, definition, make_definition, login):
    make_definition(name="Open register", access_controlled=False)

    response = login(superuser).get(CHANGELIST, {"access_controlled__exact": "0"})

    assert [row.name for row in response.context["cl"].result_list] == ["Open register"]


def test_non_manager_counts_readable_cases_only(staff_user, definition, make_case, grant, login):
    grant(staff_user, make_case(definition=definition), "read")
    make_case(definition=definition)
    staff_user.user_permissions.add(Permission.objects.get(codename="view_casedefinition"))

    response = login(staff_user).get(CHANGELIST)

    assert response.context["cl"].result_list[0].case_count == 1


def test_non_manager_sees_no_grant_count(staff_user, definition, login):
    staff_user.user_permissions.add(Permission.objects.get(codename="view_casedefinition"))

    response = login(staff_user).get(CHANGELIST)

    assert "grant_count" not in response.context["cl"].list_display


def test_staff_without_permission_cannot_open_definitions(staff_user, definition, login):
    response = login(staff_user).get(CHANGELIST)

    assert response.status_code == 403


# Grant inlines


def test_inline_grant_goes_through_services(staff_manager, definition, user, login):
    data = definition_form(definition, user_rows=[{"user": user.pk, "level": "write"}])

    response = login(staff_manager).post(change_url(definition), data)

    assert response.status_code == 302
    grant_row = DefinitionUserGrant.objects.get(user=user, content_object=definition)
    assert grant_row.level == Level.WRITE
    assert grant_row.granted_by == staff_manager
    event = AccessEvent.objects.get(action=AccessAction.GRANTED)
    assert (event.actor, event.subject_user, event.definition, event.new_level) == (
        staff_manager, user, definition, Level.WRITE
    )


def test_inline_group_grant(staff_manager, definition, group, login):
    data = definition_form(definition, group_rows=[{"group": group.pk, "level": "read"}])

    login(staff_manager).post(change_url(definition), data)

    assert DefinitionGroupGrant.objects.get(group=group, content_object=definition).level == Level.READ


def test_inline_changes_level(staff_manager, definition, user, grant, login):
    existing = grant(user, definition, "read").grant
    row = {"id": existing.pk, "content_object": definition.pk, "user": user.pk, "level": "write"}

    login(staff_manager).post(change_url(definition), definition_form(definition, user_rows=[row]))

    existing.refresh_from_db()
    assert existing.level == Level.WRITE
    assert AccessEvent.objects.filter(action=AccessAction.LEVEL_CHANGED).count() == 1


def test_inline_unchanged_grant_records_nothing(staff_manager, definition, user, grant, login):
    existing = grant(user, definition, "read").grant
    events_before = AccessEvent.objects.count()
    row = {"id": existing.pk, "content_object": definition.pk, "user": user.pk, "level": "read"}

    response = login(staff_manager).post(change_url(definition), definition_form(definition, user_rows=[row]))

    assert response.status_code == 302
    assert AccessEvent.objects.count() == events_before


def test_inline_delete_revokes(staff_manager, definition, user, grant, login):
    existing = grant(user, definition, "read").grant
    row = {"id": existing.pk, "content_object": definition.pk, "user": user.pk, "level": "read", "DELETE": "on"}

    login(staff_manager).post(change_url(definition), definition_form(definition, user_rows=[row]))

    assert not DefinitionUserGrant.objects.filter(pk=existing.pk).exists()
    event = AccessEvent.objects.get(action=AccessAction.REVOKED)
    assert (event.actor, event.subject_user, event.old_level) == (staff_manager, user, Level.READ)


def test_inline_new_subject_replaces_old(staff_manager, definition, user, other_user, grant, login):
    existing = grant(user, definition, "read").grant
    row = {"id": existing.pk, "content_object": definition.pk, "user": other_user.pk, "level": "read"}

    login(staff_manager).post(change_url(definition), definition_form(definition, user_rows=[row]))

    holders = list(DefinitionUserGrant.objects.filter(content_object=definition).values_list("user", flat=True))
    assert holders == [other_user.pk]


def test_inline_rejects_inactive_user(staff_manager, definition, make_user, login):
    inactive = make_user(username="gone", is_active=False)
    data = definition_form(definition, user_rows=[{"user": inactive.pk, "level": "read"}])

    response = login(staff_manager).post(change_url(definition), data)

    assert response.status_code == 200
    inline_errors = response.context["inline_admin_formsets"][0].formset.errors
    assert "User gone is inactive" in str(inline_errors)
    assert not DefinitionUserGrant.objects.exists()


def test_inline_rejects_unknown_level(staff_manager, definition, user, login):
    data = definition_form(definition, user_rows=[{"user": user.pk, "level": "owner"}])

    response = login(staff_manager).post(change_url(definition), data)

    assert "owner" in str(response.context["inline_admin_formsets"][0].formset.errors)
    assert not DefinitionUserGrant.objects.exists()


def test_inline_rejects_duplicate_subject(staff_manager, definition, user, login):
    rows = [{"user": user.pk, "level": "read"}, {"user": user.pk, "level": "write"}]

    response = login(staff_manager).post(change_url(definition), definition_form(definition, user_rows=rows))

    assert response.status_code == 200
    assert not DefinitionUserGrant.objects.exists()


def test_inline_error_keeps_definition_unchanged(staff_manager, definition, make_user, login):
    inactive = make_user(username="gone", is_active=False)
    data = definition_form(definition, user_rows=[{"user": inactive.pk, "level": "read"}])
    data["name"] = "Renamed"

    login(staff_manager).post(change_url(definition), data)

    definition.refresh_from_db()
    assert definition.name == "Debt collection"


def test_inlines_hidden_from_non_manager(staff_user, definition, grant, login):
    give_definition_permissions(staff_user)
    grant(staff_user, definition, "read")

    response = login(staff_user).get(change_url(definition))

    assert response.status_code == 200
    assert response.context["inline_admin_formsets"] == []


def test_non_manager_cannot_switch_access_control(staff_user, definition, login):
    give_definition_permissions(staff_user)
    data = definition_form(definition)
    data["access_controlled"] = ""

    login(staff_user).post(change_url(definition), data)

    definition.refresh_from_db()
    assert definition.access_controlled is True


def test_manager_cannot_rename_definition(staff_manager, definition, login):
    data = definition_form(definition)
    data["name"] = "Renamed"

    login(staff_manager).post(change_url(definition), data)

    definition.refresh_from_db()
    assert definition.name == "Debt collection"


def test_form_switches_access_control_through_services(staff_manager, definition, login):
    data = definition_form(definition)
    data["access_controlled"] = ""

    response = login(staff_manager).post(change_url(definition), data)

    definition.refresh_from_db()
    assert response.status_code == 302
    assert definition.access_controlled is False
    assert AccessEvent.objects.filter(action=AccessAction.ACCESS_CONTROL_OFF).count() == 1


def test_add_without_access_control_is_recorded(superuser, login):
    data = {"name": "Open register", "case_prefix": "OPEN", "description": "", **grant_inline_data()}

    response = login(superuser).post(reverse("admin:casemgmt_casedefinition_add"), data)

    created = CaseDefinition.objects.get(name="Open register")
    assert response.status_code == 302
    assert created.access_controlled is False
    assert AccessEvent.objects.get(definition=created).action == AccessAction.ACCESS_CONTROL_OFF


def test_add_with_grant_inline(superuser, user, login):
    data = {
        "name": "Pensions",
        "case_prefix": "PEN",
        "access_controlled": "on",
        **grant_inline_data(user_rows=[{"user": user.pk, "level": "read"}]),
    }

    login(superuser).post(reverse("admin:casemgmt_casedefinition_add"), data)

    created = CaseDefinition.objects.get(name="Pensions")
    assert DefinitionUserGrant.objects.get(content_object=created).user == user


# Actions


def run_action(client, action, definitions, **extra):
    data = {"action": action, "_selected_action": [definition.pk for definition in definitions], **extra}
    return client.post(CHANGELIST, data)


def test_action_switches_access_control_off(staff_manager, definition, make_definition, login):
    second = make_definition(name="Insurance")

    response = run_action(login(staff_manager), "switch_access_control_off", [definition, second])

    assert response.status_code == 302
    assert set(CaseDefinition.objects.values_list("access_controlled", flat=True)) == {False}
    assert AccessEvent.objects.filter(action=AccessAction.ACCESS_CONTROL_OFF).count() == 2


def test_action_switches_access_control_on(staff_manager, make_definition, login):
    off = make_definition(name="Open register", access_controlled=False)

    run_action(login(staff_manager), "switch_access_control_on", [off])

    off.refresh_from_db()
    assert off.access_controlled is True
    assert AccessEvent.objects.get(definition=off).action == AccessAction.ACCESS_CONTROL_ON


def test_action_skips_definitions_already_switched(staff_manager, definition, login):
    client = login(staff_manager)

    run_action(client, "switch_access_control_on", [definition])
    response = client.get(CHANGELIST)

    assert not AccessEvent.objects.filter(definition=definition).exists()
    assert "1 already had it on" in response.content.decode()


def test_actions_hidden_from_non_manager(staff_user, definition, login):
    give_definition_permissions(staff_user)

    response = login(staff_user).get(CHANGELIST)

    assert response.status_code == 200
    assert "switch_access_control_off" not in response.content.decode()
    assert "grant_on_selected_definitions" not in response.content.decode()


def test_actions_offered_to_manager(staff_manager, definition, login):
    response = login(staff_manager).get(CHANGELIST)

    assert "switch_access_control_off" in response.content.decode()
    assert "grant_on_selected_definitions" in response.content.decode()


def test_non_manager_cannot_post_action(staff_user, definition, login):
    give_definition_permissions(staff_user)

    run_action(login(staff_user), "switch_access_control_off", [definition])

    definition.refresh_from_db()
    assert definition.access_controlled is True


# The bulk grant action and its intermediate page


@pytest.fixture
def three_definitions(make_definition):
    return [make_definition(name=name) for name in ("Debt collection", "Insurance", "Pensions")]


def test_bulk_grant_shows_choice_page(staff_manager, three_definitions, login):
    response = run_action(login(staff_manager), "grant_on_selected_definitions", three_definitions)

    assert response.status_code == 200
    assert response.templates[0].name == "admin/grants/grant_on_definitions.html"
    assert response.context["reviewing"] is False
    assert 'data-ajax--url="/admin/autocomplete/"' in response.content.decode()


def test_bulk_grant_review_changes_nothing(staff_manager, three_definitions, group, login):
    response = run_action(
        login(staff_manager), "grant_on_selected_definitions", three_definitions,
        step="review", group=group.pk, level="write",
    )

    assert response.context["reviewing"] is True
    assert "Grant Debt control write access on these 3 definitions?" in response.content.decode()
    assert not DefinitionGroupGrant.objects.exists()


def test_bulk_grant_apply_grants_on_each(staff_manager, three_definitions, group, login):
    response = run_action(
        login(staff_manager), "grant_on_selected_definitions", three_definitions,
        step="apply", group=group.pk, level="write",
    )

    assert response.status_code == 302
    grants = DefinitionGroupGrant.objects.filter(group=group)
    assert sorted(row.content_object.name for row in grants) == ["Debt collection", "Insurance", "Pensions"]
    assert {row.level for row in grants} == {Level.WRITE}
    assert AccessEvent.objects.filter(action=AccessAction.GRANTED, actor=staff_manager).count() == 3


def test_bulk_grant_repeated_changes_nothing(staff_manager, three_definitions, user, grant, login):
    for definition in three_definitions:
        grant(user, definition, "read")
    events_before = AccessEvent.objects.count()

    run_action(
        login(staff_manager), "grant_on_selected_definitions", three_definitions,
        step="apply", user=user.pk, level="read",
    )

    assert AccessEvent.objects.count() == events_before


def test_bulk_grant_needs_a_subject(staff_manager, three_definitions, login):
    response = run_action(
        login(staff_manager), "grant_on_selected_definitions", three_definitions, step="review", level="read"
    )

    assert response.context["reviewing"] is False
    assert "Choose a user or a group" in response.content.decode()


def test_bulk_grant_rejects_user_and_group(staff_manager, three_definitions, user, group, login):
    response = run_action(
        login(staff_manager), "grant_on_selected_definitions", three_definitions,
        step="apply", user=user.pk, group=group.pk, level="read",
    )

    assert "not both" in response.content.decode()
    assert not DefinitionUserGrant.objects.exists()
    assert not DefinitionGroupGrant.objects.exists()


def test_bulk_grant_rejects_inactive_user(staff_manager, three_definitions, make_user, login):
    inactive = make_user(username="gone", is_active=False)

    response = run_action(
        login(staff_manager), "grant_on_selected_definitions", three_definitions,
        step="apply", user=inactive.pk, level="read",
    )

    assert response.status_code == 200
    assert not DefinitionUserGrant.objects.exists()


def test_subject_autocomplete_offers_active_users(staff_manager, user, make_user, login):
    make_user(username="ulrich-gone", is_active=False)
    # The factories give random first and last names, which the search would match too.
    get_user_model().objects.update(first_name="", last_name="")

    response = login(staff_manager).get(
        reverse("admin:autocomplete"),
        {"app_label": "grants", "model_name": "definitionusergrant", "field_name": "user", "term": "ul"},
    )

    assert response.status_code == 200
    assert [result["text"] for result in response.json()["results"]] == ["ulla"]


def test_subject_autocomplete_refused_to_non_manager(staff_user, login):
    response = login(staff_user).get(
        reverse("admin:autocomplete"),
        {"app_label": "grants", "model_name": "definitionusergrant", "field_name": "user", "term": ""},
    )

    assert response.status_code == 403


def test_manager_cannot_browse_users(staff_manager, login):
    response = login(staff_manager).get(reverse("admin:casemgmt_user_changelist"))

    assert response.status_code == 403


def test_index_lists_definitions_to_manager(staff_manager, login):
    response = login(staff_manager).get(reverse("admin:index"))

    assert CHANGELIST in response.content.decode()
    assert reverse("admin:grants_accessevent_changelist") in response.content.decode()


def test_index_hides_access_control(staff_user, login):
    response = login(staff_user).get(reverse("admin:index"))

    assert response.status_code == 200
    assert CHANGELIST not in response.content.decode()
    assert reverse("admin:grants_accessevent_changelist") not in response.content.decode()


def test_bulk_grant_warns_about_uncontrolled(staff_manager, make_definition, group, login):
    open_register = make_definition(name="Open register", access_controlled=False)
    client = login(staff_manager)

    run_action(client, "grant_on_selected_definitions", [open_register], step="apply", group=group.pk, level="read")
    response = client.get(CHANGELIST)

    assert "Access control is off on Open register" in response.content.decode()
