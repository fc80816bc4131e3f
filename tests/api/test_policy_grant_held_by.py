"""`policy.grant_held_by`, the lookup of one subject's grant that the grant endpoints use."""

import pytest

from grants.levels import Level
from grants.policy import grant_held_by

pytestmark = pytest.mark.django_db


def test_grant_held_by_user(user, definition, grant):
    grant(user, definition, "write")

    found = grant_held_by(user, definition)

    assert found.user == user
    assert found.level == Level.WRITE


def test_grant_held_by_group_on_case(group, case, grant):
    grant(group, case, "read")

    found = grant_held_by(group, case)

    assert found.group == group
    assert found.level == Level.READ


def test_grant_held_by_none_without_grant(user, other_user, definition, grant):
    grant(other_user, definition, "read")

    assert grant_held_by(user, definition) is None


def test_grant_held_by_ignores_other_target(user, definition, case, grant):
    grant(user, case, "read")

    assert grant_held_by(user, definition) is None
