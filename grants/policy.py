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

Every decision is read from the grant rows when it is requested, so a definition grant stays one row
however many cases the definition has, and a change is seen by every server process on its next query.
The grants that reach a user are read first, in one small query, and lists then filter on their ids.
"""

import uuid
from dataclasses import dataclass

from django.contrib.auth import get_user_model
from django.contrib.auth.models import Group, Permission
from django.core.exceptions import EmptyResultSet
from django.db import connections
from django.db.models import BooleanField, Case, CharField, Exists, Expression, IntegerField, OuterRef, Q, Value, When
from django.db.models.functions import Cast

from casemgmt.models import CaseDefinition, CaseInstance

from .levels import (
    CASE_CODENAMES,
    DEFINITION_CODENAMES,
    LEVEL_BY_CODENAME,
    MODEL_CODENAMES,
    Level,
    codenames_at_least,
)
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
    return Q(_ReachedCases(_ReachHolder(user), level))


def _granted_cases_q(user, level):
    """Build the condition on CaseInstance for the cases that the user's case grants reach."""
    codenames = codenames_at_least(CASE_CODENAMES, level)
    controlled = {"content_object__definition__access_controlled": True, "permission__codename__in": codenames}
    own = CaseUserGrant.objects.filter(user_id=user.pk, **controlled)
    via_groups = CaseGroupGrant.objects.filter(group_id__in=_member_group_ids(user), **controlled)
    return Q(pk__in=own.values("content_object_id")) | Q(pk__in=via_groups.values("content_object_id"))


def _case_reached_q(user, level):
    """Build the condition on CaseInstance that one case is reached, by index lookups on that case.

    Each grant table is probed for the case's own id and its definition's id, so the cost is per case
    and does not grow with the user's grants: the shape for one case or a page of them.
    """
    groups = _member_group_ids(user)
    definition_codenames = codenames_at_least(DEFINITION_CODENAMES, level)
    case_codenames = codenames_at_least(CASE_CODENAMES, level)
    on_definition = {"content_object_id": OuterRef("definition_id"), "permission__codename__in": definition_codenames}
    on_case = {"content_object_id": OuterRef("pk"), "permission__codename__in": case_codenames}
    granted = (
        Exists(DefinitionUserGrant.objects.filter(user_id=user.pk, **on_definition))
        | Exists(DefinitionGroupGrant.objects.filter(group_id__in=groups, **on_definition))
        | Exists(CaseUserGrant.objects.filter(user_id=user.pk, **on_case))
        | Exists(CaseGroupGrant.objects.filter(group_id__in=groups, **on_case))
    )
    model_permission = Exists(Permission.objects.filter(_holds_model_permission(user, level)))
    return (Q(definition__access_controlled=True) & granted) | (
        Q(definition__access_controlled=False) & Q(model_permission)
    )


# Lists and single checks start by reading the user's reach: the few grant rows that reach the user,
# as ids with levels, in one small query. A list then filters on those ids as literals, so PostgreSQL
# can estimate how many cases they cover: it walks the index on created_at when they cover many, and
# fetches cases by id when they are a few case grants. Behind a subquery it cannot tell the two apart
# and walks the whole index for the second.
MAX_LISTED_IDS = 1000  # Above this many ids, a subquery takes the place of the literal list.


@dataclass(frozen=True)
class _Reach:
    """The targets a user's grants and model permissions reach, with the level each gives."""

    definitions: dict  # Definition id to level: its grants, or the model permission if control is off.
    cases: dict  # Case id to level, from case grants on cases of definitions whose access control is on.
    definition_of_case: dict  # Case id to definition id, for the cases asked about by id.

    def level_on(self, case_id, definition_id):
        return max(self.definitions.get(definition_id, Level.NONE), self.cases.get(case_id, Level.NONE))

    def level_on_stored_case(self, case_id):
        """Return the level on a case asked about by id, or NONE if the case no longer exists."""
        if case_id not in self.definition_of_case:
            return Level.NONE
        return self.level_on(case_id, self.definition_of_case[case_id])

    def ids_at_least(self, level):
        """Return the ids of the definitions and of the cases reached at `level` or higher."""
        return (
            [pk for pk, reached in self.definitions.items() if reached >= level],
            [pk for pk, reached in self.cases.items() if reached >= level],
        )


def _read_reach(user, case_ids=()):
    """Read the user's `_Reach` in one query, with the definitions of the cases in `case_ids`.

    Each row is a target id and a codename: a grant's codename, or for a case of `case_ids` the id of
    its definition as text.
    """
    groups = _member_group_ids(user)
    codename = "permission__codename"
    on_definition = {"content_object__access_controlled": True}
    on_case = {"content_object__definition__access_controlled": True}
    parts = [
        DefinitionUserGrant.objects.filter(user_id=user.pk, **on_definition).values_list("content_object_id", codename),
        DefinitionGroupGrant.objects.filter(group_id__in=groups, **on_definition)
        .values_list("content_object_id", codename),
        CaseUserGrant.objects.filter(user_id=user.pk, **on_case).values_list("content_object_id", codename),
        CaseGroupGrant.objects.filter(group_id__in=groups, **on_case).values_list("content_object_id", codename),
    ]
    model_permissions = Permission.objects.filter(content_type__app_label="casemgmt")
    user_model_permissions = model_permissions.filter(Q(user=user.pk) | Q(group__in=groups))
    for level, definition_codename in DEFINITION_CODENAMES.items():
        has_level = Exists(user_model_permissions.filter(codename__in=codenames_at_least(MODEL_CODENAMES, level)))
        uncontrolled = CaseDefinition.objects.filter(Q(access_controlled=False) & Q(has_level))
        parts.append(uncontrolled.annotate(codename=Value(definition_codename)).values_list("pk", "codename"))
    if case_ids:
        definition_as_text = Cast("definition_id", CharField(max_length=36))
        stored = CaseInstance.objects.filter(pk__in=case_ids).annotate(codename=definition_as_text)
        parts.append(stored.values_list("pk", "codename"))

    first, *others = [part.order_by() for part in parts]
    return _reach_from_rows(first.union(*others, all=True))


def _reach_from_rows(rows):
    definitions, cases, definition_of_case = {}, {}, {}
    definition_codenames = set(DEFINITION_CODENAMES.values())
    for target_id, value in rows:
        if value in LEVEL_BY_CODENAME:
            levels = definitions if value in definition_codenames else cases
            levels[target_id] = max(LEVEL_BY_CODENAME[value], levels.get(target_id, Level.NONE))
        else:
            definition_of_case[target_id] = uuid.UUID(value)
    return _Reach(definitions, cases, definition_of_case)


class _ReachHolder:
    """A user's `_Reach`, read when first needed and again after a change of access in this process.

    A queryset and its clones (a page and its count) share one holder, so they read the grants once.
    """

    def __init__(self, user):
        self.user = user
        self._read = None

    def get(self):
        if self._read is None or self._read[0] != _generation:
            self._read = (_generation, _read_reach(self.user))
        return self._read[1]


def _reached_q(holder, level):
    """Build the condition on CaseInstance for the cases reached at `level`, from the reach's ids."""
    user = holder.user
    definitions, cases = holder.get().ids_at_least(level)
    if len(definitions) > MAX_LISTED_IDS:
        reached_definitions = CaseDefinition.objects.filter(_definitions_q(user, level))
        by_definition = Q(definition_id__in=reached_definitions.values("pk"))
    else:
        by_definition = Q(definition_id__in=definitions)
    if len(cases) > MAX_LISTED_IDS:
        return by_definition | _granted_cases_q(user, level)
    return by_definition | Q(pk__in=cases)


class _ReachedCases(Expression):
    """Condition on CaseInstance: the user reaches the case at `level`. Its SQL is built when compiled."""

    conditional = True

    def __init__(self, holder, level):
        super().__init__(output_field=BooleanField())
        self.holder = holder
        self.level = level

    def as_sql(self, compiler, connection):
        return compiler.compile(compiler.query.build_where(_reached_q(self.holder, self.level)))


class _ReachedLevel(Expression):
    """The user's level on each case of a list filtered at `floor`, as an int of `Level`. Built when compiled.

    Every case of the list is reached at `floor` or higher, so only the higher level needs a condition.
    """

    def __init__(self, holder, floor):
        super().__init__(output_field=IntegerField())
        self.holder = holder
        self.floor = floor

    def as_sql(self, compiler, connection):
        if self.floor >= Level.WRITE:
            level = Value(int(Level.WRITE), output_field=IntegerField())
        else:
            level = Case(
                When(_reached_q(self.holder, Level.WRITE), then=Value(int(Level.WRITE))),
                default=Value(int(self.floor)),
                output_field=IntegerField(),
            )
        return compiler.compile(level.resolve_expression(compiler.query, allow_joins=False))


class _CountedByPartsMixin:
    """Count a list of reached cases as two parts: the cases of reached definitions, then the others.

    One count over `definition_id IN (...) OR id IN (...)` reads every page of the case table that
    contains a match. Split in two, the first part is an index-only scan of the (definition_id, id)
    index and the second is a few lookups by id. Both parts are sent as one query.
    """

    _count_parts = None  # (reach holder, level) of the list, or None to count as Django does.

    def _clone(self):
        clone = super()._clone()
        clone._count_parts = self._count_parts
        return clone

    def count(self):
        query = self.query
        if self._count_parts is None or self._result_cache is not None or query.is_sliced or query.distinct:
            return super().count()
        if query.combinator or query.group_by is not None:
            return super().count()

        holder, level = self._count_parts
        definitions, cases = holder.get().ids_at_least(level)
        # Without reached definitions the plain count is already a few lookups by id.
        if not definitions or len(definitions) > MAX_LISTED_IDS or len(cases) > MAX_LISTED_IDS:
            return super().count()
        by_definition = self.filter(definition_id__in=definitions)
        by_case_only = self.filter(pk__in=cases).exclude(definition_id__in=definitions)
        return _sum_of_counts(self.db, [by_definition, by_case_only])


def _sum_of_counts(database, querysets):
    """Return the sum of the querysets' row counts, counted in one query."""
    counts, params = [], []
    for queryset in querysets:
        try:
            sql, part_params = queryset.order_by().values("pk").query.get_compiler(using=database).as_sql()
        except EmptyResultSet:
            continue
        counts.append(f"(SELECT COUNT(*) FROM ({sql}) counted)")
        params.extend(part_params)
    if not counts:
        return 0
    with connections[database].cursor() as cursor:
        cursor.execute(f"SELECT {' + '.join(counts)}", params)
        return cursor.fetchone()[0]


_counted_classes = {}


def _counted_by_parts(queryset, holder, level):
    """Return `queryset` as an instance of its class with `_CountedByPartsMixin` added."""
    base = type(queryset)
    if base not in _counted_classes:
        _counted_classes[base] = type(f"CountedByParts{base.__name__}", (_CountedByPartsMixin, base), {})
    counted = queryset._chain()
    counted.__class__ = _counted_classes[base]
    counted._count_parts = (holder, level)
    return counted


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
    return cases.annotate(access_level=_level_expression(user, _case_reached_q))


def cases_user_can_access(user, level=Level.READ, cases=None):
    """Return the cases the user reaches at `level` or higher, each once, with `access_level` set.

    Its SQL has no joins that could repeat a case, so it pages and counts correctly. The first
    evaluation reads the user's grants in one more query, which its clones (a page and its count) reuse.
    """
    cases = CaseInstance.objects.all() if cases is None else cases
    if _has_rules_exemption(user) is not None:
        return annotate_case_levels(cases.filter(_cases_q(user, level)), user)

    holder = _ReachHolder(user)
    reached = cases.filter(_ReachedCases(holder, level)).annotate(access_level=_ReachedLevel(holder, level))
    return _counted_by_parts(reached, holder, level)


def cases_user_can_read(user, cases=None):
    return cases_user_can_access(user, Level.READ, cases)


def cases_user_can_write(user, cases=None):
    return cases_user_can_access(user, Level.WRITE, cases)


def level_of_user_on_case(user, case):
    """Return the user's `Level` on one case, in at most one query."""
    exemption = _has_rules_exemption(user)
    if exemption is not None:
        return exemption

    return _read_reach(user, [case.pk]).level_on_stored_case(case.pk)


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
    """Return the grant of a user or a group on a definition or a case, or None if there is none."""
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

        reach = _read_reach(self.user, missing)
        self._levels.update((pk, reach.level_on_stored_case(pk)) for pk in missing)

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
