"""Grants stored as django-guardian object permissions, and the history of every access change.

A grant is one guardian row per subject (user or group) and target (definition or case). Its
`permission` is the level: see `grants.levels`. A definition grant is a single row however many cases
the definition has; the access policy resolves inheritance at query time.
"""

from django.conf import settings
from django.db import models
from django.utils import timezone
from django.utils.translation import gettext_lazy as _
from guardian.models import GroupObjectPermissionBase, UserObjectPermissionBase

from casemgmt.models import CaseDefinition, CaseInstance

from .levels import LEVEL_BY_CODENAME, Level


class GrantMixin(models.Model):
    """Fields shared by grant rows: the granting user and time, and the level read off the permission."""

    granted_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        on_delete=models.SET_NULL,
        null=True,
        blank=True,
        related_name="+",
        verbose_name=_("granted by"),
    )
    granted_at = models.DateTimeField(_("granted"), default=timezone.now)

    class Meta:
        abstract = True

    @property
    def level(self):
        return LEVEL_BY_CODENAME.get(self.permission.codename, Level.NONE)

    @property
    def subject(self):
        return getattr(self, "user", None) or getattr(self, "group", None)


class DefinitionUserGrant(GrantMixin, UserObjectPermissionBase):
    content_object = models.ForeignKey(
        CaseDefinition, on_delete=models.CASCADE, related_name="user_grants", verbose_name=_("definition")
    )

    class Meta(UserObjectPermissionBase.Meta):
        verbose_name = _("user grant on a definition")
        verbose_name_plural = _("user grants on definitions")
        constraints = [
            models.UniqueConstraint(fields=["user", "content_object"], name="one_user_grant_per_definition")
        ]


class DefinitionGroupGrant(GrantMixin, GroupObjectPermissionBase):
    content_object = models.ForeignKey(
        CaseDefinition, on_delete=models.CASCADE, related_name="group_grants", verbose_name=_("definition")
    )

    class Meta(GroupObjectPermissionBase.Meta):
        verbose_name = _("group grant on a definition")
        verbose_name_plural = _("group grants on definitions")
        constraints = [
            models.UniqueConstraint(fields=["group", "content_object"], name="one_group_grant_per_definition")
        ]


class CaseUserGrant(GrantMixin, UserObjectPermissionBase):
    content_object = models.ForeignKey(
        CaseInstance, on_delete=models.CASCADE, related_name="user_grants", verbose_name=_("case")
    )

    class Meta(UserObjectPermissionBase.Meta):
        verbose_name = _("user grant on a case")
        verbose_name_plural = _("user grants on cases")
        constraints = [
            models.UniqueConstraint(fields=["user", "content_object"], name="one_user_grant_per_case")
        ]


class CaseGroupGrant(GrantMixin, GroupObjectPermissionBase):
    content_object = models.ForeignKey(
        CaseInstance, on_delete=models.CASCADE, related_name="group_grants", verbose_name=_("case")
    )

    class Meta(GroupObjectPermissionBase.Meta):
        verbose_name = _("group grant on a case")
        verbose_name_plural = _("group grants on cases")
        constraints = [
            models.UniqueConstraint(fields=["group", "content_object"], name="one_group_grant_per_case")
        ]


class SubjectKind(models.TextChoices):
    USER = "user", _("User")
    GROUP = "group", _("Group")


class AccessAction(models.TextChoices):
    GRANTED = "granted", _("Granted")
    LEVEL_CHANGED = "level_changed", _("Level changed")
    REVOKED = "revoked", _("Revoked")
    ACCESS_CONTROL_ON = "access_control_on", _("Access control switched on")
    ACCESS_CONTROL_OFF = "access_control_off", _("Access control switched off")
    TARGET_DELETED = "target_deleted", _("Target deleted")
    DEFINITION_DELETED = "definition_deleted", _("Definition deleted with its cases")
    SUBJECT_DELETED = "subject_deleted", _("Subject deleted")
    MEMBER_ADDED = "member_added", _("Added to group")
    MEMBER_REMOVED = "member_removed", _("Removed from group")
    USER_DEACTIVATED = "user_deactivated", _("User deactivated")
    USER_ACTIVATED = "user_activated", _("User activated")


class AccessEvent(models.Model):
    """One change of access, written in the same transaction as the change itself.

    Names are copied into the record so that it still reads correctly after the subject or the target
    is deleted. The foreign keys are then set to NULL.
    """

    occurred_at = models.DateTimeField(_("when"), default=timezone.now, db_index=True)
    actor = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        on_delete=models.SET_NULL,
        null=True,
        blank=True,
        related_name="access_actions",
        verbose_name=_("actor"),
    )
    actor_name = models.CharField(_("actor name"), max_length=150, blank=True)
    action = models.CharField(_("action"), max_length=32, choices=AccessAction)

    subject_user = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        on_delete=models.SET_NULL,
        null=True,
        blank=True,
        related_name="access_events",
        verbose_name=_("user"),
    )
    subject_group = models.ForeignKey(
        "auth.Group",
        on_delete=models.SET_NULL,
        null=True,
        blank=True,
        related_name="access_events",
        verbose_name=_("group"),
    )
    subject_kind = models.CharField(_("subject kind"), max_length=8, choices=SubjectKind, blank=True)
    subject_name = models.CharField(_("subject"), max_length=150, blank=True)

    definition = models.ForeignKey(
        CaseDefinition,
        on_delete=models.SET_NULL,
        null=True,
        blank=True,
        related_name="access_events",
        verbose_name=_("definition"),
    )
    definition_name = models.CharField(_("definition name"), max_length=120, blank=True)
    case = models.ForeignKey(
        CaseInstance,
        on_delete=models.SET_NULL,
        null=True,
        blank=True,
        related_name="access_events",
        verbose_name=_("case"),
    )
    case_number = models.CharField(_("case number"), max_length=24, blank=True)

    old_level = models.PositiveSmallIntegerField(_("old level"), choices=Level, default=Level.NONE)
    new_level = models.PositiveSmallIntegerField(_("new level"), choices=Level, default=Level.NONE)

    class Meta:
        ordering = ["-occurred_at", "-id"]
        verbose_name = _("access change")
        verbose_name_plural = _("access history")
        permissions = [("manage_access", _("Can manage access grants"))]
        indexes = [models.Index(fields=["definition", "-occurred_at"], name="event_definition_when")]

    def __str__(self):
        return f"{self.occurred_at:%Y-%m-%d %H:%M} {self.actor_name}: {self.get_action_display()}"

    @property
    def target_name(self):
        return self.case_number or self.definition_name
