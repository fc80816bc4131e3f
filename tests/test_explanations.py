"""Why a user has access to a case, and who has it: `explain_access` and `users_with_access_to_case`."""

import pytest
from django.contrib.auth import get_user_model
from django.contrib.auth.models import Permission
from django.core.paginator import Paginator
from django.db import connection
from django.test.utils import CaptureQueriesContext

from grants.levels import Level
from grants.policy import (
    AccessPath,
    Source,
    access_summary_for_user,
    explain_access,
    explain_access_for_users,
    level_of_user_on_case,
    users_with_access_to_case,
)

pytestmark = pytest.mark.django_db


def switch_access_control_off(definition):
    definition.access_controlled = False
    definition.save()


def test_own_case_grant_path(user, case, grant):
    grant(user, case, "read")

    explanation = explain_access(user, case)

    assert explanation.level == Level.READ
    assert explanation.paths == (AccessPath(Level.READ, Source.OWN_CASE_GRANT),)
    assert explanation.paths[0].description == "Own grant on this case"
    assert not explanation.paths[0].inherited
    assert explanation.reason == ""


def test_own_definition_grant_path(user, case, definition, grant):
    grant(user, definition, "write")

    explanation = explain_access(user, case)

    assert explanation.level == Level.WRITE
    assert explanation.paths == (AccessPath(Level.WRITE, Source.OWN_DEFINITION_GRANT),)
    assert explanation.paths[0].description == "Own grant on the definition"
    assert explanation.paths[0].inherited


def test_group_case_grant_path_names_group(user, group, case, grant):
    user.groups.add(group)
    grant(group, case, "write")

    (path,) = explain_access(user, case).paths

    assert path.source == Source.GROUP_CASE_GRANT
    assert path.group == group
    assert path.level == Level.WRITE
    assert path.description == "Grant of group Debt control on this case"
    assert not path.inherited


def test_group_definition_grant_path_names_group(user, group, case, definition, grant):
    user.groups.add(group)
    grant(group, definition, "read")

    (path,) = explain_access(user, case).paths

    assert path.source == Source.GROUP_DEFINITION_GRANT
    assert path.group == group
    assert path.description == "Grant of group Debt control on the definition"
    assert path.inherited


def test_every_path_listed_highest_first(user, group, case, definition, grant):
    user.groups.add(group)
    grant(user, case, "read")
    grant(group, definition, "write")

    explanation = explain_access(user, case)

    assert [path.source for path in explanation.paths] == [Source.GROUP_DEFINITION_GRANT, Source.OWN_CASE_GRANT]
    assert explanation.level == Level.WRITE
    assert explanation.level == level_of_user_on_case(user, case)


def test_superuser_path(superuser, case):
    explanation = explain_access(superuser, case)

    assert explanation.paths == (AccessPath(Level.WRITE, Source.SUPERUSER),)
    assert explanation.paths[0].description == "Superuser"


def test_model_permission_path_when_control_off(user, case, definition, grant):
    grant(user, definition, "write")
    switch_access_control_off(definition)
    user.user_permissions.add(Permission.objects.get(codename="view_caseinstance"))

    explanation = explain_access(user, case)

    assert explanation.paths == (AccessPath(Level.READ, Source.MODEL_PERMISSION),)
    assert explanation.paths[0].description == "Model permission (access control off)"


def test_group_model_permission_path_names_group(user, group, case, definition):
    switch_access_control_off(definition)
    group.permissions.add(Permission.objects.get(codename="change_caseinstance"))
    user.groups.add(group)

    (path,) = explain_access(user, case).paths

    assert path.source == Source.MODEL_PERMISSION
    assert path.level == Level.WRITE
    assert path.description == "Model permission of group Debt control (access control off)"


def test_no_grant_gives_reason(user, case):
    explanation = explain_access(user, case)

    assert explanation.level == Level.NONE
    assert explanation.paths == ()
    assert explanation.reason == "Access control is on for Debt collection and no grant reaches this user."


def test_no_model_permission_gives_reason(user, case, definition):
    switch_access_control_off(definition)

    explanation = explain_access(user, case)

    assert explanation.level == Level.NONE
    assert "Access control is off for Debt collection" in explanation.reason


def test_inactive_user_gives_reason(user, case, grant):
    grant(user, case, "write")
    user.is_active = False
    user.save()

    explanation = explain_access(user, case)

    assert explanation.level == Level.NONE
    assert explanation.paths == ()
    assert "inactive" in explanation.reason


def test_grant_on_other_case_not_a_path(user, case, definition, grant, make_case):
    grant(user, make_case(definition=definition), "write")

    assert explain_access(user, case).paths == ()


def test_explanations_keep_user_order(user, other_user, superuser, case, grant):
    grant(user, case, "read")

    explanations = explain_access_for_users([other_user, superuser, user], case)

    assert [explanation.user for explanation in explanations] == [other_user, superuser, user]
    assert [explanation.level for explanation in explanations] == [Level.NONE, Level.WRITE, Level.READ]


def test_who_has_access_expands_groups(user, other_user, group, case, grant, make_user):
    outsider = make_user(username="otto")
    user.groups.add(group)
    other_user.groups.add(group)
    grant(group, case, "read")

    usernames = list(users_with_access_to_case(case).values_list("username", flat=True))

    assert usernames == ["ulla", "viktor"]
    assert outsider.username not in usernames


def test_who_has_access_leaves_out_inactive(user, other_user, group, case, definition, grant):
    user.groups.add(group)
    grant(group, definition, "read")
    grant(other_user, case, "read")
    other_user.is_active = False
    other_user.save()

    assert list(users_with_access_to_case(case)) == [user]


def test_who_has_access_includes_superusers(superuser, user, case, grant):
    grant(user, case, "read")

    assert list(users_with_access_to_case(case)) == [superuser, user]


def test_who_has_write_leaves_out_readers(user, other_user, case, definition, grant):
    grant(user, definition, "read")
    grant(other_user, case, "write")

    assert list(users_with_access_to_case(case, Level.WRITE)) == [other_user]


def test_who_has_access_follows_model_permissions(user, other_user, case, definition, grant):
    grant(other_user, case, "write")
    switch_access_control_off(definition)
    user.user_permissions.add(Permission.objects.get(codename="view_caseinstance"))

    assert list(users_with_access_to_case(case)) == [user]


def test_who_has_access_agrees_with_level(user, other_user, group, case, definition, grant, make_user):
    members = [make_user() for _index in range(3)]
    group.user_set.add(user, *members[:2])
    grant(group, definition, "read")
    grant(other_user, case, "write")

    listed = set(users_with_access_to_case(case))

    for candidate in get_user_model().objects.all():
        reaches = level_of_user_on_case(candidate, case) >= Level.READ
        assert (candidate in listed) == reaches, candidate.username


def add_members(group, count, prefix):
    """Insert `count` users into `group` in bulk, since the factory would take minutes for thousands."""
    user_model = get_user_model()
    user_model.objects.bulk_create(
        user_model(username=f"{prefix}{index:05d}", password="!") for index in range(count)
    )
    member_ids = user_model.objects.filter(username__startswith=prefix).values_list("pk", flat=True)
    user_model.groups.through.objects.bulk_create(
        user_model.groups.through(user_id=member_id, group_id=group.pk) for member_id in member_ids
    )


def count_who_has_access_queries(case):
    """Count the queries of one page of the who-has-access table: the page of users and their paths."""
    case = type(case).objects.select_related("definition").get(pk=case.pk)

    with CaptureQueriesContext(connection) as captured:
        page = Paginator(users_with_access_to_case(case), 25).page(2)
        explanations = explain_access_for_users(list(page.object_list), case)
        descriptions = {path.description for explanation in explanations for path in explanation.paths}

    assert len(explanations) == 25
    assert len(descriptions) == 1
    return len(captured)


@pytest.mark.slow
def test_who_has_access_queries_bounded(grant, make_group, make_definition, make_case):
    small_group, large_group = make_group(name="Small"), make_group(name="Large")
    add_members(small_group, 50, "small")
    add_members(large_group, 5000, "large")
    small_case, large_case = make_case(), make_case()
    grant(small_group, small_case.definition, "read")
    grant(large_group, large_case.definition, "read")

    small_count = count_who_has_access_queries(small_case)
    large_count = count_who_has_access_queries(large_case)

    assert large_count == small_count
    assert small_count <= 7


# access_summary_for_user


def summary_levels(summary):
    """Return the summary as {definition name: level} and {case number: level}."""
    definitions = {access.definition.name: access.level for access in summary.definitions}
    cases = {explanation.case.number: explanation.level for explanation in summary.explain_cases(summary.cases)}
    return definitions, cases


def test_summary_lists_definition_grants(user, group, definition, grant, make_definition):
    other = make_definition(name="Fraud")
    user.groups.add(group)
    grant(user, definition, "read")
    grant(group, other, "write")

    summary = access_summary_for_user(user)

    assert summary_levels(summary) == ({"Debt collection": Level.READ, "Fraud": Level.WRITE}, {})
    assert summary.definitions[0].paths == (AccessPath(Level.READ, Source.OWN_DEFINITION_GRANT),)
    assert summary.definitions[1].paths == (AccessPath(Level.WRITE, Source.GROUP_DEFINITION_GRANT, group),)
    assert summary.reason == ""


def test_summary_lists_case_grants(user, group, case, definition, grant, make_case):
    other = make_case(definition=definition)
    make_case(definition=definition)
    user.groups.add(group)
    grant(user, case, "read")
    grant(group, other, "write")

    summary = access_summary_for_user(user)

    assert summary_levels(summary) == ({}, {case.number: Level.READ, other.number: Level.WRITE})
    first, second = summary.explain_cases(summary.cases)
    assert first.paths == (AccessPath(Level.READ, Source.OWN_CASE_GRANT),)
    assert second.paths == (AccessPath(Level.WRITE, Source.GROUP_CASE_GRANT, group),)


def test_summary_case_shows_inherited_paths(user, case, definition, grant):
    grant(user, case, "read")
    grant(user, definition, "write")

    (explanation,) = access_summary_for_user(user).explain_cases([case])

    assert explanation.level == Level.WRITE
    assert [path.source for path in explanation.paths] == [Source.OWN_DEFINITION_GRANT, Source.OWN_CASE_GRANT]
    assert [path.inherited for path in explanation.paths] == [True, False]


def test_summary_model_permissions_when_control_off(user, group, case, definition, grant, make_definition):
    make_definition(name="Fraud")
    switch_access_control_off(definition)
    grant(user, case, "write")
    group.permissions.add(Permission.objects.get(codename="view_caseinstance"))
    user.groups.add(group)

    summary = access_summary_for_user(user)

    assert summary_levels(summary) == ({"Debt collection": Level.READ}, {})
    assert summary.definitions[0].paths == (AccessPath(Level.READ, Source.MODEL_PERMISSION, group),)


def test_summary_leaves_out_idle_grants(user, case, definition, grant):
    grant(user, definition, "write")
    grant(user, case, "write")
    switch_access_control_off(definition)

    summary = access_summary_for_user(user)

    assert summary_levels(summary) == ({}, {})
    assert summary.reason == "No grant or model permission gives this user access."


def test_summary_lists_idle_grants(user, group, case, definition, grant, make_definition, make_case):
    controlled_case = make_case(definition=make_definition(name="Fraud"))
    user.groups.add(group)
    grant(group, definition, "read")
    grant(user, case, "write")
    grant(user, controlled_case, "read")
    switch_access_control_off(definition)

    idle = access_summary_for_user(user).idle_grants

    assert [(idle_grant.target, idle_grant.path) for idle_grant in idle] == [
        (definition, AccessPath(Level.READ, Source.GROUP_DEFINITION_GRANT, group)),
        (case, AccessPath(Level.WRITE, Source.OWN_CASE_GRANT)),
    ]


def test_summary_of_inactive_user_lists_no_idle_grants(user, case, definition, grant):
    grant(user, case, "write")
    switch_access_control_off(definition)
    user.is_active = False
    user.save()

    assert access_summary_for_user(user).idle_grants == ()


def test_summary_of_superuser_covers_everything(superuser, definition, make_definition):
    make_definition(name="Fraud")

    summary = access_summary_for_user(superuser)

    assert summary_levels(summary) == ({"Debt collection": Level.WRITE, "Fraud": Level.WRITE}, {})
    assert summary.definitions[0].paths == (AccessPath(Level.WRITE, Source.SUPERUSER),)


def test_summary_of_inactive_user_is_empty(user, case, grant):
    grant(user, case, "write")
    user.is_active = False
    user.save()

    summary = access_summary_for_user(user)

    assert summary_levels(summary) == ({}, {})
    assert "inactive" in summary.reason


def test_summary_agrees_with_policy(user, group, grant, make_definition, make_case):
    controlled, other, uncontrolled = make_definition(), make_definition(), make_definition(access_controlled=False)
    cases = [make_case(definition=definition) for definition in (controlled, controlled, other, other, uncontrolled)]
    user.groups.add(group)
    user.user_permissions.add(Permission.objects.get(codename="change_caseinstance"))
    grant(group, controlled, "read")
    grant(user, cases[0], "write")
    grant(group, cases[2], "read")
    grant(user, cases[4], "read")

    summary = access_summary_for_user(user)

    by_definition = {access.definition.pk: access.level for access in summary.definitions}
    by_case = {explanation.case.pk: explanation.level for explanation in summary.explain_cases(summary.cases)}
    for case in cases:
        summarised = max(by_case.get(case.pk, Level.NONE), by_definition.get(case.definition_id, Level.NONE))
        assert summarised == level_of_user_on_case(user, case), case.number


def test_summary_page_queries_bounded(user, group, definition, grant, make_case, django_assert_max_num_queries):
    user.groups.add(group)
    grant(user, definition, "read")
    for case in make_case.create_batch(30, definition=definition):
        grant(group if case.number.endswith(("0", "5")) else user, case, "write")

    with django_assert_max_num_queries(12):
        summary = access_summary_for_user(user)
        page = Paginator(summary.cases, 20).page(1)
        explanations = summary.explain_cases(page.object_list)
        descriptions = [path.description for explanation in explanations for path in explanation.paths]

    assert len(explanations) == 20
    assert "Grant of group Debt control on this case" in descriptions
