"""Why a user has access to a case, and every user who has it, for access reviews and auditors.

These follow the same rules as `grants.policy` (see its docstring) but return every path that gives
access instead of the highest level alone. The property tests check that both always agree.
"""

from collections import defaultdict
from dataclasses import dataclass, field

from django.contrib.auth import get_user_model
from django.contrib.auth.models import Group, Permission
from django.db import models
from django.db.models import Q
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy

from casemgmt.models import CaseDefinition, CaseInstance

from .levels import CASE_CODENAMES, DEFINITION_CODENAMES, MODEL_CODENAMES, Level, codenames_at_least
from .models import CaseGroupGrant, CaseUserGrant, DefinitionGroupGrant, DefinitionUserGrant


class Source(models.TextChoices):
    SUPERUSER = "superuser", gettext_lazy("Superuser")
    MODEL_PERMISSION = "model_permission", gettext_lazy("Model permission (access control off)")
    OWN_CASE_GRANT = "own_case_grant", gettext_lazy("Own grant on this case")
    OWN_DEFINITION_GRANT = "own_definition_grant", gettext_lazy("Own grant on the definition")
    GROUP_CASE_GRANT = "group_case_grant", gettext_lazy("Group grant on this case")
    GROUP_DEFINITION_GRANT = "group_definition_grant", gettext_lazy("Group grant on the definition")


@dataclass(frozen=True)
class AccessPath:
    """One way in which a user reaches a case, with the level it gives."""

    level: Level
    source: Source
    group: Group | None = None

    @property
    def description(self):
        if self.group is None:
            return self.source.label
        if self.source == Source.GROUP_CASE_GRANT:
            return _("Grant of group %(group)s on this case") % {"group": self.group.name}
        if self.source == Source.GROUP_DEFINITION_GRANT:
            return _("Grant of group %(group)s on the definition") % {"group": self.group.name}
        return _("Model permission of group %(group)s (access control off)") % {"group": self.group.name}

    @property
    def inherited(self):
        return self.source in {Source.OWN_DEFINITION_GRANT, Source.GROUP_DEFINITION_GRANT}


@dataclass(frozen=True)
class AccessExplanation:
    """A user's level on a case, every path that gives it, and the reason when there is none."""

    user: object
    case: object
    paths: tuple[AccessPath, ...] = field(default_factory=tuple)
    reason: str = ""

    @property
    def level(self):
        return max((path.level for path in self.paths), default=Level.NONE)


def explain_access(user, case):
    """Return the `AccessExplanation` of one user's access to one case."""
    return explain_access_for_users([user], case)[0]


def explain_access_for_users(users, case):
    """Return an `AccessExplanation` for each user, in order, in at most six queries in all."""
    definition = case.definition
    ordinary = [user for user in users if user.is_active and not user.is_superuser]
    ids = [user.pk for user in ordinary]

    if not ordinary:
        paths_by_user = {}
    elif definition.access_controlled:
        paths_by_user = _grant_paths(ids, case)
    else:
        paths_by_user = _model_permission_paths(ids)

    return [_explanation(user, case, paths_by_user.get(user.pk, [])) for user in users]


def _explanation(user, case, paths):
    if user is None or not user.is_active:
        return AccessExplanation(user, case, reason=_("The user is inactive. Inactive users have no access."))
    if user.is_superuser:
        return AccessExplanation(user, case, paths=(AccessPath(Level.WRITE, Source.SUPERUSER),))

    paths = _sorted_paths(paths)
    if paths:
        return AccessExplanation(user, case, paths=paths)

    definition = case.definition
    if definition.access_controlled:
        reason = _("Access control is on for %(definition)s and no grant reaches this user.")
    else:
        reason = _(
            "Access control is off for %(definition)s and the user holds no view or change permission "
            "on cases."
        )
    return AccessExplanation(user, case, reason=reason % {"definition": definition.name})


def _grant_paths(user_ids, case):
    """Collect the grant paths of each user to a case of an access-controlled definition."""
    paths = defaultdict(list)
    own_grants = [
        (Source.OWN_CASE_GRANT, CaseUserGrant.objects.filter(content_object=case)),
        (Source.OWN_DEFINITION_GRANT, DefinitionUserGrant.objects.filter(content_object_id=case.definition_id)),
    ]
    for source, grants in own_grants:
        for grant in grants.filter(user_id__in=user_ids).select_related("permission"):
            paths[grant.user_id].append(AccessPath(grant.level, source))

    group_grants = [
        *((Source.GROUP_CASE_GRANT, grant) for grant in CaseGroupGrant.objects.filter(content_object=case)
          .select_related("permission", "group")),
        *((Source.GROUP_DEFINITION_GRANT, grant) for grant in DefinitionGroupGrant.objects
          .filter(content_object_id=case.definition_id).select_related("permission", "group")),
    ]
    groups_by_user = _groups_of_users(user_ids, {grant.group_id for _source, grant in group_grants})
    for user_id, group_ids in groups_by_user.items():
        for source, grant in group_grants:
            if grant.group_id in group_ids:
                paths[user_id].append(AccessPath(grant.level, source, grant.group))
    return paths


def _model_permission_paths(user_ids):
    """Collect the model-permission paths of each user, for a definition with access control off."""
    level_by_codename = {codename: level for level, codename in MODEL_CODENAMES.items()}
    permissions = Permission.objects.filter(content_type__app_label="casemgmt", codename__in=level_by_codename)
    paths = defaultdict(list)

    own = get_user_model().user_permissions.through.objects.filter(user_id__in=user_ids, permission__in=permissions)
    for user_id, codename in own.values_list("user_id", "permission__codename"):
        paths[user_id].append(AccessPath(level_by_codename[codename], Source.MODEL_PERMISSION))

    group_permissions = defaultdict(list)
    for group_permission in Group.permissions.through.objects.filter(permission__in=permissions).select_related(
        "group", "permission"
    ):
        group_permissions[group_permission.group_id].append(group_permission)
    for user_id, group_ids in _groups_of_users(user_ids, set(group_permissions)).items():
        for group_id in group_ids:
            for group_permission in group_permissions[group_id]:
                level = level_by_codename[group_permission.permission.codename]
                paths[user_id].append(AccessPath(level, Source.MODEL_PERMISSION, group_permission.group))
    return paths


def _groups_of_users(user_ids, group_ids):
    """Return, for each user, the ids of the given groups that the user belongs to."""
    if not group_ids:
        return {}
    memberships = get_user_model().groups.through.objects.filter(user_id__in=user_ids, group_id__in=group_ids)
    groups_by_user = defaultdict(set)
    for user_id, group_id in memberships.values_list("user_id", "group_id"):
        groups_by_user[user_id].add(group_id)
    return groups_by_user


def users_with_access_to_case(case, level=Level.READ):
    """Return the active users who reach the case at `level` or higher, ordered by username.

    It is a queryset, so a page of it costs one query; `explain_access_for_users` then explains the
    page. Members of a granted group are included one by one; inactive users are left out.
    """
    definition = case.definition
    reaches = Q(is_superuser=True)

    if definition.access_controlled:
        reaches |= _grant_holders(case, level)
    else:
        reaches |= _model_permission_holders(level)

    return get_user_model().objects.filter(is_active=True).filter(reaches).order_by("username")


def _grant_holders(case, level):
    case_codenames = codenames_at_least(CASE_CODENAMES, level)
    definition_codenames = codenames_at_least(DEFINITION_CODENAMES, level)
    user_grants = [
        CaseUserGrant.objects.filter(content_object=case, permission__codename__in=case_codenames),
        DefinitionUserGrant.objects.filter(
            content_object_id=case.definition_id, permission__codename__in=definition_codenames
        ),
    ]
    group_grants = [
        CaseGroupGrant.objects.filter(content_object=case, permission__codename__in=case_codenames),
        DefinitionGroupGrant.objects.filter(
            content_object_id=case.definition_id, permission__codename__in=definition_codenames
        ),
    ]

    memberships = get_user_model().groups.through.objects
    reaches = Q()
    for grants in user_grants:
        reaches |= Q(pk__in=grants.values("user_id"))
    for grants in group_grants:
        reaches |= Q(pk__in=memberships.filter(group_id__in=grants.values("group_id")).values("user_id"))
    return reaches


def _model_permission_holders(level):
    permissions = Permission.objects.filter(
        content_type__app_label="casemgmt", codename__in=codenames_at_least(MODEL_CODENAMES, level)
    )
    user_model = get_user_model()
    own = user_model.user_permissions.through.objects.filter(permission__in=permissions)
    groups = Group.permissions.through.objects.filter(permission__in=permissions).values("group_id")
    via_groups = user_model.groups.through.objects.filter(group_id__in=groups)
    return Q(pk__in=own.values("user_id")) | Q(pk__in=via_groups.values("user_id"))


# Everything one user reaches, for access reviews


@dataclass(frozen=True)
class DefinitionAccess:
    """A definition on whose every case a user has a level, with every path that gives it."""

    definition: object
    paths: tuple[AccessPath, ...]

    @property
    def level(self):
        return max((path.level for path in self.paths), default=Level.NONE)


@dataclass(frozen=True)
class IdleGrant:
    """A grant that reaches a user but gives nothing, because access control is off on its definition."""

    target: object
    path: AccessPath


@dataclass(frozen=True)
class AccessSummary:
    """The definitions and the single cases that one user reaches, for an access review.

    `cases` is a queryset, so a page of it costs one query; `explain_cases` then explains a page.
    """

    user: object
    definitions: tuple[DefinitionAccess, ...]
    cases: models.QuerySet
    reason: str = ""
    idle_grants: tuple[IdleGrant, ...] = ()

    def explain_cases(self, cases):
        """Return an `AccessExplanation` for each case, in order, in two queries besides reading `cases`."""
        return _explain_case_grants(self.user, self.definitions, cases)


def access_summary_for_user(user):
    """Return the `AccessSummary` of a user: every definition and every single case the user reaches.

    A case whose definition the user also reaches is listed once under the definition and once
    more under cases if a grant on the case itself reaches the user.
    """
    if user is None or not user.is_active:
        reason = _("The user is inactive. Inactive users have no access.")
        return AccessSummary(user, (), CaseInstance.objects.none(), reason)
    if user.is_superuser:
        everything = CaseDefinition.objects.order_by("name")
        superuser_path = (AccessPath(Level.WRITE, Source.SUPERUSER),)
        definitions = tuple(DefinitionAccess(definition, superuser_path) for definition in everything)
        return AccessSummary(user, definitions, CaseInstance.objects.none())

    definitions = _definitions_reached(user)
    cases = _cases_granted_one_by_one(user)
    reason = "" if definitions or cases.exists() else _("No grant or model permission gives this user access.")
    return AccessSummary(user, definitions, cases, reason, _idle_grants(user))


def _member_groups(user):
    return get_user_model().groups.through.objects.filter(user_id=user.pk).values("group_id")


def _definitions_reached(user):
    """Collect the definitions a user reaches: by grants where access control is on, else by model permissions."""
    paths = defaultdict(list)
    definitions = {}
    controlled = {"content_object__access_controlled": True}
    own = DefinitionUserGrant.objects.filter(user_id=user.pk, **controlled)
    for grant in own.select_related("permission", "content_object"):
        definitions[grant.content_object_id] = grant.content_object
        paths[grant.content_object_id].append(AccessPath(grant.level, Source.OWN_DEFINITION_GRANT))

    via_groups = DefinitionGroupGrant.objects.filter(group_id__in=_member_groups(user), **controlled)
    for grant in via_groups.select_related("permission", "group", "content_object"):
        definitions[grant.content_object_id] = grant.content_object
        paths[grant.content_object_id].append(AccessPath(grant.level, Source.GROUP_DEFINITION_GRANT, grant.group))

    model_paths = _model_permission_paths([user.pk]).get(user.pk, [])
    if model_paths:
        for definition in CaseDefinition.objects.filter(access_controlled=False):
            definitions[definition.pk] = definition
            paths[definition.pk].extend(model_paths)

    ordered = sorted(definitions.values(), key=lambda definition: definition.name)
    return tuple(DefinitionAccess(definition, _sorted_paths(paths[definition.pk])) for definition in ordered)


def _cases_granted_one_by_one(user):
    """Return the cases of access-controlled definitions that a grant on the case gives the user."""
    own = CaseUserGrant.objects.filter(user_id=user.pk)
    via_groups = CaseGroupGrant.objects.filter(group_id__in=_member_groups(user))
    granted = Q(pk__in=own.values("content_object_id")) | Q(pk__in=via_groups.values("content_object_id"))
    cases = CaseInstance.objects.filter(granted, definition__access_controlled=True)
    return cases.select_related("definition").order_by("definition__name", "number")


def _idle_grants(user):
    """Collect the grants that reach the user on definitions with access control off, and on their cases."""
    # NOTE: this loads every such grant of the user at once, unlike the paginated `cases`.
    groups = _member_groups(user)
    on_idle_definition = {"content_object__access_controlled": False}
    on_idle_case = {"content_object__definition__access_controlled": False}
    sources = [
        (DefinitionUserGrant.objects.filter(user_id=user.pk, **on_idle_definition), Source.OWN_DEFINITION_GRANT),
        (DefinitionGroupGrant.objects.filter(group_id__in=groups, **on_idle_definition), Source.GROUP_DEFINITION_GRANT),
        (CaseUserGrant.objects.filter(user_id=user.pk, **on_idle_case), Source.OWN_CASE_GRANT),
        (CaseGroupGrant.objects.filter(group_id__in=groups, **on_idle_case), Source.GROUP_CASE_GRANT),
    ]

    idle = []
    for grants, source in sources:
        related = ["permission", "content_object"]
        if source in {Source.GROUP_DEFINITION_GRANT, Source.GROUP_CASE_GRANT}:
            related.append("group")
        if source in {Source.OWN_CASE_GRANT, Source.GROUP_CASE_GRANT}:
            related.append("content_object__definition")
        for grant in grants.select_related(*related):
            idle.append(IdleGrant(grant.content_object, AccessPath(grant.level, source, getattr(grant, "group", None))))
    return tuple(sorted(idle, key=_idle_grant_order))


def _idle_grant_order(idle):
    """Sort by definition name, the definition's own grants before its cases' grants, then by case number."""
    target = idle.target
    if isinstance(target, CaseInstance):
        return (target.definition.name, 1, target.number)
    return (target.name, 0, "")


def _explain_case_grants(user, definitions, cases):
    """Explain each case by its own grants and the grants inherited from its definition."""
    cases = list(cases)
    ids = [case.pk for case in cases]
    paths = defaultdict(list)

    own = CaseUserGrant.objects.filter(user_id=user.pk, content_object_id__in=ids)
    for grant in own.select_related("permission"):
        paths[grant.content_object_id].append(AccessPath(grant.level, Source.OWN_CASE_GRANT))
    via_groups = CaseGroupGrant.objects.filter(group_id__in=_member_groups(user), content_object_id__in=ids)
    for grant in via_groups.select_related("permission", "group"):
        paths[grant.content_object_id].append(AccessPath(grant.level, Source.GROUP_CASE_GRANT, grant.group))

    inherited = {access.definition.pk: access.paths for access in definitions}
    return [
        AccessExplanation(user, case, _sorted_paths([*paths[case.pk], *inherited.get(case.definition_id, ())]))
        for case in cases
    ]


def _sorted_paths(paths):
    """Order paths highest level first, then by source and group name, as explanations list them."""
    return tuple(sorted(paths, key=lambda path: (-path.level, path.source, getattr(path.group, "name", ""))))
