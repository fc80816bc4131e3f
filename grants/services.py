"""Every change of access: grant, change level, revoke, and switching access control.

Each function checks that the actor is an access manager and validates its input. It then locks the
target row, so that concurrent changes of one target run one after the other, and writes the change
and its audit record in one transaction. A request that changes nothing writes nothing.

Bad input raises `django.core.exceptions.ValidationError` with a message that names the value. An
actor who may not manage access gets `PermissionDenied`. A missing grant or target raises
`GrantNotFound` or `ObjectDoesNotExist`.
"""

from dataclasses import dataclass

from django.contrib.auth.models import Group, Permission
from django.core.exceptions import ObjectDoesNotExist, PermissionDenied, ValidationError
from django.db import transaction
from django.db.models.signals import post_migrate
from django.dispatch import receiver
from django.utils import timezone
from django.utils.translation import gettext as _

from casemgmt.models import CaseDefinition, CaseInstance

from . import audit
from .levels import CASE_CODENAMES, DEFINITION_CODENAMES, Level
from .models import AccessAction, CaseGroupGrant, CaseUserGrant, DefinitionGroupGrant, DefinitionUserGrant
from .policy import forget_cached_levels, is_access_manager
from .signals import mark_recorded


class GrantNotFound(ObjectDoesNotExist):
    """Raised when the subject has no grant on the target."""


@dataclass(frozen=True)
class GrantChange:
    """Outcome of a service call: the action recorded (None if nothing changed) and the grant after it."""

    action: str | None
    grant: object | None
    old_level: Level = Level.NONE
    new_level: Level = Level.NONE

    @property
    def changed(self):
        return self.action is not None


def grant(actor, subject, target, level):
    """Give the subject `level` on the target, creating the grant or changing its level in place."""
    return _set_level(actor, subject, target, level, must_exist=False)


def change_level(actor, subject, target, level):
    """Change the level of an existing grant; raise `GrantNotFound` if the subject has none."""
    return _set_level(actor, subject, target, level, must_exist=True)


def revoke(actor, subject, target):
    """Delete the subject's grant on the target; raise `GrantNotFound` if there is none."""
    _require_manager(actor)
    model = _grant_model(subject, target)

    with transaction.atomic():
        target = _lock(target)
        existing = _find_grant(model, subject, target)
        subject = _lock(subject)
        if existing is None:
            raise GrantNotFound(_no_grant_message(subject, target))

        old_level = existing.level
        mark_recorded(existing)
        existing.delete()
        audit.record(AccessAction.REVOKED, actor=actor, subject=subject, target=target, old_level=old_level)

    forget_cached_levels()
    return GrantChange(AccessAction.REVOKED, None, old_level, Level.NONE)


def set_access_control(actor, definition, enabled):
    """Switch access control of a definition on or off. Switching to the current state does nothing."""
    _require_manager(actor)
    if not isinstance(enabled, bool):
        raise ValidationError(_("%(value)r is not on or off. Use true or false.") % {"value": enabled})

    with transaction.atomic():
        definition = _lock(definition)
        if definition.access_controlled == enabled:
            return GrantChange(None, None)

        definition.access_controlled = enabled
        definition.save(update_fields=["access_controlled"])
        action = AccessAction.ACCESS_CONTROL_ON if enabled else AccessAction.ACCESS_CONTROL_OFF
        audit.record(action, actor=actor, target=definition)

    forget_cached_levels()
    return GrantChange(action, None)


def _set_level(actor, subject, target, level, must_exist):
    _require_manager(actor)
    level = _parse_level(level)
    _validate_subject(subject)
    model = _grant_model(subject, target)

    with transaction.atomic():
        target = _lock(target)
        existing = _find_grant(model, subject, target)
        subject = _lock(subject)
        _validate_subject(subject)  # Again, since the user may have been deactivated meanwhile.
        if existing is None and must_exist:
            raise GrantNotFound(_no_grant_message(subject, target))
        if existing is not None and existing.level == level:
            return GrantChange(None, existing, level, level)

        permission = _permission_for(target, level)
        if existing is None:
            change = _create_grant(actor, model, subject, target, permission, level)
        else:
            change = _update_grant(actor, existing, subject, target, permission, level)

    forget_cached_levels()
    return change


def _create_grant(actor, model, subject, target, permission, level):
    grant_row = model(content_object=target, permission=permission, granted_by=_as_user(actor))
    setattr(grant_row, _subject_field(subject), subject)
    mark_recorded(grant_row)
    grant_row.save()
    audit.record(AccessAction.GRANTED, actor=actor, subject=subject, target=target, new_level=level)
    return GrantChange(AccessAction.GRANTED, grant_row, Level.NONE, level)


def _update_grant(actor, grant_row, subject, target, permission, level):
    old_level = grant_row.level
    grant_row.permission = permission
    grant_row.granted_by = _as_user(actor)
    grant_row.granted_at = timezone.now()
    mark_recorded(grant_row)
    grant_row.save(update_fields=["permission", "granted_by", "granted_at"])
    audit.record(
        AccessAction.LEVEL_CHANGED, actor=actor, subject=subject, target=target, old_level=old_level, new_level=level
    )
    return GrantChange(AccessAction.LEVEL_CHANGED, grant_row, old_level, level)


# Validation and lookups


def _require_manager(actor):
    if not is_access_manager(actor):
        raise PermissionDenied(_("Only access managers may change access."))


def _parse_level(level):
    try:
        return Level.parse(level)
    except ValueError:
        raise ValidationError(
            _("%(value)r is not a level. Use 'read' or 'write'.") % {"value": level}, code="invalid_level"
        ) from None


def _validate_subject(subject):
    if isinstance(subject, Group):
        return
    if subject is None or not getattr(subject, "is_authenticated", False):
        raise ValidationError(_("A grant needs a user or a group."), code="invalid_subject")
    if not subject.is_active:
        raise ValidationError(
            _("User %(username)s is inactive. Activate the user before granting access.")
            % {"username": subject.get_username()},
            code="inactive_user",
        )


def _grant_model(subject, target):
    is_group = isinstance(subject, Group)
    if isinstance(target, CaseDefinition):
        return DefinitionGroupGrant if is_group else DefinitionUserGrant
    if isinstance(target, CaseInstance):
        return CaseGroupGrant if is_group else CaseUserGrant
    raise ValidationError(_("A grant needs a case definition or a case as its target."), code="invalid_target")


def _subject_field(subject):
    return "group" if isinstance(subject, Group) else "user"


def _lock(row):
    """Lock and re-read a target or subject row, so that changes of one target run one after the other.

    Services lock the target, then the grant row, then the subject. Deleting a user or group deletes
    its grant rows before its own row, so this order does not deadlock with it (tests/test_concurrency.py
    races the two). A subject deleted meanwhile raises ObjectDoesNotExist here, not IntegrityError at
    commit. The lock is PostgreSQL's FOR NO KEY UPDATE: it excludes other services and deletions of the
    row, but not the foreign-key checks of rows that refer to it, which a concurrent deletion needs.
    """
    try:
        return row._meta.model._default_manager.select_for_update(no_key=True).get(pk=row.pk)
    except ObjectDoesNotExist:
        raise ObjectDoesNotExist(_("%(row)s no longer exists.") % {"row": row}) from None


def _find_grant(model, subject, target):
    """Return the subject's grant row on the target, locked, or None. The permission row is not locked."""
    lookup = {_subject_field(subject): subject, "content_object": target}
    grants = model.objects.select_related("permission").select_for_update(no_key=True, of=("self",))
    return grants.filter(**lookup).first()


# The four level permissions, by (model name, codename), read once per process. A migration or a
# test database flush can give them new ids, so post_migrate empties the cache.
_level_permissions = {}


@receiver(post_migrate, dispatch_uid="forget-level-permissions")
def _forget_level_permissions(**kwargs):
    _level_permissions.clear()


def _permission_for(target, level):
    if isinstance(target, CaseDefinition):
        key = ("casedefinition", DEFINITION_CODENAMES[level])
    else:
        key = ("caseinstance", CASE_CODENAMES[level])

    if not _level_permissions:
        codenames = [*DEFINITION_CODENAMES.values(), *CASE_CODENAMES.values()]
        # The content type comes along because guardian's save() compares it with the target's.
        permissions = Permission.objects.select_related("content_type").filter(
            content_type__app_label="casemgmt", codename__in=codenames
        )
        _level_permissions.update(
            ((permission.content_type.model, permission.codename), permission) for permission in permissions
        )
    return _level_permissions[key]


def _as_user(actor):
    return actor if getattr(actor, "is_authenticated", False) else None


def _no_grant_message(subject, target):
    return _("%(subject)s has no grant on %(target)s.") % {"subject": subject, "target": target}
