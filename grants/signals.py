"""Record the access changes that do not go through `grants.services`.

Deleting a case, a definition, a user or a group deletes its grants by cascade. Removing a user from a
group or deactivating a user changes what the user reaches. A grant row deleted elsewhere, such as on
guardian's object-permission page, is a revoke. Each of these writes an access event here, in the
transaction of the change, and empties the per-request level caches.
"""

from django.contrib.auth import get_user_model
from django.contrib.auth.models import Group
from django.core.exceptions import PermissionDenied, ValidationError
from django.db.models.signals import m2m_changed, post_delete, post_save, pre_save
from django.dispatch import receiver
from django.utils.translation import gettext as _

from casemgmt.models import CaseDefinition, CaseInstance

from . import audit
from .levels import CASE_CODENAMES, DEFINITION_CODENAMES, Level
from .models import AccessAction, CaseGroupGrant, CaseUserGrant, DefinitionGroupGrant, DefinitionUserGrant
from .policy import forget_cached_levels, is_access_manager

GRANT_MODELS = (DefinitionUserGrant, DefinitionGroupGrant, CaseUserGrant, CaseGroupGrant)


def mark_recorded(grant_row):
    """Tell the save and delete handlers that a service records this grant's next save or delete."""
    grant_row._access_event_recorded = True


def _take_mark(grant_row):
    """Return True if `mark_recorded` marked the row, and clear the mark, which covers one write only."""
    return grant_row.__dict__.pop("_access_event_recorded", False)


def _record_grant_deletion(sender, instance, origin=None, **kwargs):
    forget_cached_levels()
    if _take_mark(instance):
        return

    if isinstance(origin, (CaseInstance, CaseDefinition)):
        action = AccessAction.TARGET_DELETED
    elif isinstance(origin, (get_user_model(), Group)):
        action = AccessAction.SUBJECT_DELETED
    else:
        action = AccessAction.REVOKED

    audit.record(
        action,
        subject=instance.subject,
        target=instance.content_object,
        old_level=instance.level,
        deleted=origin if action != AccessAction.REVOKED else None,
    )


for grant_model in GRANT_MODELS:
    post_delete.connect(_record_grant_deletion, sender=grant_model, dispatch_uid=f"record-{grant_model.__name__}")


@receiver(post_delete, sender=CaseDefinition, dispatch_uid="record-definition-deletion")
def _record_definition_deletion(sender, instance, **kwargs):
    """Record a deleted definition itself, since its cases went with it even where no grant did."""
    forget_cached_levels()
    audit.record(AccessAction.DEFINITION_DELETED, target=instance, deleted=instance)


# Grant rows saved outside the services


def _check_grant_save(sender, instance, raw=False, **kwargs):
    """Validate a grant row saved outside the services, and turn a second row into a level change.

    A new row for a subject and target that already hold a grant replaces the old row, because the
    unique constraint allows one grant per subject and target. The old row's level is kept on the
    instance for the post_save handler.
    """
    if raw or getattr(instance, "_access_event_recorded", False):
        return

    _require_manager_for_current_actor()
    _check_grant_level(sender, instance)
    _check_grant_subject(instance)

    if instance._state.adding:
        if instance.granted_by_id is None:
            instance.granted_by = audit.acting_user()
        instance._level_before_save = _replace_existing_grant(sender, instance)
    else:
        instance._level_before_save = _level_stored_for(sender, instance)


def _record_grant_save(sender, instance, raw=False, **kwargs):
    """Record a grant or level change saved outside the services. A save that keeps the level records nothing."""
    if raw:
        return
    forget_cached_levels()
    if _take_mark(instance):
        return

    old_level = instance.__dict__.pop("_level_before_save", Level.NONE)
    new_level = instance.level
    if old_level == new_level:
        return

    action = AccessAction.GRANTED if old_level == Level.NONE else AccessAction.LEVEL_CHANGED
    audit.record(
        action, subject=instance.subject, target=instance.content_object, old_level=old_level, new_level=new_level
    )


def _require_manager_for_current_actor():
    # A shell or a command that names no actor is run by an operator, who is trusted as the services'
    # callers are. Inside a request, or with a named actor, only an access manager may change access.
    if audit.current_request.get() is None and audit.acting_user() is None:
        return
    if not is_access_manager(audit.acting_user()):
        raise PermissionDenied(_("Only access managers may change access."))


def _check_grant_level(sender, instance):
    is_definition_grant = sender in (DefinitionUserGrant, DefinitionGroupGrant)
    codenames = DEFINITION_CODENAMES if is_definition_grant else CASE_CODENAMES
    permission = instance.permission
    if permission.content_type.app_label == "casemgmt" and permission.codename in codenames.values():
        return

    raise ValidationError(
        _("%(permission)s is not a grant level on a %(target)s. Use one of: %(allowed)s.")
        % {
            "permission": f"{permission.content_type.app_label}.{permission.codename}",
            "target": sender._meta.get_field("content_object").verbose_name,
            "allowed": ", ".join(f"casemgmt.{codename}" for codename in codenames.values()),
        },
        code="invalid_level",
    )


def _check_grant_subject(instance):
    user = getattr(instance, "user", None)
    if user is not None and not user.is_active:
        raise ValidationError(
            _("User %(username)s is inactive. Activate the user before granting access.")
            % {"username": user.get_username()},
            code="inactive_user",
        )


def _subject_lookup(instance):
    if hasattr(instance, "user_id"):
        return {"user_id": instance.user_id}
    return {"group_id": instance.group_id}


def _replace_existing_grant(sender, instance):
    """Delete the subject's current grant on the target, if any, and return its level."""
    # NOTE: under autocommit this delete commits before the insert that follows it. Wrap a direct
    # save in transaction.atomic (guardian's assign_perm does) so that a failed insert keeps the old row.
    existing = (
        sender.objects.select_related("permission")
        .filter(content_object_id=instance.content_object_id, **_subject_lookup(instance))
        .first()
    )
    if existing is None:
        return Level.NONE

    mark_recorded(existing)  # Its removal is half of the level change recorded after the save.
    existing.delete()
    return existing.level


def _level_stored_for(sender, instance):
    """Return the stored level of a grant row being updated, and reject a change of its subject or target."""
    stored = sender.objects.select_related("permission").filter(pk=instance.pk).first()
    if stored is None:
        return Level.NONE
    if stored.content_object_id != instance.content_object_id or _subject_lookup(stored) != _subject_lookup(instance):
        raise ValidationError(
            _("A grant's subject and target cannot be changed. Revoke the grant and grant again instead."),
            code="subject_or_target_changed",
        )
    return stored.level


for grant_model in GRANT_MODELS:
    pre_save.connect(_check_grant_save, sender=grant_model, dispatch_uid=f"check-save-{grant_model.__name__}")
    post_save.connect(_record_grant_save, sender=grant_model, dispatch_uid=f"record-save-{grant_model.__name__}")


@receiver(m2m_changed, sender=get_user_model().groups.through, dispatch_uid="record-membership")
def _record_membership(sender, instance, action, reverse, model, pk_set, **kwargs):
    """Record each user added to or removed from a group, from either side of the relation."""
    if action in {"post_remove", "post_clear"}:
        # Removals are recorded before the rows go, so the caches are emptied again once they have.
        forget_cached_levels()
        return
    if action == "pre_clear":
        # The cleared members are gone by post_clear, so they are read and recorded now.
        members = instance.user_set.all() if reverse else [instance]
        groups = [instance] if reverse else list(instance.groups.all())
        _record_pairs(AccessAction.MEMBER_REMOVED, members, groups)
        return
    if action == "pre_remove":
        # Django 5.2 sends every pk given to remove(), members or not, so only current members are kept.
        others = _current_members(sender, instance, reverse, model, pk_set)
        _record_side(AccessAction.MEMBER_REMOVED, instance, reverse, others)
        return
    if action == "post_add":
        # Django 5.2 leaves out the pairs that already exist, so pk_set holds only new memberships.
        others = list(model.objects.filter(pk__in=pk_set or []))
        _record_side(AccessAction.MEMBER_ADDED, instance, reverse, others)


def _current_members(through, instance, reverse, model, pk_set):
    """Return the objects of `pk_set` that are linked to `instance` now, before the removal."""
    this_side, other_side = ("group_id", "user_id") if reverse else ("user_id", "group_id")
    linked = through.objects.filter(**{this_side: instance.pk, f"{other_side}__in": pk_set or []})
    return list(model.objects.filter(pk__in=linked.values(other_side)))


def _record_side(action, instance, reverse, others):
    if reverse:
        _record_pairs(action, others, [instance])
    else:
        _record_pairs(action, [instance], others)


def _record_pairs(action, users, groups):
    forget_cached_levels()
    for user in users:
        for group in groups:
            audit.record(action, subject=user, group=group)


@receiver(pre_save, sender=get_user_model(), dispatch_uid="check-activation")
def _check_activation(sender, instance, raw=False, update_fields=None, **kwargs):
    """Store on the user whether this save switches `is_active`, for `_record_activation` to record."""
    instance.__dict__.pop("_activation_change", None)
    if raw or instance.pk is None:
        return
    if update_fields is not None and "is_active" not in update_fields:
        return
    was_active = sender.objects.filter(pk=instance.pk).values_list("is_active", flat=True).first()
    if was_active is None or was_active == instance.is_active:
        return

    instance._activation_change = AccessAction.USER_ACTIVATED if instance.is_active else AccessAction.USER_DEACTIVATED


@receiver(post_save, sender=get_user_model(), dispatch_uid="record-activation")
def _record_activation(sender, instance, raw=False, **kwargs):
    """Record a user's deactivation or reactivation once the user row is saved.

    Recording after the save keeps a failed save out of the history. Under autocommit, the save and
    the record are two transactions.
    """
    # NOTE: QuerySet.update() sends no signals, so a bulk update of is_active is not recorded.
    action = instance.__dict__.pop("_activation_change", None)
    if raw or action is None:
        return

    forget_cached_levels()
    audit.record(action, subject=instance)


@receiver(m2m_changed, sender=get_user_model().user_permissions.through, dispatch_uid="forget-user-permissions")
@receiver(m2m_changed, sender=Group.permissions.through, dispatch_uid="forget-group-permissions")
def _forget_levels_on_permission_change(sender, action, **kwargs):
    """Empty the level caches when a model permission is added or removed.

    On a definition whose access control is off, model permissions decide the level, so a cached level
    could otherwise outlive the permission that gave it.
    """
    if action in {"post_add", "post_remove", "post_clear"}:
        forget_cached_levels()


@receiver(post_delete, sender=Group, dispatch_uid="forget-deleted-group")
def _forget_levels_on_group_deletion(sender, instance, **kwargs):
    """Empty the level caches when a group goes, since its memberships and permissions go without m2m signals."""
    forget_cached_levels()
