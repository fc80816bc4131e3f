"""Forms of the admin screens that change access. Each one saves through `grants.services`.

The forms offer a level (read or write) instead of guardian's raw permission, check what they can
before the save, and leave every write, with its audit record, to the services.
"""

from django import forms
from django.contrib.admin.widgets import AutocompleteSelect
from django.contrib.auth import get_user_model
from django.contrib.auth.models import Group
from django.core.exceptions import ValidationError
from django.db import transaction
from django.forms.models import BaseInlineFormSet
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy

from . import services
from .levels import Level
from .models import DefinitionGroupGrant, DefinitionUserGrant
from .policy import grants_on

GRANT_LEVEL_CHOICES = [(Level.READ.slug, Level.READ.label), (Level.WRITE.slug, Level.WRITE.label)]
NO_GRANT = "none"


def inactive_user_error(user):
    return ValidationError(
        _("User %(username)s is inactive. Activate the user before granting access.")
        % {"username": user.get_username()},
        code="inactive_user",
    )


def subject_of(grant_row):
    """Return the user or group of a grant row without fetching it when its key is unset."""
    field_name = "user" if hasattr(grant_row, "user_id") else "group"
    if getattr(grant_row, f"{field_name}_id") is None:
        return None
    return getattr(grant_row, field_name)


class GrantForm(forms.ModelForm):
    """One grant: its subject, and a level instead of the guardian permission behind it."""

    level = forms.ChoiceField(label=gettext_lazy("level"), choices=GRANT_LEVEL_CHOICES)

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        if self.instance.pk is not None:
            self.initial["level"] = self.instance.level.slug

    def clean(self):
        cleaned_data = super().clean()
        user = cleaned_data.get("user")
        if user is not None and not user.is_active:
            self.add_error("user", inactive_user_error(user))
        return cleaned_data

    def cleaned_level(self):
        return Level.parse(self.cleaned_data["level"])


class GrantInlineFormSet(BaseInlineFormSet):
    """Grants on one definition or case, saved through the services instead of as raw rows."""

    def save(self, commit=True):
        raise NotImplementedError("Save grant inlines with save_through_services(actor).")

    def save_through_services(self, actor):
        """Grant, change and revoke what the forms contain, all or nothing, and fill the admin's change lists."""
        target = self.instance
        self.new_objects, self.changed_objects, self.deleted_objects = [], [], []
        # NOTE: the forms checked their input, so a ValidationError here comes from a change made since
        # (a user deactivated meanwhile). It rolls the whole admin save back and answers 500.

        with transaction.atomic():
            for form in self.initial_forms:
                if self.can_delete and self._should_delete_form(form):
                    services.revoke(actor, self._initial_subject(form), target)
                    self.deleted_objects.append(form.instance)

            for form in self.forms:
                if self.can_delete and self._should_delete_form(form):
                    continue
                if form.has_changed():
                    self._save_form(actor, form, target)

    def _save_form(self, actor, form, target):
        subject = form.cleaned_data[self.subject_field_name]
        previous_subject = self._initial_subject(form)
        if previous_subject is not None and previous_subject != subject:
            services.revoke(actor, previous_subject, target)

        change = services.grant(actor, subject, target, form.cleaned_level())
        if form.instance.pk is None:
            self.new_objects.append(change.grant)
        elif change.changed or previous_subject != subject:
            self.changed_objects.append((change.grant, form.changed_data))

    @property
    def subject_field_name(self):
        return "user" if hasattr(self.model, "user_id") else "group"

    def _initial_subject(self, form):
        """Return the subject the grant row had before this form, or None for a new row.

        Validation copies the posted subject onto `form.instance`, so the stored one is read again.
        """
        if form.instance.pk is None:
            return None
        stored = self.model.objects.select_related(self.subject_field_name).get(pk=form.instance.pk)
        return subject_of(stored)


class IdAutocompleteSelect(AutocompleteSelect):
    """AutocompleteSelect that ignores a posted value that is no valid key of the related model.

    Django's widget looks the posted value up to show it again, and a value such as "abc" for an
    integer or UUID key would make that query raise instead of letting the form report the invalid
    choice.
    """

    def optgroups(self, name, value, attr=None):
        return super().optgroups(name, [item for item in value if self._is_key(item)], attr)

    def _is_key(self, item):
        target = self.field.target_field
        try:
            key = target.to_python(item)
        except (ValidationError, ValueError, TypeError):
            return False
        # Integers past 64 bits overflow the database driver.
        return not isinstance(key, int) or abs(key) < 2**63


class BulkGrantForm(forms.Form):
    """A user or a group, and the level to grant them on the definitions chosen in the change list."""

    user = forms.ModelChoiceField(
        label=gettext_lazy("User"),
        queryset=get_user_model().objects.filter(is_active=True),
        required=False,
        help_text=gettext_lazy("Choose a user or a group, not both."),
        error_messages={
            "invalid_choice": gettext_lazy(
                "No active user with id %(value)s exists. Type part of the user's name and pick a match."
            )
        },
    )
    group = forms.ModelChoiceField(
        label=gettext_lazy("Group"),
        queryset=Group.objects.all(),
        required=False,
        error_messages={
            "invalid_choice": gettext_lazy("No group with id %(value)s exists. Type part of its name and pick a match.")
        },
    )
    level = forms.ChoiceField(
        label=gettext_lazy("Level"), choices=GRANT_LEVEL_CHOICES, widget=forms.RadioSelect, initial=Level.READ.slug
    )

    def __init__(self, *args, admin_site, **kwargs):
        super().__init__(*args, **kwargs)
        # The autocomplete looks users and groups up through the admin of the grant models' subject fields.
        for name, grant_model in (("user", DefinitionUserGrant), ("group", DefinitionGroupGrant)):
            field = self.fields[name]
            field.widget = IdAutocompleteSelect(grant_model._meta.get_field(name), admin_site)
            field.widget.choices = field.choices

    def clean(self):
        cleaned_data = super().clean()
        user, group = cleaned_data.get("user"), cleaned_data.get("group")
        if "user" in self.errors or "group" in self.errors:
            return cleaned_data
        if user is None and group is None:
            raise ValidationError(_("Choose a user or a group to grant access to."), code="missing_subject")
        if user is not None and group is not None:
            raise ValidationError(
                _("Choose either a user or a group, not both: %(user)s and %(group)s were chosen.")
                % {"user": user.get_username(), "group": group.name},
                code="two_subjects",
            )
        return cleaned_data

    def cleaned_subject(self):
        return self.cleaned_data.get("user") or self.cleaned_data.get("group")

    def cleaned_level(self):
        return Level.parse(self.cleaned_data["level"])


class ObjectLevelForm(forms.Form):
    """The level of one subject's own grant on one target, for guardian's object-permission pages.

    Guardian constructs it as `form_class(subject, obj, data)` and calls `save_obj_perms()`. This form
    offers "no grant", read or write, and saves through the services in place of guardian's rows.
    """

    level = forms.ChoiceField(label=gettext_lazy("level"), widget=forms.RadioSelect)

    def __init__(self, subject, obj, *args, actor, **kwargs):
        super().__init__(*args, **kwargs)
        self.subject, self.obj, self.actor = subject, obj, actor
        self.fields["level"].choices = [(NO_GRANT, Level.NONE.label), *GRANT_LEVEL_CHOICES]
        self.fields["level"].initial = self.current_level().slug

    def current_level(self):
        own = [row for row in grants_on(self.obj) if row.subject == self.subject]
        return own[0].level if own else Level.NONE

    def clean(self):
        cleaned_data = super().clean()
        granting = cleaned_data.get("level") not in (None, NO_GRANT)
        if granting and isinstance(self.subject, get_user_model()) and not self.subject.is_active:
            raise inactive_user_error(self.subject)
        return cleaned_data

    def save_obj_perms(self):
        chosen = self.cleaned_data["level"]
        if chosen != NO_GRANT:
            return services.grant(self.actor, self.subject, self.obj, Level.parse(chosen))
        if self.current_level() == Level.NONE:
            return None
        return services.revoke(self.actor, self.subject, self.obj)
