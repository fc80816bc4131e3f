"""Grant services: who may change access, validation, and the audit record of every change."""

import pytest
from django.core.exceptions import PermissionDenied, ValidationError

from grants import services
from grants.levels import Level
from grants.models import AccessAction, AccessEvent, DefinitionGroupGrant, DefinitionUserGrant

pytestmark = pytest.mark.django_db


def test_grant_records_who_what_and_when(manager, user, definition):
    services.grant(manager, user, definition, "write")

    event = AccessEvent.objects.get(definition=definition)
    assert event.action == AccessAction.GRANTED
    assert event.actor == manager
    assert event.subject_user == user
    assert event.definition == definition
    assert event.old_level == Level.NONE
    assert event.new_level == Level.WRITE
    assert event.occurred_at is not None


def test_grant_stores_granted_by(manager, user, definition):
    change = services.grant(manager, user, definition, "read")

    assert change.grant.granted_by == manager
    assert change.grant.level == Level.READ


def test_repeated_grant_changes_nothing(manager, user, definition):
    services.grant(manager, user, definition, "read")

    change = services.grant(manager, user, definition, "read")

    assert not change.changed
    assert AccessEvent.objects.filter(definition=definition).count() == 1
    assert DefinitionUserGrant.objects.count() == 1


def test_level_change_updates_grant_in_place(manager, user, definition):
    first = services.grant(manager, user, definition, "read").grant

    change = services.change_level(manager, user, definition, "write")

    assert change.grant.pk == first.pk
    assert DefinitionUserGrant.objects.get().level == Level.WRITE
    event = AccessEvent.objects.filter(definition=definition).first()
    assert event.action == AccessAction.LEVEL_CHANGED
    assert (event.old_level, event.new_level) == (Level.READ, Level.WRITE)


def test_change_level_without_grant_raises(manager, user, definition):
    with pytest.raises(services.GrantNotFound):
        services.change_level(manager, user, definition, "write")

    assert not AccessEvent.objects.filter(definition=definition).exists()


def test_revoke_records_old_level(manager, group, definition):
    services.grant(manager, group, definition, "write")

    services.revoke(manager, group, definition)

    assert not DefinitionGroupGrant.objects.exists()
    event = AccessEvent.objects.filter(definition=definition).first()
    assert event.action == AccessAction.REVOKED
    assert event.subject_group == group
    assert event.old_level == Level.WRITE
    assert AccessEvent.objects.filter(definition=definition).count() == 2


def test_revoke_without_grant_raises(manager, user, definition):
    with pytest.raises(services.GrantNotFound):
        services.revoke(manager, user, definition)


@pytest.mark.parametrize("level", ["admin", "", None, 3, "none"])
def test_unknown_level_rejected(manager, user, definition, level):
    with pytest.raises(ValidationError) as error:
        services.grant(manager, user, definition, level)

    assert repr(level) in str(error.value)
    assert not DefinitionUserGrant.objects.exists()


def test_inactive_user_rejected(manager, user, definition):
    user.is_active = False
    user.save()

    with pytest.raises(ValidationError) as error:
        services.grant(manager, user, definition, "read")

    assert user.username in str(error.value)
    assert not DefinitionUserGrant.objects.exists()


def test_non_manager_cannot_grant(user, other_user, definition):
    with pytest.raises(PermissionDenied):
        services.grant(user, other_user, definition, "read")

    assert not DefinitionUserGrant.objects.exists()
    assert not AccessEvent.objects.filter(definition=definition).exists()


def test_switching_access_control_is_recorded(manager, definition):
    services.set_access_control(manager, definition, False)
    services.set_access_control(manager, definition, False)

    definition.refresh_from_db()
    assert definition.access_controlled is False
    assert list(AccessEvent.objects.filter(definition=definition).values_list("action", flat=True)) == [AccessAction.ACCESS_CONTROL_OFF]


def test_switching_access_control_needs_manager(user, definition):
    with pytest.raises(PermissionDenied):
        services.set_access_control(user, definition, False)

    definition.refresh_from_db()
    assert definition.access_controlled is True


def test_failed_audit_write_rolls_back_grant(manager, user, definition, monkeypatch):
    def broken_record(*args, **kwargs):
        raise RuntimeError("audit store unavailable")

    monkeypatch.setattr(services.audit, "record", broken_record)

    with pytest.raises(RuntimeError):
        services.grant(manager, user, definition, "read")

    assert not DefinitionUserGrant.objects.exists()
