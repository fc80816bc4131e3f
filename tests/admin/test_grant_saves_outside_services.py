"""Grant rows saved outside the services, as guardian's shortcuts or a shell do, are checked and recorded."""

import pytest
from django.contrib.auth.models import Permission
from django.core.exceptions import PermissionDenied, ValidationError
from django.db import transaction
from django.test import RequestFactory
from guardian.shortcuts import assign_perm, remove_perm

from grants import audit, services
from grants.levels import Level
from grants.models import AccessAction, AccessEvent, CaseUserGrant, DefinitionGroupGrant, DefinitionUserGrant


def grant_events():
    return list(
        AccessEvent.objects.filter(
            action__in=[AccessAction.GRANTED, AccessAction.LEVEL_CHANGED, AccessAction.REVOKED]
        ).order_by("id")
    )


def casemgmt_permission(codename):
    return Permission.objects.get(content_type__app_label="casemgmt", codename=codename)


@pytest.fixture
def acting_as():
    """Run the test body as if a command named the given user as its actor."""
    tokens = []

    def set_actor(user):
        tokens.append(audit.current_actor.set(user))

    yield set_actor
    for token in reversed(tokens):
        audit.current_actor.reset(token)


def test_assign_perm_is_recorded(definition, user):
    assign_perm("casemgmt.read_cases", user, definition)

    [event] = grant_events()
    assert (event.action, event.subject_user, event.definition, event.new_level) == (
        AccessAction.GRANTED, user, definition, Level.READ
    )
    assert event.actor is None


def test_save_in_request_takes_granted_by(manager, definition, user):
    request = RequestFactory().get("/")
    request.user = manager
    token = audit.current_request.set(request)
    try:
        assign_perm("casemgmt.write_cases", user, definition)
    finally:
        audit.current_request.reset(token)

    assert DefinitionUserGrant.objects.get(user=user).granted_by == manager
    assert grant_events()[0].actor == manager


def test_second_row_becomes_level_change(definition, group):
    assign_perm("casemgmt.read_cases", group, definition)

    assign_perm("casemgmt.write_cases", group, definition)

    assert [row.level for row in DefinitionGroupGrant.objects.all()] == [Level.WRITE]
    assert [(event.action, event.old_level, event.new_level) for event in grant_events()] == [
        (AccessAction.GRANTED, Level.NONE, Level.READ),
        (AccessAction.LEVEL_CHANGED, Level.READ, Level.WRITE),
    ]


def test_second_row_with_same_level_records_nothing(definition, user):
    assign_perm("casemgmt.read_cases", user, definition)

    read = casemgmt_permission("read_cases")
    DefinitionUserGrant.objects.create(user=user, content_object=definition, permission=read)

    assert DefinitionUserGrant.objects.count() == 1
    assert len(grant_events()) == 1


def test_level_change_by_save_is_recorded(case, user):
    assign_perm("casemgmt.view_caseinstance", user, case)
    row = CaseUserGrant.objects.get()

    row.permission = casemgmt_permission("change_caseinstance")
    row.save()

    assert grant_events()[-1].action == AccessAction.LEVEL_CHANGED
    assert grant_events()[-1].case == case


def test_unchanged_save_records_nothing(case, user):
    assign_perm("casemgmt.view_caseinstance", user, case)

    CaseUserGrant.objects.get().save()

    assert len(grant_events()) == 1


def test_other_permission_is_rejected(definition, user):
    with pytest.raises(ValidationError, match="casemgmt.delete_casedefinition is not a grant level"):
        assign_perm("casemgmt.delete_casedefinition", user, definition)

    assert not DefinitionUserGrant.objects.exists()


def test_other_case_permission_is_rejected(case, user):
    with pytest.raises(ValidationError, match="Use one of: casemgmt.view_caseinstance, casemgmt.change_caseinstance"):
        CaseUserGrant.objects.create(user=user, content_object=case, permission=casemgmt_permission("add_caseinstance"))

    assert not CaseUserGrant.objects.exists()


def test_inactive_user_is_rejected(definition, make_user):
    inactive = make_user(username="gone", is_active=False)

    with pytest.raises(ValidationError, match="User gone is inactive"):
        assign_perm("casemgmt.read_cases", inactive, definition)


def test_non_manager_actor_is_refused(definition, user, other_user, acting_as):
    acting_as(other_user)

    with pytest.raises(PermissionDenied):
        assign_perm("casemgmt.read_cases", user, definition)

    assert not DefinitionUserGrant.objects.exists()


def test_manager_actor_is_recorded(manager, definition, user, acting_as):
    acting_as(manager)

    assign_perm("casemgmt.read_cases", user, definition)

    assert grant_events()[0].actor == manager


def test_moving_grant_is_rejected(definition, user, other_user):
    assign_perm("casemgmt.read_cases", user, definition)
    row = DefinitionUserGrant.objects.get()

    row.user = other_user
    with pytest.raises(ValidationError, match="cannot be changed"), transaction.atomic():
        row.save()

    assert DefinitionUserGrant.objects.get().user == user


def test_remove_perm_is_recorded(definition, user):
    assign_perm("casemgmt.read_cases", user, definition)

    remove_perm("casemgmt.read_cases", user, definition)

    assert [event.action for event in grant_events()] == [AccessAction.GRANTED, AccessAction.REVOKED]


def test_services_are_recorded_once(manager, definition, user):
    services.grant(manager, user, definition, Level.READ)
    services.change_level(manager, user, definition, Level.WRITE)
    services.revoke(manager, user, definition)

    actions = [event.action for event in grant_events()]
    assert actions == [AccessAction.GRANTED, AccessAction.LEVEL_CHANGED, AccessAction.REVOKED]


def test_service_row_saved_again_is_recorded(manager, case, user):
    row = services.grant(manager, user, case, Level.READ).grant

    row.permission = casemgmt_permission("change_caseinstance")
    row.save()

    assert [event.action for event in grant_events()] == [AccessAction.GRANTED, AccessAction.LEVEL_CHANGED]
