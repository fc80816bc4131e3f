"""Access pages: definitions, access control, and grants on definitions and cases through the pages."""

import pytest
from django.contrib.messages import get_messages
from django.urls import reverse

from grants.levels import Level
from grants.models import (
    AccessAction,
    AccessEvent,
    CaseUserGrant,
    DefinitionGroupGrant,
    DefinitionUserGrant,
)

pytestmark = pytest.mark.django_db


def target_events():
    """Access events on definitions and cases, leaving out the fixtures' group memberships."""
    return AccessEvent.objects.filter(definition__isnull=False)


def message_texts(response):
    return [str(message) for message in get_messages(response.wsgi_request)]


def management_requests(definition, case, user):
    """Every management page and action as (method, url), for the 403 checks."""
    user_key = f"user-{user.pk}"
    return [
        ("get", reverse("definition-list")),
        ("get", reverse("definition-detail", args=[definition.pk])),
        ("get", reverse("definition-access-control", args=[definition.pk])),
        ("post", reverse("definition-access-control", args=[definition.pk])),
        ("get", reverse("subject-search") + "?q=ul"),
        ("get", reverse("target-grants", args=["definitions", definition.pk])),
        ("get", reverse("target-grants", args=["cases", case.pk])),
        ("get", reverse("grant-create", args=["definitions", definition.pk])),
        ("post", reverse("grant-create", args=["definitions", definition.pk])),
        ("post", reverse("grant-create", args=["cases", case.pk])),
        ("get", reverse("grant-change-level", args=["definitions", definition.pk, user_key])),
        ("post", reverse("grant-change-level", args=["definitions", definition.pk, user_key])),
        ("post", reverse("grant-change-level", args=["cases", case.pk, user_key])),
        ("get", reverse("grant-revoke", args=["definitions", definition.pk, user_key])),
        ("post", reverse("grant-revoke", args=["definitions", definition.pk, user_key])),
        ("post", reverse("grant-revoke", args=["cases", case.pk, user_key])),
    ]


# Who may open the pages


def test_non_manager_gets_403_everywhere(client, user, definition, case, grant):
    grant(user, definition, "write")
    client.force_login(user)

    for method, url in management_requests(definition, case, user):
        response = getattr(client, method)(url, {"subject": f"user-{user.pk}", "level": "read", "enabled": "off"})
        assert response.status_code == 403, (method, url)

    assert DefinitionUserGrant.objects.get().level == Level.WRITE
    assert target_events().count() == 1


def test_anonymous_is_sent_to_login(client, definition):
    response = client.get(reverse("definition-detail", args=[definition.pk]))

    assert response.status_code == 302
    assert response.url.startswith(reverse("login"))


def test_unknown_uuids_are_404(client, manager, user):
    client.force_login(manager)
    unknown = "00000000-0000-4000-8000-000000000000"

    for url in [
        reverse("definition-detail", args=[unknown]),
        reverse("definition-access-control", args=[unknown]),
        reverse("target-grants", args=["definitions", unknown]),
        reverse("target-grants", args=["cases", unknown]),
        reverse("grant-revoke", args=["cases", unknown, f"user-{user.pk}"]),
    ]:
        assert client.get(url).status_code == 404, url
    assert client.post(reverse("grant-create", args=["cases", unknown]), {"subject": f"user-{user.pk}"}).status_code == 404


def test_unknown_subject_in_url_is_404(client, manager, definition):
    client.force_login(manager)

    response = client.post(
        reverse("grant-change-level", args=["definitions", definition.pk, "user-987654"]), {"level": "read"}
    )

    assert response.status_code == 404


def test_nav_shows_access_links_to_managers_only(client, manager, user):
    client.force_login(user)
    assert reverse("definition-list") not in client.get(reverse("my-cases")).content.decode()

    client.force_login(manager)
    assert reverse("definition-list") in client.get(reverse("my-cases")).content.decode()


# Definitions list and page


def test_definition_list_shows_counts(client, manager, user, group, definition, make_case, grant):
    make_case(definition=definition)
    case = make_case(definition=definition)
    grant(user, definition, "read")
    grant(group, definition, "write")
    grant(user, case, "write")
    client.force_login(manager)

    response = client.get(reverse("definition-list"))

    listed = response.context["definitions"].get(pk=definition.pk)
    assert listed.case_count == 2
    assert listed.user_grant_count + listed.group_grant_count == 2
    assert listed.case_user_grant_count + listed.case_group_grant_count == 1


def test_definition_list_queries_are_fixed(client, manager, make_definition, django_assert_max_num_queries):
    client.force_login(manager)
    make_definition()
    with django_assert_max_num_queries(20) as few:
        client.get(reverse("definition-list"))

    make_definition.create_batch(15)
    with django_assert_max_num_queries(len(few.captured_queries)):
        response = client.get(reverse("definition-list"))
    assert response.content.decode().count("/access/definitions/") >= 16


def test_definition_page_shows_grants_and_history(client, manager, group, definition, grant):
    grant(group, definition, "write")
    client.force_login(manager)

    response = client.get(reverse("definition-detail", args=[definition.pk]))

    page = response.content.decode()
    assert response.status_code == 200
    assert "Debt control" in page
    assert [row.key for row in response.context["grant_rows"]] == [f"group-{group.pk}"]
    assert list(response.context["history_page"].object_list) == list(target_events())


def test_definition_page_notes_access_control_off(client, manager, definition):
    definition.access_controlled = False
    definition.save()
    client.force_login(manager)

    response = client.get(reverse("definition-detail", args=[definition.pk]))

    assert "take effect once access control is on again" in response.content.decode()


def test_history_is_newest_first_and_paginated(client, manager, definition, make_user, grant):
    for index in range(25):
        grant(make_user(username=f"person{index:02d}"), definition, "read")
    client.force_login(manager)

    first = client.get(reverse("definition-detail", args=[definition.pk]))
    second = client.get(reverse("definition-detail", args=[definition.pk]), {"history_page": 2})

    assert first.context["history_page"].object_list[0].subject_name == "person24"
    assert len(first.context["history_page"].object_list) == 20
    assert len(second.context["history_page"].object_list) == 5


# Subject finder


def test_finder_matches_names_and_groups(client, manager, make_user, make_group):
    make_user(username="dkarlsson", first_name="Dana", last_name="Karlsson")
    make_user(username="other", first_name="Olof", last_name="Debtson")
    make_group(name="Debt control")
    # The manager's names come from Faker and could match too, so they are fixed here.
    manager.first_name, manager.last_name = "Mona", "Svensson"
    manager.save()
    client.force_login(manager)

    response = client.get(reverse("subject-search"), {"q": "deb"})

    labels = [choice.label for choice in response.context["subject_matches"]]
    assert labels == ["Debt control", "Olof Debtson (other)"]


def test_finder_returns_at_most_20(client, manager, make_user):
    for index in range(30):
        make_user(username=f"clerk{index}")
    client.force_login(manager)

    response = client.get(reverse("subject-search"), {"q": "clerk"})

    assert len(response.context["subject_matches"]) == 20


def test_finder_leaves_out_inactive_users(client, manager, make_user):
    make_user(username="gone-clerk", is_active=False)
    client.force_login(manager)

    response = client.get(reverse("subject-search"), {"q": "gone"})

    assert response.context["subject_matches"] == []


def test_page_without_js_lists_matches(client, manager, definition, group):
    client.force_login(manager)

    response = client.get(reverse("definition-detail", args=[definition.pk]), {"q": "debt con"})

    assert f'value="group-{group.pk}"' in response.content.decode()


# Grant, change level, revoke


def grant_url(target_kind, target):
    return reverse("grant-create", args=[target_kind, target.pk])


def test_grant_to_group_through_page(client, manager, group, definition):
    client.force_login(manager)

    response = client.post(grant_url("definitions", definition), {"subject": f"group-{group.pk}", "level": "write"})

    assert response.status_code == 302
    assert response.url == reverse("definition-detail", args=[definition.pk]) + "#grants"
    assert DefinitionGroupGrant.objects.get(group=group).level == Level.WRITE
    event = target_events().get()
    assert (event.action, event.subject_group, event.new_level) == (AccessAction.GRANTED, group, Level.WRITE)
    assert message_texts(response) == ["Granted write on Debt collection to group Debt control."]


def test_grant_on_case_through_page(client, manager, user, case):
    client.force_login(manager)

    response = client.post(grant_url("cases", case), {"subject": f"user-{user.pk}", "level": "read"})

    assert response.status_code == 302
    assert response.url == reverse("target-grants", args=["cases", case.pk])
    assert CaseUserGrant.objects.get(user=user, content_object=case).level == Level.READ
    assert target_events().get().case == case


def test_grant_follows_local_next_only(client, manager, user, case):
    client.force_login(manager)
    data = {"subject": f"user-{user.pk}", "level": "read"}

    local = client.post(grant_url("cases", case), {**data, "next": case.get_absolute_url()})
    foreign = client.post(grant_url("cases", case), {**data, "level": "write", "next": "https://example.com/"})

    assert local.url == case.get_absolute_url()
    assert foreign.url == reverse("target-grants", args=["cases", case.pk])


def test_repeated_grant_records_nothing(client, manager, group, definition):
    client.force_login(manager)
    data = {"subject": f"group-{group.pk}", "level": "read"}
    client.post(grant_url("definitions", definition), data)

    response = client.post(grant_url("definitions", definition), data)

    assert response.status_code == 302
    assert target_events().count() == 1
    assert message_texts(response)[-1] == "Group Debt control already has read on Debt collection. Nothing changed."


@pytest.mark.parametrize(
    "data, expected_error",
    [
        ({"subject": "group-{group}", "level": "owner"}, "owner is not a level. Choose read or write."),
        ({"subject": "user-987654", "level": "read"}, "No user or group user-987654 exists."),
        ({"subject": "robert'); --", "level": "read"}, "robert&#x27;); -- is not a user or group."),
        ({"subject": "", "level": "read"}, "Pick a user or group from the matches of the finder."),
        ({"subject": "user-{inactive}", "level": "read"}, "User gone is inactive. Activate the user before granting access."),
    ],
    ids=["unknown-level", "unknown-subject", "malformed-subject", "missing-subject", "inactive-user"],
)
def test_bad_grant_input_shows_error(client, manager, group, definition, make_user, data, expected_error):
    inactive = make_user(username="gone", is_active=False)
    data = {key: value.format(group=group.pk, inactive=inactive.pk) for key, value in data.items()}
    client.force_login(manager)

    response = client.post(grant_url("definitions", definition), data)

    assert response.status_code == 400
    assert expected_error in response.content.decode()
    assert not DefinitionUserGrant.objects.exists()
    assert not DefinitionGroupGrant.objects.exists()
    assert not target_events().exists()


def test_change_level_through_page(client, manager, group, definition, grant):
    grant(group, definition, "read")
    client.force_login(manager)

    response = client.post(
        reverse("grant-change-level", args=["definitions", definition.pk, f"group-{group.pk}"]), {"level": "write"}
    )

    assert response.status_code == 302
    assert DefinitionGroupGrant.objects.get().level == Level.WRITE
    event = target_events().first()
    assert (event.action, event.old_level, event.new_level) == (AccessAction.LEVEL_CHANGED, Level.READ, Level.WRITE)
    assert message_texts(response) == ["Changed the grant of group Debt control on Debt collection from read to write."]


def test_change_level_rejects_unknown_level(client, manager, group, definition, grant):
    grant(group, definition, "read")
    client.force_login(manager)

    response = client.post(
        reverse("grant-change-level", args=["definitions", definition.pk, f"group-{group.pk}"]), {"level": "admin"}
    )

    assert response.status_code == 400
    assert "admin is not a level. Choose read or write." in response.content.decode()
    assert DefinitionGroupGrant.objects.get().level == Level.READ
    assert target_events().count() == 1


def test_change_level_without_grant_says_so(client, manager, group, definition):
    client.force_login(manager)

    response = client.post(
        reverse("grant-change-level", args=["definitions", definition.pk, f"group-{group.pk}"]), {"level": "write"}
    )

    assert response.status_code == 400
    assert "Debt control has no grant on Debt collection." in response.content.decode()
    assert not DefinitionGroupGrant.objects.exists()


def test_revoke_asks_for_confirmation(client, manager, group, definition, grant):
    grant(group, definition, "write")
    client.force_login(manager)

    response = client.get(reverse("grant-revoke", args=["definitions", definition.pk, f"group-{group.pk}"]))

    assert response.status_code == 200
    assert "Revoke the write grant of group Debt control on Debt collection?" in response.content.decode()
    assert DefinitionGroupGrant.objects.exists()


def test_revoke_through_page(client, manager, group, definition, grant):
    grant(group, definition, "write")
    client.force_login(manager)

    response = client.post(reverse("grant-revoke", args=["definitions", definition.pk, f"group-{group.pk}"]))

    assert response.status_code == 302
    assert not DefinitionGroupGrant.objects.exists()
    event = target_events().first()
    assert (event.action, event.old_level) == (AccessAction.REVOKED, Level.WRITE)
    assert message_texts(response) == ["Revoked the write grant of group Debt control on Debt collection."]


def test_revoke_without_grant_says_so(client, manager, group, definition):
    client.force_login(manager)

    response = client.post(reverse("grant-revoke", args=["definitions", definition.pk, f"group-{group.pk}"]))

    assert response.status_code == 400
    assert "Debt control has no grant on Debt collection." in response.content.decode()
    assert not target_events().exists()


# Access control switch


def test_switch_asks_for_confirmation(client, manager, definition):
    client.force_login(manager)

    response = client.get(reverse("definition-access-control", args=[definition.pk]), {"enabled": "off"})

    assert response.status_code == 200
    assert "Switch access control off for Debt collection?" in response.content.decode()
    definition.refresh_from_db()
    assert definition.access_controlled


def test_switch_off_and_on_through_page(client, manager, definition):
    client.force_login(manager)
    url = reverse("definition-access-control", args=[definition.pk])

    off = client.post(url, {"enabled": "off"})
    definition.refresh_from_db()
    assert off.status_code == 302
    assert not definition.access_controlled

    client.post(url, {"enabled": "on"})
    definition.refresh_from_db()
    assert definition.access_controlled
    actions = list(target_events().values_list("action", flat=True))
    assert actions == [AccessAction.ACCESS_CONTROL_ON, AccessAction.ACCESS_CONTROL_OFF]


def test_switch_to_same_state_records_nothing(client, manager, definition):
    client.force_login(manager)

    response = client.post(reverse("definition-access-control", args=[definition.pk]), {"enabled": "on"})

    assert not target_events().exists()
    assert message_texts(response) == ["Access control of Debt collection is already on. Nothing changed."]


def test_switch_rejects_unknown_state(client, manager, definition):
    client.force_login(manager)

    response = client.post(reverse("definition-access-control", args=[definition.pk]), {"enabled": "maybe"})

    assert response.status_code == 400
    assert "maybe is not a state of access control. Use on or off." in response.content.decode()
    definition.refresh_from_db()
    assert definition.access_controlled
    assert not target_events().exists()
