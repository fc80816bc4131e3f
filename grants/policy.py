"""The access policy: the one place that decides who may read and write which cases.

The policy answers four questions, each named as a sentence. What is the level of a user on a case?
Which cases can a user read or write? Which users have access to a case? Why does a user have a level? Pages,
API views, admin screens, commands and the authentication backend all ask these functions; nothing
else looks at grant rows to decide access.

The rules, in the order they apply:

1. Inactive and anonymous users have no access.
2. Superusers have write access to every case.
3. On a definition whose access control is off, Django's model permissions decide:
   `casemgmt.change_caseinstance` gives write and `casemgmt.view_caseinstance` gives read. Grants on
   such a definition and its cases are kept but have no effect until access control is on again.
4. On a definition whose access control is on, the level is the highest of the grants that reach the
   user: the user's own and those of the user's groups, on the case and on its definition.

Every answer is computed in SQL from the grant rows, so a definition grant stays one row however many
cases the definition has, and a change is seen by every server process on its next query.
"""

from django.contrib.auth import get_user_model
from django.contrib.auth.models import Group, Permission
from django.db.models import Case, Exists, IntegerField, Q, Value, When

from casemgmt.models import CaseDefinition, CaseInstance

from .levels import CASE_CODENAMES, DEFINITION_CODENAMES, MODEL_CODENAMES, Level, codenames_at_least
from .models import CaseGroupGrant, CaseUserGrant, DefinitionGroupGrant, DefinitionUserGrant

NOTHING = Q(pk__isnull=True)  # Matches no row: primary keys are never NULL.


def _has_rules_exemption(user):
    """Return WRITE for superusers, NONE for inactive or anonymous users, or None to apply grants."""
    if user is None or not user.is_active:
        return Level.NONE
    if user.is_superuser:
        return Level.WRITE
    return None


def is_access_manager(user):
    """Return True if the user may grant, change and revoke access and switch access control."""
    if user is None or not user.is_active:
        return False
    return user.is_superuser or user.has_perm("grants.manage_access")


def _member_group_ids(user):
    return get_user_model().groups.through.objects.filter(user_id=user.pk).values("group_id")


def _holds_model_permission(user, level):
    """Return a condition that is true when the user has a model permission of `level` or higher."""
    permissions = Permission.objects.filter(
        content_type__app_label="casemgmt", codename__in=codenames_at_least(MODEL_CODENAMES, level)
    )
    own = permissions.filter(user=user.pk)
    via_groups = permissions.filter(group__in=_member_group_ids(user))
    return Q(pk__in=own.values("pk")) | Q(pk__in=via_groups.values("pk"))


def _definitions_q(user, level):
    """Build the condition on CaseDefinition for definitions whose every case the user reaches."""
    codenames = codenames_at_least(DEFINITION_CODENAMES, level)
    own = DefinitionUserGrant.objects.filter(user_id=user.pk, permission__codename__in=codenames)
    via_groups = DefinitionGroupGrant.objects.filter(
        group_id__in=_member_group_ids(user), permission__codename__in=codenames
    )
    granted = Q(pk__in=own.values("content_object_id")) | Q(pk__in=via_groups.values("content_object_id"))

    model_permission = Exists(Permission.objects.filter(_holds_model_permission(user, level)))
    return (Q(access_controlled=False) & Q(model_permission)) | (Q(access_controlled=True) & granted)


def _cases_q(user, level):
    """Build the condition on CaseInstance for the cases the user reaches at `level` or higher."""
    exemption = _has_rules_exemption(user)
    if exemption is not None:
        return Q() if exemption >= level else NOTHING

    definitions = CaseDefinition.objects.filter(_definitions_q(user, level)).values("pk")
    codenames = codenames_at_least(CASE_CODENAMES, level)
    controlled = {"content_object__definition__access_controlled": True, "permission__codename__in": codenames}
    own = CaseUserGrant.objects.filter(user_id=user.pk, **controlled)
    via_groups = CaseGroupGrant.objects.filter(group_id__in=_member_group_ids(user), **controlled)

    return (
        Q(definition_id__in=definitions)
        | Q(pk__in=own.values("content_object_id"))
        | Q(pk__in=via_groups.values("content_object_id"))
    )


def _level_expression(user, condition_for_level):
    """Build a SQL expression for the user's level, from a function that returns a level's condition."""
    exemption = _has_rules_exemption(user)
    if exemption is not None:
        return Value(int(exemption), output_field=IntegerField())

    return Case(
        When(condition_for_level(user, Level.WRITE), then=Value(int(Level.WRITE))),
        When(condition_for_level(user, Level.READ), then=Value(int(Level.READ))),
        default=Value(int(Level.NONE)),
        output_field=IntegerField(),
    )


# Cases


def annotate_case_levels(cases, user):
    """Add `access_level`, the user's level as an int of `Level`, to every case of a queryset."""
    return cases.annotate(access_level=_level_expression(user, _cases_q))


def cases_user_can_access(user, level=Level.READ, cases=None):
    """Return the cases the user reaches at `level` or higher, each once, with `access_level` set.

    It is one SQL query with no joins that could repeat a case, so it pages and counts correctly.
    """
    cases = CaseInstance.objects.all() if cases is None else cases
    return annotate_case_levels(cases.filter(_cases_q(user, level)), user)


def cases_user_can_read(user, cases=None):
    return cases_user_can_access(user, Level.READ, cases)


def cases_user_can_write(user, cases=None):
    return cases_user_can_access(user, Level.WRITE, cases)


def level_of_user_on_case(user, case):
    """Return the user's `Level` on one case, in at most one query."""
    exemption = _has_rules_exemption(user)
    if exemption is not None:
        return exemption

    found = annotate_case_levels(CaseInstance.objects.filter(pk=case.pk), user)
    value = found.values_list("access_level", flat=True).first()
    return Level(value or Level.NONE)


# Definitions


def annotate_definition_levels(definitions, user):
    """Add `access_level`, the level that the user's definition-wide access gives on every case."""
    return definitions.annotate(access_level=_level_expression(user, _definitions_q))


def level_of_user_on_definition(user, definition):
    """Return the level the user has on every case of the definition, instance grants left aside."""
    exemption = _has_rules_exemption(user)
    if exemption is not None:
        return exemption

    found = annotate_definition_levels(CaseDefinition.objects.filter(pk=definition.pk), user)
    value = found.values_list("access_level", flat=True).first()
    return Level(value or Level.NONE)


def definitions_user_can_see(user):
    """Return the definitions on which the user reaches at least one case, or every case."""
    exemption = _has_rules_exemption(user)
    if exemption is not None:
        return CaseDefinition.objects.all() if exemption else CaseDefinition.objects.none()

    readable_cases = CaseInstance.objects.filter(_cases_q(user, Level.READ)).values("definition_id")
    return CaseDefinition.objects.filter(Q(_definitions_q(user, Level.READ)) | Q(pk__in=readable_cases))


# Grants


def grants_on(target):
    """Return the user and group grants on a definition or a case, users first, each by name."""
    user_grants = target.user_grants.select_related("user", "permission", "granted_by").order_by("user__username")
    group_grants = target.group_grants.select_related("group", "permission", "granted_by").order_by("group__name")
    return [*user_grants, *group_grants]


def grant_held_by(subject, target):
    """Return the grant of a user or a group on a definition or a case, or None if it holds none."""
    subject_field = "group" if isinstance(subject, Group) else "user"
    grants = target.group_grants if subject_field == "group" else target.user_grants
    return grants.select_related(subject_field, "permission", "granted_by").filter(**{subject_field: subject}).first()


class AccessChecker:
    """Cache of one user's levels on cases, for the length of a request.

    `prefetch` looks up many cases in one query, so that a page of cases decides access in a fixed
    number of queries. Any change of access in this process empties every checker.
    """

    def __init__(self, user):
        self.user = user
        self.generation = _generation
        self._levels = {}

    def prefetch(self, cases):
        missing = [case.pk for case in cases if case.pk not in self._levels]
        if not missing:
            return
        if _has_rules_exemption(self.user) is not None:
            self._levels.update(dict.fromkeys(missing, _has_rules_exemption(self.user)))
            return

        found = annotate_case_levels(CaseInstance.objects.filter(pk__in=missing), self.user)
        self._levels.update(dict.fromkeys(missing, Level.NONE))
        self._levels.update((pk, Level(level)) for pk, level in found.values_list("pk", "access_level"))

    def remember(self, cases):
        """Keep the `access_level` of cases listed by `cases_user_can_access` for this same user."""
        self._levels.update((case.pk, Level(case.access_level)) for case in cases)

    def level(self, case):
        self.prefetch([case])
        return self._levels[case.pk]


_generation = 0


def forget_cached_levels():
    """Empty every `AccessChecker` of this process. The services call it after each change."""
    global _generation
    _generation += 1


def checker_for(user):
    """Return the `AccessChecker` attached to this user object, new if access changed since."""
    checker = getattr(user, "_case_access_checker", None)
    if checker is None or checker.generation != _generation:
        checker = AccessChecker(user)
        user._case_access_checker = checker
    return checker


# Why a user has access, and who has it, live in their own module and are part of this policy.
from .explanations import (  # noqa: E402
    AccessExplanation,
    AccessPath,
    AccessSummary,
    DefinitionAccess,
    Source,
    access_summary_for_user,
    explain_access,
    explain_access_for_users,
    users_with_access_to_case,
)

__all__ = [
    "AccessChecker",
    "AccessExplanation",
    "AccessPath",
    "AccessSummary",
    "DefinitionAccess",
    "Source",
    "access_summary_for_user",
    "annotate_case_levels",
    "annotate_definition_levels",
    "cases_user_can_access",
    "cases_user_can_read",
    "cases_user_can_write",
    "checker_for",
    "definitions_user_can_see",
    "explain_access",
    "explain_access_for_users",
    "forget_cached_levels",
    "grant_held_by",
    "grants_on",
    "is_access_manager",
    "level_of_user_on_case",
    "level_of_user_on_definition",
    "users_with_access_to_case",
]
