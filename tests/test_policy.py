"""The access policy's rules, one behaviour per test."""

import pytest
from django.contrib.auth.models import Permission

from grants.levels import Level
from grants.policy import (
    cases_user_can_read,
    cases_user_can_write,
    grants_on,
    is_access_manager,
    level_of_user_on_case,
)

pytestmark = pytest.mark.django_db


def test_no_grant_means_no_access(user, case):
    assert level_of_user_on_case(user, case) == Level.NONE
    assert not cases_user_can_read(user).exists()


def test_user_grant_on_definition_gives_its_level(user, case, definition, grant):
    grant(user, definition, "read")

    assert level_of_user_on_case(user, case) == Level.READ
    assert list(cases_user_can_read(user)) == [case]
    assert not cases_user_can_write(user).exists()


def test_group_grant_reaches_members(user, group, case, definition, grant):
    user.groups.add(group)
    grant(group, definition, "write")

    assert level_of_user_on_case(user, case) == Level.WRITE


def test_group_grant_leaves_non_members_out(user, other_user, group, case, definition, grant):
    user.groups.add(group)
    grant(group, definition, "write")

    assert level_of_user_on_case(other_user, case) == Level.NONE


def test_highest_of_own_and_group_grant_counts(user, group, case, definition, grant):
    user.groups.add(group)
    grant(user, definition, "read")
    grant(group, definition, "write")

    assert level_of_user_on_case(user, case) == Level.WRITE
    assert list(cases_user_can_write(user)) == [case]


def test_write_includes_read(user, case, definition, grant):
    grant(user, definition, "write")

    assert list(cases_user_can_read(user)) == [case]
    assert user.has_perm("casemgmt.view_caseinstance", case)
    assert user.has_perm("casemgmt.change_caseinstance", case)


def test_changed_level_takes_effect(user, case, definition, grant):
    grant(user, definition, "write")
    grant(user, definition, "read")

    assert level_of_user_on_case(user, case) == Level.READ
    assert len(grants_on(definition)) == 1


def test_revoked_grant_removes_access(user, case, definition, grant, manager):
    from grants import services

    grant(user, definition, "read")
    services.revoke(manager, user, definition)

    assert level_of_user_on_case(user, case) == Level.NONE
    assert not cases_user_can_read(user).exists()


def test_definition_grant_covers_cases_created_later(user, definition, grant, make_case):
    grant(user, definition, "read")
    later = make_case(definition=definition)

    assert level_of_user_on_case(user, later) == Level.READ
    assert later in cases_user_can_read(user)


def test_definition_grant_is_one_row_however_many_cases(user, definition, grant, make_case):
    make_case.create_batch(5, definition=definition)
    grant(user, definition, "read")

    assert definition.user_grants.count() == 1


def test_grant_on_other_definition_does_not_reach(user, case, grant, make_definition):
    grant(user, make_definition(), "write")

    assert level_of_user_on_case(user, case) == Level.NONE


def test_access_control_off_falls_back_to_model_permissions(user, case, definition, grant):
    grant(user, definition, "write")
    definition.access_controlled = False
    definition.save()

    assert level_of_user_on_case(user, case) == Level.NONE

    user.user_permissions.add(Permission.objects.get(codename="view_caseinstance"))
    assert level_of_user_on_case(user, case) == Level.READ

    user.user_permissions.add(Permission.objects.get(codename="change_caseinstance"))
    assert level_of_user_on_case(user, case) == Level.WRITE


def test_model_permission_through_group_counts_when_control_off(user, group, case, definition):
    definition.access_controlled = False
    definition.save()
    group.permissions.add(Permission.objects.get(codename="view_caseinstance"))
    user.groups.add(group)

    assert list(cases_user_can_read(user)) == [case]


def test_model_permissions_do_not_open_controlled_cases(user, case):
    user.user_permissions.add(*Permission.objects.filter(codename__in=["view_caseinstance", "change_caseinstance"]))

    assert level_of_user_on_case(user, case) == Level.NONE
    assert not user.has_perm("casemgmt.view_caseinstance", case)


def test_inactive_user_has_no_access(user, case, definition, grant):
    grant(user, definition, "write")
    user.is_active = False
    user.save()

    assert level_of_user_on_case(user, case) == Level.NONE
    assert not cases_user_can_read(user).exists()
    assert not user.has_perm("casemgmt.view_caseinstance", case)


def test_superuser_has_write(superuser, case):
    assert level_of_user_on_case(superuser, case) == Level.WRITE
    assert list(cases_user_can_write(superuser)) == [case]


def test_list_leaves_out_unreadable_cases(user, case, definition, grant, make_case):
    hidden = make_case()
    grant(user, definition, "read")

    readable = list(cases_user_can_read(user))

    assert case in readable
    assert hidden not in readable


def test_list_shows_case_once_when_many_grants_reach_it(user, case, definition, grant, make_group):
    first, second = make_group(), make_group()
    user.groups.add(first, second)
    grant(user, definition, "read")
    grant(first, definition, "read")
    grant(second, definition, "write")

    readable = cases_user_can_read(user)

    assert list(readable) == [case]
    assert readable.count() == 1
    assert readable.get().access_level == Level.WRITE


def test_has_perm_follows_policy(user, case, definition, grant):
    grant(user, definition, "read")

    assert user.has_perm("casemgmt.view_caseinstance", case)
    assert not user.has_perm("casemgmt.change_caseinstance", case)
    assert not user.has_perm("casemgmt.delete_caseinstance", case)


def test_has_perm_cache_sees_later_grant(user, case, definition, grant):
    assert not user.has_perm("casemgmt.view_caseinstance", case)

    grant(user, definition, "read")

    assert user.has_perm("casemgmt.view_caseinstance", case)


def test_access_manager_by_permission(manager, user, superuser):
    assert is_access_manager(manager)
    assert is_access_manager(superuser)
    assert not is_access_manager(user)


def test_level_of_user_on_case_takes_one_query(user, case, definition, grant, django_assert_num_queries):
    grant(user, definition, "read")
    case = type(case).objects.get(pk=case.pk)

    with django_assert_num_queries(1):
        level_of_user_on_case(user, case)
