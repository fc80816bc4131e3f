"""Concurrent changes of access on PostgreSQL: real threads, each with its own database connection.

The services lock the target row (SELECT ... FOR NO KEY UPDATE), so changes of one target run one
after the other. These tests start the changes together behind a barrier and check that none fails, that
no grant is duplicated, and that the state left behind is the one the last audit record describes.
"""

import threading

import pytest
from django.contrib.auth.models import Group
from django.core.exceptions import ObjectDoesNotExist
from django.db import IntegrityError, connection

from casemgmt.models import CaseDefinition, CaseInstance, User
from grants import services
from grants.levels import Level
from grants.models import AccessAction, AccessEvent, CaseUserGrant, DefinitionGroupGrant, DefinitionUserGrant
from grants.policy import level_of_user_on_case

pytestmark = [pytest.mark.postgres, pytest.mark.django_db(transaction=True)]

THREADS = 10
ROUNDS = 5  # Each race runs several times, so that both orders are likely to occur.
JOIN_TIMEOUT_SECONDS = 60


def run_together(*functions):
    """Run each function in its own thread, all released at once.

    Return the results and the exceptions raised, both by the function's position.
    """
    barrier = threading.Barrier(len(functions))
    results = [None] * len(functions)
    errors = {}

    def run(index, function):
        try:
            barrier.wait()
            results[index] = function()
        except Exception as error:  # Collected, so that the test names every failure.
            errors[index] = error
        finally:
            connection.close()

    threads = [threading.Thread(target=run, args=(index, function)) for index, function in enumerate(functions)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join(JOIN_TIMEOUT_SECONDS)
    assert not any(thread.is_alive() for thread in threads), "a thread is still waiting: deadlock or lock timeout"
    return results, errors


def fresh(model, pk):
    """Load a row again, so that no two threads share a model instance."""
    return model.objects.get(pk=pk)


def call_grant(actor, subject, target, level):
    """Return a function that grants with objects of its own thread."""

    def do_grant():
        return services.grant(
            fresh(User, actor.pk), fresh(type(subject), subject.pk), fresh(type(target), target.pk), level
        )

    return do_grant


def call_revoke(actor, subject, target):
    def do_revoke():
        return services.revoke(fresh(User, actor.pk), fresh(type(subject), subject.pk), fresh(type(target), target.pk))

    return do_revoke


def call_change_level(actor, subject, target, level):
    def do_change_level():
        return services.change_level(
            fresh(User, actor.pk), fresh(type(subject), subject.pk), fresh(type(target), target.pk), level
        )

    return do_change_level


def last_event(**lookup):
    return AccessEvent.objects.filter(**lookup).order_by("-occurred_at", "-id").first()


def test_identical_grants_make_one_grant(manager, user, definition, case):
    grants = [call_grant(manager, user, definition, Level.READ) for _ in range(THREADS)]

    results, errors = run_together(*grants)

    assert errors == {}
    assert sum(result.changed for result in results) == 1
    assert DefinitionUserGrant.objects.filter(user=user, content_object=definition).count() == 1
    assert AccessEvent.objects.filter(action=AccessAction.GRANTED, subject_user=user).count() == 1
    assert level_of_user_on_case(user, case) == Level.READ


def test_one_revoke_ends_parallel_grants(manager, user, definition, case):
    run_together(*[call_grant(manager, user, definition, Level.WRITE) for _ in range(THREADS)])

    services.revoke(manager, user, definition)

    assert level_of_user_on_case(user, case) == Level.NONE
    assert not DefinitionUserGrant.objects.filter(user=user).exists()


def test_identical_case_grants_make_one_grant(manager, user, case):
    results, errors = run_together(*[call_grant(manager, user, case, Level.WRITE) for _ in range(THREADS)])

    assert errors == {}
    assert CaseUserGrant.objects.filter(user=user, content_object=case).count() == 1
    assert AccessEvent.objects.filter(action=AccessAction.GRANTED, case=case).count() == 1


def test_identical_group_grants_make_one_grant(manager, group, definition):
    results, errors = run_together(*[call_grant(manager, group, definition, Level.READ) for _ in range(THREADS)])

    assert errors == {}
    assert DefinitionGroupGrant.objects.filter(group=group, content_object=definition).count() == 1
    assert AccessEvent.objects.filter(action=AccessAction.GRANTED, subject_group=group).count() == 1


def test_grants_for_many_users_all_land(manager, definition, make_user):
    users = [make_user() for _ in range(THREADS)]

    results, errors = run_together(*[call_grant(manager, someone, definition, Level.READ) for someone in users])

    assert errors == {}
    assert DefinitionUserGrant.objects.filter(content_object=definition).count() == THREADS
    assert AccessEvent.objects.filter(action=AccessAction.GRANTED, definition=definition).count() == THREADS


@pytest.mark.parametrize("round_number", range(ROUNDS))
def test_grant_racing_revoke_matches_last_record(manager, user, definition, case, round_number):
    services.grant(manager, user, definition, Level.READ)

    results, errors = run_together(
        call_revoke(manager, user, definition), call_grant(manager, user, definition, Level.WRITE)
    )

    assert errors == {}
    event = last_event(subject_user=user, definition=definition)
    grant_row = DefinitionUserGrant.objects.filter(user=user, content_object=definition).first()
    if event.action == AccessAction.REVOKED:
        assert grant_row is None
        assert level_of_user_on_case(user, case) == Level.NONE
    else:
        assert event.action == AccessAction.GRANTED
        assert grant_row.level == Level.WRITE
        assert level_of_user_on_case(user, case) == Level.WRITE


@pytest.mark.parametrize("round_number", range(ROUNDS))
def test_level_changes_racing_match_last_record(manager, user, definition, case, round_number):
    services.grant(manager, user, definition, Level.READ)
    levels = [Level.WRITE if index % 2 else Level.READ for index in range(THREADS)]

    results, errors = run_together(*[call_change_level(manager, user, definition, level) for level in levels])

    assert errors == {}
    event = last_event(subject_user=user, definition=definition)
    grant_row = DefinitionUserGrant.objects.select_related("permission").get(user=user, content_object=definition)
    assert grant_row.level == event.new_level
    assert level_of_user_on_case(user, case) == event.new_level
    assert sum(result.changed for result in results) == AccessEvent.objects.filter(
        action=AccessAction.LEVEL_CHANGED, subject_user=user
    ).count()


@pytest.mark.parametrize("round_number", range(ROUNDS))
def test_access_control_switches_match_last_record(manager, definition, round_number):
    switches = [index % 2 == 0 for index in range(THREADS)]

    def switch(enabled):
        return lambda: services.set_access_control(
            fresh(User, manager.pk), fresh(CaseDefinition, definition.pk), enabled
        )

    results, errors = run_together(*[switch(enabled) for enabled in switches])

    assert errors == {}
    definition.refresh_from_db()
    switch_actions = [AccessAction.ACCESS_CONTROL_ON, AccessAction.ACCESS_CONTROL_OFF]
    event = last_event(definition=definition, action__in=switch_actions)
    if event is None:
        assert definition.access_controlled  # Every switch found the state it asked for: nothing changed.
    elif definition.access_controlled:
        assert event.action == AccessAction.ACCESS_CONTROL_ON
    else:
        assert event.action == AccessAction.ACCESS_CONTROL_OFF


def test_case_grant_racing_access_control_switch(manager, user, definition, case):
    results, errors = run_together(
        call_grant(manager, user, case, Level.READ),
        lambda: services.set_access_control(fresh(User, manager.pk), fresh(CaseDefinition, definition.pk), False),
    )

    assert errors == {}
    assert CaseUserGrant.objects.filter(user=user, content_object=case).count() == 1
    assert not CaseDefinition.objects.get(pk=definition.pk).access_controlled


# A deletion that races a grant on the same case or subject collects the rows to delete before the
# grant commits, so its DELETE can then fail on the new rows' foreign keys and roll back whole. The
# grant's caller sees either success or "no longer exists", never an IntegrityError.


def assert_deletion_race_ended_cleanly(errors, grant_rows, deleted_still_there):
    grant_error = errors.get(0)
    deletion_error = errors.get(1)
    assert grant_error is None or isinstance(grant_error, ObjectDoesNotExist), repr(grant_error)
    assert deletion_error is None or isinstance(deletion_error, IntegrityError), repr(deletion_error)

    if deletion_error is None:
        assert not deleted_still_there
        assert grant_rows == 0
    else:
        assert deleted_still_there
        assert grant_rows == 1


@pytest.mark.parametrize("round_number", range(ROUNDS))
def test_grant_racing_case_deletion_ends_cleanly(manager, user, case, round_number):
    def delete_case():
        fresh(CaseInstance, case.pk).delete()

    results, errors = run_together(call_grant(manager, user, case, Level.READ), delete_case)

    grant_rows = CaseUserGrant.objects.filter(user=user).count()
    assert_deletion_race_ended_cleanly(errors, grant_rows, CaseInstance.objects.filter(pk=case.pk).exists())


@pytest.mark.parametrize("round_number", range(ROUNDS))
def test_grant_racing_group_deletion_ends_cleanly(manager, group, definition, round_number):
    def delete_group():
        fresh(Group, group.pk).delete()

    results, errors = run_together(call_grant(manager, group, definition, Level.READ), delete_group)

    grant_rows = DefinitionGroupGrant.objects.filter(content_object=definition).count()
    assert_deletion_race_ended_cleanly(errors, grant_rows, Group.objects.filter(pk=group.pk).exists())


@pytest.mark.parametrize("round_number", range(ROUNDS))
def test_grant_racing_user_deletion_ends_cleanly(manager, user, definition, round_number):
    def delete_user():
        fresh(User, user.pk).delete()

    results, errors = run_together(call_grant(manager, user, definition, Level.READ), delete_user)

    grant_rows = DefinitionUserGrant.objects.filter(content_object=definition).count()
    assert_deletion_race_ended_cleanly(errors, grant_rows, User.objects.filter(pk=user.pk).exists())


@pytest.mark.parametrize("round_number", range(ROUNDS))
def test_revoke_racing_group_deletion_ends_cleanly(manager, group, definition, round_number):
    services.grant(manager, group, definition, Level.READ)

    def delete_group():
        fresh(Group, group.pk).delete()

    results, errors = run_together(call_revoke(manager, group, definition), delete_group)

    revoke_error = errors.get(0)
    deletion_error = errors.get(1)
    assert revoke_error is None or isinstance(revoke_error, ObjectDoesNotExist), repr(revoke_error)
    assert deletion_error is None or isinstance(deletion_error, IntegrityError), repr(deletion_error)
    assert Group.objects.filter(pk=group.pk).exists() == (deletion_error is not None)
    assert not DefinitionGroupGrant.objects.filter(content_object=definition).exists()
