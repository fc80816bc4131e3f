"""Record the access changes that do not go through `grants.services`.

Deleting a case, a definition, a user or a group deletes its grants by cascade. Removing a user from a
group or deactivating a user changes what the user reaches. A grant row deleted elsewhere, such as on
guardian's object-permission page, is a revoke. Each of these writes an access event here, in the
transaction of the change, and empties the per-request level caches.
"""

from django.contrib.auth import get_user_model
from django.contrib.auth.models import Group
from django.db.models.signals import m2m_changed, post_delete, pre_save
from django.dispatch import receiver

from casemgmt.models import CaseDefinition, CaseInstance

from . import audit
from .models import AccessAction, CaseGroupGrant, CaseUserGrant, DefinitionGroupGrant, DefinitionUserGrant
from .policy import forget_cached_levels

GRANT_MODELS = (DefinitionUserGrant, DefinitionGroupGrant, CaseUserGrant, CaseGroupGrant)


def mark_recorded(grant_row):
    """Tell the delete handler that a service has already recorded this grant's removal."""
    grant_row._access_event_recorded = True


def _record_grant_deletion(sender, instance, origin=None, **kwargs):
    forget_cached_levels()
    if getattr(instance, "_access_event_recorded", False):
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


@receiver(pre_save, sender=get_user_model(), dispatch_uid="record-activation")
def _record_activation(sender, instance, raw=False, **kwargs):
    """Record a user's deactivation or reactivation when the user row is saved."""
    if raw or instance.pk is None:
        return
    was_active = sender.objects.filter(pk=instance.pk).values_list("is_active", flat=True).first()
    if was_active is None or was_active == instance.is_active:
        return

    forget_cached_levels()
    action = AccessAction.USER_ACTIVATED if instance.is_active else AccessAction.USER_DEACTIVATED
    audit.record(action, subject=instance)
