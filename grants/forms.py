"""Forms of the access pages: grant, change level, switch access control, and the subject finder."""

import re

from django import forms
from django.contrib.auth import get_user_model
from django.contrib.auth.models import Group
from django.db.models import Q
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy

from .levels import Level

# Maximum number of users and groups the finder returns together, so that the grant form lists a
# short choice however many users exist.
MAX_SUBJECT_MATCHES = 20

SUBJECT_KEY = re.compile(r"^(user|group)-([1-9][0-9]{0,18})$")

LEVEL_CHOICES = [(Level.READ.slug, Level.READ.label), (Level.WRITE.slug, Level.WRITE.label)]
LEVEL_INVALID = gettext_lazy("%(value)s is not a level. Choose read or write.")


def subject_key(subject):
    """Return the key of a user or a group in forms and URLs, such as "user-12" or "group-3"."""
    kind = "group" if isinstance(subject, Group) else "user"
    return f"{kind}-{subject.pk}"


def subject_from_key(key):
    """Return the user or group named by a key such as "group-3", or None if none exists.

    Raise ValueError if the key is not of that form.
    """
    match = SUBJECT_KEY.match(key or "")
    if match is None:
        raise ValueError(key)

    kind, pk = match.groups()
    model = Group if kind == "group" else get_user_model()
    return model.objects.filter(pk=int(pk)).first()


def subject_label(subject):
    """Return the name of a group, or a user's full name and username such as "Ulla Berg (ulla)"."""
    if isinstance(subject, Group):
        return subject.name
    full_name = subject.get_full_name()
    if full_name:
        return f"{full_name} ({subject.get_username()})"
    return subject.get_username()


def describe_subject(subject):
    """Return a subject as messages name it: "group Debt control" or "user Ulla Berg (ulla)"."""
    if isinstance(subject, Group):
        return _("group %(name)s") % {"name": subject_label(subject)}
    return _("user %(name)s") % {"name": subject_label(subject)}


class SubjectChoice:
    """One match of the subject finder, as a radio choice of the grant form."""

    def __init__(self, subject):
        self.subject = subject
        self.key = subject_key(subject)
        self.is_group = isinstance(subject, Group)
        self.label = subject_label(subject)


def find_subjects(query, limit=MAX_SUBJECT_MATCHES):
    """Return up to `limit` active users and groups whose names contain `query`, groups first."""
    query = (query or "").strip()
    if not query:
        return []

    groups = list(Group.objects.filter(name__icontains=query).order_by("name")[:limit])
    name_matches = (
        Q(username__icontains=query) | Q(first_name__icontains=query) | Q(last_name__icontains=query)
    )
    users = get_user_model().objects.filter(name_matches, is_active=True).order_by("username")
    users = list(users[: limit - len(groups)]) if len(groups) < limit else []
    return [SubjectChoice(subject) for subject in [*groups, *users]]


class SubjectSearchForm(forms.Form):
    q = forms.CharField(
        label=gettext_lazy("Find a user or group"),
        max_length=150,
        required=False,
        help_text=gettext_lazy("Type part of a username, first or last name, or group name."),
    )

    def matches(self):
        if not self.is_valid():
            return []
        return find_subjects(self.cleaned_data["q"])


class SubjectField(forms.CharField):
    """A user or a group, posted as its key ("user-12" or "group-3")."""

    def to_python(self, value):
        value = super().to_python(value)
        if value in self.empty_values:
            return None
        try:
            subject = subject_from_key(value)
        except ValueError:
            raise forms.ValidationError(
                _("%(value)s is not a user or group. Find one by name and pick it from the matches."),
                code="invalid_subject",
                params={"value": value},
            ) from None
        if subject is None:
            raise forms.ValidationError(
                _("No user or group %(value)s exists. Find one by name and pick it from the matches."),
                code="unknown_subject",
                params={"value": value},
            )
        return subject


class GrantForm(forms.Form):
    subject = SubjectField(
        label=gettext_lazy("User or group"),
        error_messages={"required": gettext_lazy("Pick a user or group from the matches of the finder.")},
    )
    level = forms.ChoiceField(
        label=gettext_lazy("Level"),
        choices=LEVEL_CHOICES,
        initial=Level.READ.slug,
        error_messages={"invalid_choice": LEVEL_INVALID},
    )

    def clean_level(self):
        return Level.parse(self.cleaned_data["level"])


class ChangeLevelForm(forms.Form):
    level = forms.ChoiceField(
        label=gettext_lazy("Level"), choices=LEVEL_CHOICES, error_messages={"invalid_choice": LEVEL_INVALID}
    )

    def clean_level(self):
        return Level.parse(self.cleaned_data["level"])


class AccessControlForm(forms.Form):
    """The state to switch access control of a definition to: "on" or "off"."""

    enabled = forms.ChoiceField(
        choices=[("on", gettext_lazy("On")), ("off", gettext_lazy("Off"))],
        error_messages={
            "invalid_choice": gettext_lazy("%(value)s is not a state of access control. Use on or off."),
            "required": gettext_lazy("Say whether to switch access control on or off."),
        },
    )

    def clean_enabled(self):
        return self.cleaned_data["enabled"] == "on"
