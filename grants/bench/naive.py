"""The approach the benchmark compares against: one guardian permission row per case.

Projects without definition-wide grants give a user access to a case type by calling guardian's
`assign_perm` on every case of it, and list cases with `get_objects_for_user`. These steps do the same
on the benchmark's data, in guardian's generic `UserObjectPermission` and `GroupObjectPermission`
tables, and remove their rows afterwards.
"""

from contextlib import contextmanager

from django.contrib.auth.models import Permission
from django.contrib.contenttypes.models import ContentType
from django.db import connection
from django.db.models import Count
from guardian.models import GroupObjectPermission, UserObjectPermission
from guardian.shortcuts import assign_perm, get_objects_for_user, remove_perm

from casemgmt.models import CaseDefinition, CaseInstance

from .. import policy
from ..models import CaseGroupGrant, CaseUserGrant, DefinitionGroupGrant, DefinitionUserGrant
from .scenarios import PAGE_SIZE
from .timing import measure

PERMISSION = "casemgmt.view_caseinstance"


@contextmanager
def generic_object_permissions():
    """Make guardian store and read case permissions in its generic tables, in this process only.

    guardian picks a direct permission model for a target when one exists and its `enabled` attribute
    is true, so the grant models are switched off for the length of the block.
    """
    models = [CaseUserGrant, CaseGroupGrant]
    for model in models:
        model.enabled = False
    try:
        yield
    finally:
        for model in models:
            del model.enabled
        _empty_generic_tables()


def _empty_generic_tables():
    with connection.cursor() as cursor:
        cursor.execute(
            f"TRUNCATE {UserObjectPermission._meta.db_table}, {GroupObjectPermission._meta.db_table} RESTART IDENTITY"
        )


def grant_case_by_case(subjects, definition, limit):
    """Time `assign_perm` and then `remove_perm` on each case of `definition`, at most `limit` cases.

    Return the two figures, each one run over all the cases, and whether the cases were a sample.
    """
    cases = list(definition.cases.order_by("pk")[:limit])
    sampled = len(cases) < definition.case_count
    label = f"{len(cases):,} of {definition.case_count:,}" if sampled else f"{definition.case_count:,}"
    probe = subjects.probe

    def assign_each(_):
        for case in cases:
            assign_perm(PERMISSION, probe, case)

    def remove_each(_):
        for case in cases:
            remove_perm(PERMISSION, probe, case)

    assigned = measure(f"naive: assign_perm on each of {label} cases", assign_each, [0], rows_written=len(cases))
    removed = measure(f"naive: remove_perm on each of {label} cases", remove_each, [0], rows_written=len(cases))
    return [assigned, removed], sampled


def grant_as_queryset(subjects, definition):
    """Time `assign_perm` and `remove_perm` given every case of `definition` as one queryset."""
    cases = definition.cases.all()
    probe = subjects.probe
    size = f"{definition.case_count:,}"
    assigned = measure(f"naive: assign_perm on a queryset of {size} cases",
                       lambda _: assign_perm(PERMISSION, probe, cases), [0], rows_written=definition.case_count)
    removed = measure(f"naive: remove_perm on a queryset of {size} cases",
                      lambda _: remove_perm(PERMISSION, probe, cases), [0], rows_written=definition.case_count)
    return [assigned, removed]


def expand_grants_of(users):
    """Write the generic rows that stand for every grant reaching `users`, one per case; return their count.

    Rows are written for the users' own grants and for the grants of their groups, on definitions whose
    access control is on, as the naive approach would have written them when each grant was given.
    """
    content_type = ContentType.objects.get_for_model(CaseInstance)
    permission_id = _view_permission_id()
    user_ids = [user.pk for user in users]
    memberships = type(users[0]).groups.through.objects.filter(user_id__in=user_ids)
    group_ids = sorted(set(memberships.values_list("group_id", flat=True)))

    statements = [
        (UserObjectPermission, "user_id", DefinitionUserGrant._meta.db_table, CaseUserGrant._meta.db_table, user_ids),
        (GroupObjectPermission, "group_id", DefinitionGroupGrant._meta.db_table, CaseGroupGrant._meta.db_table,
         group_ids),
    ]
    written = 0
    with connection.cursor() as cursor:
        for model, subject, definition_grants, case_grants, subject_ids in statements:
            cursor.execute(_expand_sql(model._meta.db_table, subject, definition_grants, case_grants),
                           {"content_type": content_type.pk, "permission": permission_id, "subjects": subject_ids})
            written += cursor.rowcount
        cursor.execute(f"ANALYZE {UserObjectPermission._meta.db_table}")
        cursor.execute(f"ANALYZE {GroupObjectPermission._meta.db_table}")
    return written


def _expand_sql(table, subject, definition_grants, case_grants):
    cases = CaseInstance._meta.db_table
    definitions = CaseDefinition._meta.db_table
    return f"""
        INSERT INTO {table} (object_pk, content_type_id, permission_id, {subject})
        SELECT DISTINCT c.id::text, %(content_type)s, %(permission)s, g.{subject}
        FROM (
            SELECT {subject}, content_object_id AS definition_id, NULL::uuid AS case_id
            FROM {definition_grants} WHERE {subject} = ANY(%(subjects)s)
            UNION ALL
            SELECT g.{subject}, c.definition_id, g.content_object_id
            FROM {case_grants} g JOIN {cases} c ON c.id = g.content_object_id
            WHERE g.{subject} = ANY(%(subjects)s)
        ) g
        JOIN {definitions} d ON d.id = g.definition_id AND d.access_controlled
        JOIN {cases} c ON c.definition_id = g.definition_id AND (g.case_id IS NULL OR c.id = g.case_id)
    """


def _view_permission_id():
    return Permission.objects.get(content_type__app_label="casemgmt", codename="view_caseinstance").pk


def list_cases(users, repeat):
    """Time the first page and the count of each user's cases with `get_objects_for_user`.

    Also return, per user, the count from guardian and from the policy, which must agree.
    """
    runs = [user for _ in range(repeat) for user in users]

    def readable(user):
        return get_objects_for_user(user, PERMISSION, klass=CaseInstance, accept_global_perms=False)

    page = measure(f"naive: first page of {PAGE_SIZE} readable cases (get_objects_for_user)",
                   lambda user: list(readable(user).order_by("-created_at", "number")[:PAGE_SIZE]), runs)
    count = measure("naive: count of readable cases (get_objects_for_user)", lambda user: readable(user).count(), runs)
    counts = [(user.username, readable(user).count(), policy.cases_user_can_read(user).count()) for user in users]
    return [page, count], counts


def full_size_row_count():
    """Return the rows the naive approach needs for every grant of the dataset: one per grant and case."""
    per_definition = CaseInstance.objects.order_by().values("definition_id").annotate(total=Count("pk"))
    case_counts = {row["definition_id"]: row["total"] for row in per_definition}

    total = 0
    for model in (DefinitionUserGrant, DefinitionGroupGrant):
        granted = model.objects.filter(content_object__access_controlled=True)
        total += sum(case_counts.get(pk, 0) for pk in granted.values_list("content_object_id", flat=True))
    for model in (CaseUserGrant, CaseGroupGrant):
        total += model.objects.filter(content_object__definition__access_controlled=True).count()
    return total
