"""The case domain: users, case definitions (case types) and the cases of each definition."""

import uuid

from django.conf import settings
from django.contrib.auth.models import AbstractUser
from django.core.validators import RegexValidator
from django.db import models, transaction
from django.db.models import F
from django.urls import reverse
from django.utils.translation import gettext_lazy as _


class User(AbstractUser):
    """A person who signs in. Groups are Django's own `Group`."""

    class Meta(AbstractUser.Meta):
        swappable = "AUTH_USER_MODEL"

    @property
    def display_name(self):
        return self.get_full_name() or self.username


class CaseDefinition(models.Model):
    """A case type, such as Debt collection. Access control is switched on per definition."""

    id = models.UUIDField(primary_key=True, default=uuid.uuid4, editable=False)
    name = models.CharField(_("name"), max_length=120, unique=True)
    description = models.TextField(_("description"), blank=True)
    case_prefix = models.CharField(
        _("case number prefix"),
        max_length=10,
        unique=True,
        validators=[RegexValidator(r"^[A-Z][A-Z0-9]{1,9}$", _("Use 2 to 10 capital letters or digits."))],
        help_text=_("Starts every case number of this definition, as in DEBT-000123."),
    )
    access_controlled = models.BooleanField(
        _("access control"),
        default=True,
        help_text=_("When on, only users with a grant can see the cases of this definition."),
    )
    last_case_number = models.PositiveIntegerField(default=0, editable=False)
    created_at = models.DateTimeField(_("created"), auto_now_add=True)

    class Meta:
        ordering = ["name"]
        verbose_name = _("case definition")
        verbose_name_plural = _("case definitions")
        permissions = [
            ("read_cases", _("Can read the cases of this definition")),
            ("write_cases", _("Can write the cases of this definition")),
        ]

    def __str__(self):
        return self.name

    def get_absolute_url(self):
        return reverse("definition-detail", args=[self.pk])


class CaseStatus(models.TextChoices):
    OPEN = "open", _("Open")
    IN_PROGRESS = "in_progress", _("In progress")
    CLOSED = "closed", _("Closed")


class CasePriority(models.TextChoices):
    LOW = "low", _("Low")
    NORMAL = "normal", _("Normal")
    HIGH = "high", _("High")
    URGENT = "urgent", _("Urgent")


class CaseInstance(models.Model):
    """One case of a definition, such as the debt-collection case DEBT-000123."""

    id = models.UUIDField(primary_key=True, default=uuid.uuid4, editable=False)
    definition = models.ForeignKey(
        CaseDefinition, on_delete=models.CASCADE, related_name="cases", verbose_name=_("definition")
    )
    number = models.CharField(_("case number"), max_length=24, unique=True, editable=False)
    title = models.CharField(_("title"), max_length=200)
    status = models.CharField(_("status"), max_length=16, choices=CaseStatus, default=CaseStatus.OPEN)
    priority = models.CharField(
        _("priority"), max_length=16, choices=CasePriority, default=CasePriority.NORMAL
    )
    created_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        on_delete=models.SET_NULL,
        null=True,
        blank=True,
        related_name="created_cases",
        verbose_name=_("created by"),
    )
    created_at = models.DateTimeField(_("created"), auto_now_add=True, db_index=True)
    updated_at = models.DateTimeField(_("updated"), auto_now=True)

    class Meta:
        ordering = ["-created_at", "number"]
        verbose_name = _("case")
        verbose_name_plural = _("cases")
        indexes = [models.Index(fields=["definition", "-created_at"], name="case_definition_created")]

    def __str__(self):
        return f"{self.number} {self.title}"

    def get_absolute_url(self):
        return reverse("case-detail", args=[self.pk])

    def save(self, *args, **kwargs):
        if self.number:
            super().save(*args, **kwargs)
            return

        with transaction.atomic():
            self.number = next_case_number(self.definition_id)
            super().save(*args, **kwargs)


def next_case_number(definition_id):
    """Reserve the next case number of a definition, such as DEBT-000124.

    The counter is raised in one UPDATE, so concurrent creators each get their own number.
    """
    CaseDefinition.objects.filter(pk=definition_id).update(last_case_number=F("last_case_number") + 1)
    prefix, number = CaseDefinition.objects.values_list("case_prefix", "last_case_number").get(
        pk=definition_id
    )
    return f"{prefix}-{number:06d}"
