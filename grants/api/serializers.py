"""JSON shapes of the API: definitions, cases, grants, access explanations and the access history.

Levels always travel as their slugs ("none", "read", "write"). Error messages name the rejected value.
"""

import re

from django.contrib.auth import get_user_model
from django.contrib.auth.models import Group
from django.utils.translation import gettext_lazy as _
from drf_spectacular.types import OpenApiTypes
from drf_spectacular.utils import extend_schema_field
from rest_framework import serializers

from casemgmt.models import CaseDefinition, CaseInstance, CasePriority, CaseStatus
from grants import policy
from grants.levels import Level
from grants.models import AccessAction, AccessEvent, SubjectKind

LEVEL_SLUGS = [level.slug for level in Level]
GRANTABLE_LEVEL_SLUGS = [Level.READ.slug, Level.WRITE.slug]
CASE_PREFIX_PATTERN = re.compile(r"^[A-Z][A-Z0-9]{1,9}$")


def choice_field(choices, noun, **kwargs):
    """Build a ChoiceField whose error names the rejected value and lists the valid ones."""
    values = ", ".join(str(value) for value, _label in choices)
    message = _('"{input}" is not a valid %(noun)s. Use one of: %(values)s.') % {"noun": noun, "values": values}
    return serializers.ChoiceField(choices=choices, error_messages={"invalid_choice": message}, **kwargs)


@extend_schema_field({"type": "string", "enum": LEVEL_SLUGS})
class LevelSlugField(serializers.Field):
    """A `Level` written as its slug."""

    def __init__(self, **kwargs):
        kwargs["read_only"] = True
        super().__init__(**kwargs)

    def to_representation(self, value):
        return Level(value).slug


def grantable_level_field(**kwargs):
    return choice_field([(slug, slug) for slug in GRANTABLE_LEVEL_SLUGS], _("level"), **kwargs)


# Subjects


@extend_schema_field(
    {"oneOf": [{"type": "string"}, {"type": "integer"}], "description": "A name, or a numeric id."}
)
class SubjectField(serializers.Field):
    """A user named by username or a group named by name; a number that matches no name is read as an id.

    Names are tried first, so a user whose username is "42" wins over the user with id 42.
    """

    def __init__(self, subject_model, name_field, noun, **kwargs):
        self.subject_model = subject_model
        self.name_field = name_field
        self.noun = noun
        super().__init__(**kwargs)

    def to_internal_value(self, data):
        if isinstance(data, str) and "\x00" in data:
            # PostgreSQL text cannot contain NUL characters, so such a name can match no row.
            raise serializers.ValidationError(_("Null characters are not allowed."))
        found = find_subject(self.subject_model, self.name_field, data)
        if found is None:
            raise serializers.ValidationError(
                _('No %(noun)s with the name or id "%(value)s" exists.') % {"noun": self.noun, "value": data}
            )
        return found

    def to_representation(self, value):
        return getattr(value, self.name_field)


def find_subject(subject_model, name_field, value):
    """Return the user or group whose name is `value`, else whose id is `value`, else None."""
    if isinstance(value, bool) or not isinstance(value, (str, int)):
        return None
    text = str(value).strip()
    if not text:
        return None

    found = subject_model.objects.filter(**{name_field: text}).first()
    row_id = parse_row_id(text)
    if found is None and row_id is not None:
        found = subject_model.objects.filter(pk=row_id).first()
    return found


def parse_row_id(text):
    """Return `text` as a row id if it is 1 to 18 ASCII digits, which fit any integer key, else None."""
    if text.isascii() and text.isdigit() and len(text) <= 18:
        return int(text)
    return None


def user_field(**kwargs):
    return SubjectField(get_user_model(), get_user_model().USERNAME_FIELD, _("user"), **kwargs)


def group_field(**kwargs):
    return SubjectField(Group, "name", _("group"), **kwargs)


class UserSummarySerializer(serializers.Serializer):
    id = serializers.IntegerField(read_only=True)
    username = serializers.CharField(read_only=True)
    display_name = serializers.CharField(read_only=True)


# Definitions


class DefinitionSerializer(serializers.ModelSerializer):
    """A case definition, with the caller's level on all of its cases.

    `access_controlled` changes only through the access-control endpoint, so that every switch is
    audited; a new definition starts with access control on.
    """

    access_level = LevelSlugField(
        help_text=_("The caller's level on every case of the definition. Grants on single cases may give more.")
    )

    class Meta:
        model = CaseDefinition
        fields = ["id", "name", "description", "case_prefix", "access_controlled", "created_at", "access_level"]
        read_only_fields = ["id", "access_controlled", "created_at"]
        extra_kwargs = {"name": {"validators": []}, "case_prefix": {"validators": []}}

    def validate_name(self, value):
        value = value.strip()
        if self._taken("name", value):
            raise serializers.ValidationError(_('A definition named "%(value)s" already exists.') % {"value": value})
        return value

    def validate_case_prefix(self, value):
        if not CASE_PREFIX_PATTERN.match(value):
            raise serializers.ValidationError(
                _('"%(value)s" is not a valid case number prefix. Use 2 to 10 capital letters or digits, '
                  "starting with a letter.") % {"value": value}
            )
        if self._taken("case_prefix", value):
            raise serializers.ValidationError(
                _('The case number prefix "%(value)s" is already used by another definition.') % {"value": value}
            )
        return value

    def _taken(self, field_name, value):
        others = CaseDefinition.objects.filter(**{field_name: value})
        if self.instance is not None:
            others = others.exclude(pk=self.instance.pk)
        return others.exists()

    def to_representation(self, instance):
        if not hasattr(instance, "access_level"):
            instance.access_level = policy.level_of_user_on_definition(self.context["request"].user, instance)
        return super().to_representation(instance)


class AccessControlSerializer(serializers.Serializer):
    enabled = serializers.BooleanField(
        help_text=_("true switches access control on (deny by default), false hands the decision to model "
                    "permissions."),
        error_messages={"invalid": _('"{input}" is not a boolean. Use true or false.')},
    )


# Cases


class CaseSerializer(serializers.ModelSerializer):
    """A case as the caller sees it. The definition and the number are fixed once the case exists."""

    definition = serializers.UUIDField(source="definition_id", read_only=True)
    definition_name = serializers.CharField(source="definition.name", read_only=True)
    status = choice_field(CaseStatus.choices, _("status"), required=False)
    priority = choice_field(CasePriority.choices, _("priority"), required=False)
    created_by = serializers.SlugRelatedField(slug_field="username", read_only=True, allow_null=True)
    access_level = serializers.SerializerMethodField(help_text=_("The caller's level on this case."))

    class Meta:
        model = CaseInstance
        fields = [
            "id", "number", "definition", "definition_name", "title", "status", "priority",
            "created_by", "created_at", "updated_at", "access_level",
        ]
        read_only_fields = ["id", "number", "created_at", "updated_at"]

    @extend_schema_field({"type": "string", "enum": [Level.READ.slug, Level.WRITE.slug]})
    def get_access_level(self, case):
        level = getattr(case, "access_level", None)
        if level is None:
            level = policy.checker_for(self.context["request"].user).level(case)
        return Level(level).slug


class CaseCreateSerializer(CaseSerializer):
    """A new case. The caller needs write access on the whole definition."""

    definition = serializers.PrimaryKeyRelatedField(
        queryset=CaseDefinition.objects.none(),
        pk_field=serializers.UUIDField(error_messages={"invalid": _('"{value}" is not a valid UUID.')}),
        error_messages={"does_not_exist": _('Definition "{pk_value}" not found.')},
        help_text=_("Id of the definition the case belongs to."),
    )

    def get_fields(self):
        # Definitions the caller cannot see are rejected with the same message as unknown ids.
        fields = super().get_fields()
        request = self.context.get("request")
        if request is not None:
            fields["definition"].queryset = definitions_visible_to(request.user)
        return fields


def definitions_visible_to(user):
    """Return every definition for access managers, and those the user can see for everyone else."""
    if policy.is_access_manager(user):
        return CaseDefinition.objects.all()
    return policy.definitions_user_can_see(user)


class MyAccessSerializer(serializers.Serializer):
    case = serializers.UUIDField()
    level = serializers.ChoiceField(choices=GRANTABLE_LEVEL_SLUGS)


# Grants


class GrantSerializer(serializers.Serializer):
    """A grant of a user or a group on a definition or a case.

    A grant is addressed at `grants/users/<subject_id>/` or `grants/groups/<subject_id>/` below its target.
    """

    subject_type = serializers.SerializerMethodField()
    subject_id = serializers.SerializerMethodField()
    subject_name = serializers.SerializerMethodField()
    level = LevelSlugField()
    granted_by = serializers.SerializerMethodField()
    granted_at = serializers.DateTimeField(read_only=True)

    @extend_schema_field({"type": "string", "enum": [SubjectKind.USER.value, SubjectKind.GROUP.value]})
    def get_subject_type(self, grant_row):
        return SubjectKind.GROUP.value if _is_group_grant(grant_row) else SubjectKind.USER.value

    @extend_schema_field(OpenApiTypes.INT)
    def get_subject_id(self, grant_row):
        return grant_row.group_id if _is_group_grant(grant_row) else grant_row.user_id

    @extend_schema_field(OpenApiTypes.STR)
    def get_subject_name(self, grant_row):
        return grant_row.group.name if _is_group_grant(grant_row) else grant_row.user.get_username()

    @extend_schema_field({"type": "string", "nullable": True})
    def get_granted_by(self, grant_row):
        return grant_row.granted_by.get_username() if grant_row.granted_by_id else None


def _is_group_grant(grant_row):
    return hasattr(grant_row, "group_id")


class GrantCreateSerializer(serializers.Serializer):
    """The subject and level of a new grant. Name exactly one of `user` and `group`."""

    user = user_field(required=False, help_text=_("Username or id of the user to grant."))
    group = group_field(required=False, help_text=_("Name or id of the group to grant."))
    level = grantable_level_field()

    def validate(self, attrs):
        given = [name for name in ("user", "group") if name in attrs]
        if len(given) != 1:
            raise serializers.ValidationError(
                {"non_field_errors": [_('Name exactly one subject: "user" or "group".')]}
            )
        attrs["subject"] = attrs[given[0]]
        attrs["subject_field"] = given[0]
        return attrs


class GrantLevelSerializer(serializers.Serializer):
    level = grantable_level_field()


class AccessListQuerySerializer(serializers.Serializer):
    level = grantable_level_field(
        default=Level.READ.slug, help_text=_("List the users who reach at least this level. Default: read.")
    )


class AccessCheckQuerySerializer(serializers.Serializer):
    user = user_field(help_text=_("Username or id of the user whose access to explain."))


# Explanations


class AccessPathSerializer(serializers.Serializer):
    level = LevelSlugField()
    source = serializers.CharField(help_text=_("One of: ") + ", ".join(policy.Source.values))
    group = serializers.CharField(source="group.name", allow_null=True, help_text=_("The granted group, if any."))
    description = serializers.CharField()
    inherited = serializers.BooleanField(help_text=_("True when the path comes from a grant on the definition."))


class AccessExplanationSerializer(serializers.Serializer):
    user = UserSummarySerializer()
    case = serializers.UUIDField(source="case.pk")
    level = LevelSlugField()
    paths = AccessPathSerializer(many=True)
    reason = serializers.CharField(help_text=_("Why the user has no access; empty when he has some."))


# Access history


class AccessEventSerializer(serializers.ModelSerializer):
    action = choice_field(AccessAction.choices, _("action"), read_only=True)
    old_level = LevelSlugField()
    new_level = LevelSlugField()

    class Meta:
        model = AccessEvent
        fields = [
            "id", "occurred_at", "action", "actor", "actor_name", "subject_kind", "subject_user", "subject_group",
            "subject_name", "definition", "definition_name", "case", "case_number", "old_level", "new_level",
        ]
        read_only_fields = fields
