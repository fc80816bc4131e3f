"""Grants on one case: what they reach, how they combine with definition grants, and revoking them."""

import pytest

from grants import services
from grants.levels import Level
from grants.policy import cases_user_can_read, cases_user_can_write, level_of_user_on_case

pytestmark = pytest.mark.django_db


def test_case_grant_reaches_only_its_case(user, case, definition, grant, make_case):
    sibling = make_case(definition=definition)
    grant(user, case, "read")

    assert level_of_user_on_case(user, case) == Level.READ
    assert level_of_user_on_case(user, sibling) == Level.NONE
    assert list(cases_user_can_read(user)) == [case]


def test_case_grant_does_not_open_definition(user, case, definition, grant):
    from grants.policy import level_of_user_on_definition

    grant(user, case, "write")

    assert level_of_user_on_definition(user, definition) == Level.NONE


def test_case_read_plus_definition_write_gives_write(user, case, definition, grant):
    grant(user, case, "read")
    grant(user, definition, "write")

    assert level_of_user_on_case(user, case) == Level.WRITE
    assert list(cases_user_can_write(user)) == [case]


def test_case_write_above_definition_read(user, case, definition, grant, make_case):
    sibling = make_case(definition=definition)
    grant(user, definition, "read")
    grant(user, case, "write")

    assert level_of_user_on_case(user, case) == Level.WRITE
    assert level_of_user_on_case(user, sibling) == Level.READ
    assert list(cases_user_can_write(user)) == [case]


def test_group_case_grant_reaches_members(user, other_user, group, case, grant):
    user.groups.add(group)
    grant(group, case, "write")

    assert level_of_user_on_case(user, case) == Level.WRITE
    assert level_of_user_on_case(other_user, case) == Level.NONE


def test_case_grant_listed_once_with_level(user, group, case, definition, grant):
    user.groups.add(group)
    grant(user, case, "read")
    grant(group, case, "write")
    grant(user, definition, "read")

    readable = cases_user_can_read(user)

    assert readable.count() == 1
    assert readable.get().access_level == Level.WRITE


def test_revoke_case_grant_keeps_definition(user, case, definition, grant, manager):
    grant(user, case, "write")
    grant(user, definition, "read")

    services.revoke(manager, user, case)

    assert level_of_user_on_case(user, case) == Level.READ


def test_revoke_definition_grant_keeps_case(user, case, definition, grant, manager, make_case):
    sibling = make_case(definition=definition)
    grant(user, case, "read")
    grant(user, definition, "write")

    services.revoke(manager, user, definition)

    assert level_of_user_on_case(user, case) == Level.READ
    assert level_of_user_on_case(user, sibling) == Level.NONE


def test_case_grant_idle_when_control_off(user, case, definition, grant, manager):
    grant(user, case, "write")
    services.set_access_control(manager, definition, False)

    assert level_of_user_on_case(user, case) == Level.NONE

    services.set_access_control(manager, definition, True)

    assert level_of_user_on_case(user, case) == Level.WRITE


def test_case_grant_row_uses_case_permission(user, case, grant):
    change = grant(user, case, "write")

    assert change.grant.permission.codename == "change_caseinstance"
    assert change.grant.permission.content_type.model == "caseinstance"
    assert case.user_grants.count() == 1
