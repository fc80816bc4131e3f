"""What happens to grants and access when cases, definitions, users and groups change or go away."""

import pytest

from grants.audit import current_actor
from grants.levels import Level
from grants.models import (
    AccessAction,
    AccessEvent,
    CaseGroupGrant,
    CaseUserGrant,
    DefinitionGroupGrant,
    DefinitionUserGrant,
)
from grants.policy import cases_user_can_read, level_of_user_on_case

pytestmark = pytest.mark.django_db

GRANT_MODELS = (DefinitionUserGrant, DefinitionGroupGrant, CaseUserGrant, CaseGroupGrant)


def grant_rows():
    """Return the number of rows in each of the four grant tables, by model name."""
    return {model.__name__: model.objects.count() for model in GRANT_MODELS}


def no_grant_rows():
    return dict.fromkeys((model.__name__ for model in GRANT_MODELS), 0)


def events(action):
    return AccessEvent.objects.filter(action=action)


@pytest.fixture
def granted_world(user, group, case, definition, grant):
    """One grant of every kind: user and group, on the definition and on its case."""
    user.groups.add(group)
    grant(user, definition, "read")
    grant(group, definition, "read")
    grant(user, case, "write")
    grant(group, case, "write")
    assert set(grant_rows().values()) == {1}


def test_delete_case_leaves_no_grant_rows(granted_world, case):
    case.delete()

    assert grant_rows() == {**no_grant_rows(), "DefinitionUserGrant": 1, "DefinitionGroupGrant": 1}


def test_delete_case_records_events(granted_world, case):
    number = case.number
    case.delete()

    deleted = events(AccessAction.TARGET_DELETED)
    assert deleted.count() == 2
    assert set(deleted.values_list("case_number", flat=True)) == {number}
    assert set(deleted.values_list("subject_name", flat=True)) == {"ulla", "Debt control"}
    assert set(deleted.values_list("old_level", flat=True)) == {Level.WRITE}
    assert not deleted.filter(case__isnull=False).exists()


def test_delete_definition_leaves_no_grant_rows(granted_world, definition):
    definition.delete()

    assert grant_rows() == no_grant_rows()


def test_delete_definition_records_events(granted_world, definition):
    definition.delete()

    deleted = events(AccessAction.TARGET_DELETED)
    assert deleted.count() == 4
    assert set(deleted.values_list("definition_name", flat=True)) == {"Debt collection"}
    assert not deleted.filter(definition__isnull=False).exists()
    assert not deleted.filter(case__isnull=False).exists()


def test_delete_definition_without_grants_recorded(manager, make_definition, make_case):
    definition = make_definition(name="Short-lived")
    make_case(definition=definition)

    token = current_actor.set(manager)
    try:
        definition.delete()
    finally:
        current_actor.reset(token)

    event = events(AccessAction.DEFINITION_DELETED).get()
    assert event.definition_name == "Short-lived"
    assert event.definition is None
    assert event.actor == manager


def test_delete_user_leaves_no_grant_rows(granted_world, user):
    user.delete()

    assert grant_rows() == {**no_grant_rows(), "DefinitionGroupGrant": 1, "CaseGroupGrant": 1}


def test_delete_user_records_events(granted_world, user):
    user.delete()

    deleted = events(AccessAction.SUBJECT_DELETED)
    assert deleted.count() == 2
    assert set(deleted.values_list("subject_name", flat=True)) == {"ulla"}
    assert not deleted.filter(subject_user__isnull=False).exists()


def test_delete_group_leaves_no_grant_rows(granted_world, group):
    group.delete()

    assert grant_rows() == {**no_grant_rows(), "DefinitionUserGrant": 1, "CaseUserGrant": 1}


def test_delete_group_records_events(granted_world, group):
    group.delete()

    deleted = events(AccessAction.SUBJECT_DELETED)
    assert deleted.count() == 2
    assert set(deleted.values_list("subject_name", flat=True)) == {"Debt control"}
    assert not deleted.filter(subject_group__isnull=False).exists()


def test_delete_group_removes_members_access(user, group, case, grant):
    user.groups.add(group)
    grant(group, case, "read")

    group.delete()

    assert level_of_user_on_case(user, case) == Level.NONE


def test_delete_records_actor(granted_world, case, manager):
    from grants.audit import current_actor

    token = current_actor.set(manager)
    try:
        case.delete()
    finally:
        current_actor.reset(token)

    assert set(events(AccessAction.TARGET_DELETED).values_list("actor_name", flat=True)) == {"manager"}


def test_member_removal_takes_effect_at_once(user, group, case, grant):
    user.groups.add(group)
    grant(group, case, "read")
    assert user.has_perm("casemgmt.view_caseinstance", case)

    user.groups.remove(group)

    assert not user.has_perm("casemgmt.view_caseinstance", case)
    assert not cases_user_can_read(user).exists()


def test_member_removal_in_history(user, group):
    user.groups.add(group)

    group.user_set.remove(user)

    removed = events(AccessAction.MEMBER_REMOVED).get()
    assert removed.subject_user == user
    assert removed.subject_group == group
    assert removed.subject_name == "ulla / Debt control"


def test_member_added_in_history(user, group, case, grant):
    grant(group, case, "read")

    group.user_set.add(user)

    added = events(AccessAction.MEMBER_ADDED).get(subject_user=user)
    assert added.subject_group == group
    assert user.has_perm("casemgmt.view_caseinstance", case)


def test_group_clear_records_each_member(user, other_user, group):
    group.user_set.add(user, other_user)

    group.user_set.clear()

    removed = events(AccessAction.MEMBER_REMOVED)
    assert set(removed.values_list("subject_user__username", flat=True)) == {"ulla", "viktor"}


def test_user_groups_clear_records_each_group(user, group, make_group):
    second = make_group(name="Auditors")
    user.groups.add(group, second)

    user.groups.clear()

    removed = events(AccessAction.MEMBER_REMOVED)
    assert set(removed.values_list("subject_group__name", flat=True)) == {"Debt control", "Auditors"}


def test_groups_set_records_change(user, group, make_group):
    second = make_group(name="Auditors")
    user.groups.add(group)

    user.groups.set([second])

    assert events(AccessAction.MEMBER_REMOVED).get().subject_group == group
    assert events(AccessAction.MEMBER_ADDED).filter(subject_group=second).count() == 1


def test_deactivation_takes_effect_at_once(user, case, grant):
    grant(user, case, "write")
    assert user.has_perm("casemgmt.view_caseinstance", case)

    user.is_active = False
    user.save()

    assert not user.has_perm("casemgmt.view_caseinstance", case)
    assert level_of_user_on_case(user, case) == Level.NONE
    assert not cases_user_can_read(user).exists()


def test_deactivation_in_history(user):
    user.is_active = False
    user.save()

    deactivated = events(AccessAction.USER_DEACTIVATED).get()
    assert deactivated.subject_user == user
    assert deactivated.subject_name == "ulla"


def test_reactivation_in_history(user, case, grant):
    grant(user, case, "read")
    user.is_active = False
    user.save()

    user.is_active = True
    user.save()

    assert events(AccessAction.USER_ACTIVATED).get().subject_user == user
    assert level_of_user_on_case(user, case) == Level.READ


def test_save_without_activation_change_records_nothing(user):
    user.first_name = "Ulla"
    user.save()

    assert not AccessEvent.objects.exists()


def test_removing_non_member_records_nothing(user, other_user, group):
    group.user_set.add(user)

    group.user_set.remove(other_user)
    other_user.groups.remove(group)

    assert not events(AccessAction.MEMBER_REMOVED).exists()
    assert list(group.user_set.all()) == [user]


def test_adding_member_twice_records_once(user, group):
    group.user_set.add(user)
    group.user_set.add(user)
    user.groups.add(group)

    assert events(AccessAction.MEMBER_ADDED).count() == 1


def test_save_of_other_fields_records_nothing(user):
    stale = type(user).objects.get(pk=user.pk)
    type(user).objects.filter(pk=user.pk).update(is_active=False)

    stale.first_name = "Ulla"
    stale.save(update_fields=["first_name"])

    assert not AccessEvent.objects.exists()
    assert not type(user).objects.get(pk=user.pk).is_active


@pytest.mark.django_db(transaction=True)
def test_failed_deactivation_records_nothing(user, other_user):
    from django.db import IntegrityError

    user.is_active = False
    user.username = other_user.username

    with pytest.raises(IntegrityError):
        user.save()

    assert not events(AccessAction.USER_DEACTIVATED).exists()
    assert type(user).objects.get(pk=user.pk).is_active
