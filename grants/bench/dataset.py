"""Build the benchmark's dataset on PostgreSQL with COPY, or find the one already built.

Every row the benchmark writes has a recognisable name: users `bench-u000001`, groups
`Bench group 0001`, definitions `Bench 000`. The build empties the case, grant, group and user tables
first, so it rejects a database that contains any user or definition it did not create.
"""

import random
import uuid
from dataclasses import dataclass, fields, replace
from datetime import timedelta

from django.contrib.auth import get_user_model
from django.contrib.auth.models import Group, Permission
from django.core.exceptions import ValidationError
from django.db import connection, transaction
from django.utils import timezone

from casemgmt.models import CaseDefinition, CaseInstance

from ..levels import CASE_CODENAMES, DEFINITION_CODENAMES, Level
from ..models import CaseGroupGrant, CaseUserGrant, DefinitionGroupGrant, DefinitionUserGrant
from .progress import Progress

USER_PREFIX = "bench-u"
GROUP_PREFIX = "Bench group "
DEFINITION_PREFIX = "Bench "
ADMIN_USERNAME = "bench-admin"
PROBE_USERNAME = "bench-probe"

# Shares of the grants and subjects, fixed so that runs at any scale have the same shape.
GROUP_SHARE_OF_DEFINITION_GRANTS = 0.2
GROUP_SHARE_OF_CASE_GRANTS = 0.25
WRITE_SHARE = 0.3
CASE_ONLY_GROUP_SHARE = 0.1  # Groups that hold no definition grant.
CASE_ONLY_USER_SHARE = 0.01  # Users who reach cases through case grants alone.
UNCONTROLLED_DEFINITION_EVERY = 20  # Every 20th definition has access control off.
CASE_AGE = timedelta(days=3 * 365)

TABLES_TO_EMPTY = [
    "guardian_userobjectpermission",
    "guardian_groupobjectpermission",
    "grants_accessevent",
    DefinitionUserGrant._meta.db_table,
    DefinitionGroupGrant._meta.db_table,
    CaseUserGrant._meta.db_table,
    CaseGroupGrant._meta.db_table,
    CaseInstance._meta.db_table,
    CaseDefinition._meta.db_table,
    Group._meta.db_table,
    "authtoken_token",
    "django_admin_log",
]


@dataclass(frozen=True)
class Sizes:
    """The number of rows of each kind in the dataset."""

    cases: int = 1_000_000
    definitions: int = 200
    users: int = 20_000
    groups: int = 1_000
    groups_per_user: int = 5
    definition_grants: int = 50_000
    case_grants: int = 200_000

    def scaled(self, factor):
        """Return these sizes times `factor`, except `definitions` and `groups_per_user`, which stay."""
        unscaled = {"definitions", "groups_per_user"}
        counts = {
            f.name: max(1, round(getattr(self, f.name) * factor)) for f in fields(self) if f.name not in unscaled
        }
        return replace(self, **counts)

    @property
    def big_definition_cases(self):
        return self.cases // 10

    @property
    def small_definition_cases(self):
        return self.cases // 1000

    def validate(self):
        """Raise ValidationError naming the first size that cannot make a dataset of this shape."""
        if self.cases < 1000:
            raise ValidationError(f"--cases {self.cases} is too small. Use 1000 or more.")
        if self.definitions < 3:
            raise ValidationError(f"--definitions {self.definitions} is too small. Use 3 or more.")
        if self.cases - self.big_definition_cases - self.small_definition_cases < self.definitions - 2:
            raise ValidationError(f"--definitions {self.definitions} is more than --cases {self.cases} can fill.")
        if self.groups < 10:
            raise ValidationError(f"--groups {self.groups} is too small. Use 10 or more.")
        if self.users < 100:
            raise ValidationError(f"--users {self.users} is too small. Use 100 or more.")
        if not 1 <= self.groups_per_user <= self.groups // 2:
            raise ValidationError(
                f"--groups-per-user {self.groups_per_user} must be between 1 and {self.groups // 2} "
                f"for {self.groups} groups."
            )
        possible = self.definitions * (self.users + self.groups) // 2
        if self.definition_grants > possible:
            raise ValidationError(f"--definition-grants {self.definition_grants} is more than {possible}. Use fewer.")
        possible = self.cases * (self.users + self.groups) // 2
        if self.case_grants > possible:
            raise ValidationError(f"--case-grants {self.case_grants} is more than {possible}. Use fewer.")


def _case_only_group_count(groups):
    return max(1, int(groups * CASE_ONLY_GROUP_SHARE))


def definition_sizes(sizes):
    """Return the number of cases of each definition: one with a tenth, one with a thousandth of all."""
    others = sizes.definitions - 2
    rest = sizes.cases - sizes.big_definition_cases - sizes.small_definition_cases
    spread = [rest // others + (1 if index < rest % others else 0) for index in range(others)]
    return [sizes.big_definition_cases, sizes.small_definition_cases, *spread]


def existing_sizes():
    """Return the `Sizes` of the dataset in the database, counted table by table."""
    user_model = get_user_model()
    return Sizes(
        cases=CaseInstance.objects.count(),
        definitions=CaseDefinition.objects.count(),
        users=user_model.objects.filter(username__startswith=USER_PREFIX).count(),
        groups=Group.objects.count(),
        groups_per_user=round(user_model.groups.through.objects.count() / max(1, user_model.objects.count() - 2)),
        definition_grants=DefinitionUserGrant.objects.count() + DefinitionGroupGrant.objects.count(),
        case_grants=CaseUserGrant.objects.count() + CaseGroupGrant.objects.count(),
    )


def check_database_is_bench_only():
    """Raise ValidationError if the database contains users or definitions that the benchmark did not create."""
    foreign_users = get_user_model().objects.exclude(username__startswith="bench-").count()
    foreign_definitions = CaseDefinition.objects.exclude(name__startswith=DEFINITION_PREFIX).count()
    if foreign_users or foreign_definitions:
        raise ValidationError(
            f"The database {connection.settings_dict['NAME']!r} contains {foreign_users} users and "
            f"{foreign_definitions} case definitions that the benchmark did not create, and the build "
            "empties those tables. Point DATABASE_URL at an empty database of its own."
        )


def build(sizes, seed=1):
    """Empty the tables and load a dataset of `sizes`, in one transaction."""
    rng = random.Random(seed)
    with transaction.atomic():
        _empty_tables()
        builder = _Builder(sizes, rng)
        builder.load()
    # VACUUM sets the visibility map, as autovacuum would soon do, so that counts can skip the heap.
    with connection.cursor() as cursor:
        cursor.execute("VACUUM ANALYZE")


def _empty_tables():
    user_table = get_user_model()._meta.db_table
    with connection.cursor() as cursor:
        cursor.execute(f"TRUNCATE {', '.join([*TABLES_TO_EMPTY, user_table])} RESTART IDENTITY CASCADE")


class _Builder:
    """The steps of one build. Each step loads one table with COPY and keeps the ids it needs later."""

    def __init__(self, sizes, rng):
        self.sizes = sizes
        self.rng = rng
        self.now = timezone.now()
        self.permission_ids = {
            (model, codename): pk
            for pk, model, codename in Permission.objects.filter(content_type__app_label="casemgmt").values_list(
                "pk", "content_type__model", "codename"
            )
        }

    def load(self):
        self._load_users()
        self._load_groups()
        self._load_memberships()
        self._load_definitions()
        self._load_cases()
        self._load_definition_grants()
        self._load_case_grants()

    def _load_users(self):
        user_model = get_user_model()
        columns = ["password", "is_superuser", "username", "first_name", "last_name", "email", "is_staff",
                   "is_active", "date_joined"]
        names = [f"{USER_PREFIX}{index:06d}" for index in range(1, self.sizes.users + 1)]
        special = [(ADMIN_USERNAME, True), (PROBE_USERNAME, False)]
        rows = [("!", superuser, name, "", "", "", superuser, True, self.now) for name, superuser in special]
        rows += [("!", False, name, "Bench", name[len(USER_PREFIX):], "", False, True, self.now) for name in names]
        _copy(user_model._meta.db_table, columns, rows, "users")

        ids = dict(user_model.objects.filter(username__startswith=USER_PREFIX).values_list("username", "pk"))
        self.user_ids = [ids[name] for name in names]
        self.admin_id = user_model.objects.get(username=ADMIN_USERNAME).pk
        case_only = max(1, int(self.sizes.users * CASE_ONLY_USER_SHARE))
        self.typical_user_ids = self.user_ids[:-case_only]
        self.case_only_user_ids = self.user_ids[-case_only:]

    def _load_groups(self):
        names = [f"{GROUP_PREFIX}{index:04d}" for index in range(1, self.sizes.groups + 1)]
        _copy(Group._meta.db_table, ["name"], [(name,) for name in names], "groups")

        ids = dict(Group.objects.values_list("name", "pk"))
        self.group_ids = [ids[name] for name in names]
        case_only = _case_only_group_count(self.sizes.groups)
        self.open_group_ids = self.group_ids[:-case_only]
        self.case_only_group_ids = self.group_ids[-case_only:]

    def _load_memberships(self):
        per_user = self.sizes.groups_per_user
        rows = []
        for user_id in self.typical_user_ids:
            count = min(max(1, per_user + self.rng.randint(-1, 1)), len(self.group_ids))
            rows += [(user_id, group_id) for group_id in self.rng.sample(self.group_ids, count)]
        for user_id in self.case_only_user_ids:
            count = min(per_user, len(self.case_only_group_ids))
            rows += [(user_id, group_id) for group_id in self.rng.sample(self.case_only_group_ids, count)]
        through = get_user_model().groups.through
        _copy(through._meta.db_table, ["user_id", "group_id"], rows, "group memberships")

    def _load_definitions(self):
        columns = ["id", "name", "description", "case_prefix", "access_controlled", "last_case_number", "created_at"]
        self.definition_case_counts = definition_sizes(self.sizes)
        self.definition_ids = [uuid.UUID(int=self.rng.getrandbits(128), version=4) for _ in self.definition_case_counts]
        rows = []
        for index, (pk, count) in enumerate(zip(self.definition_ids, self.definition_case_counts)):
            controlled = index < 2 or index % UNCONTROLLED_DEFINITION_EVERY != 0
            rows.append((pk, f"{DEFINITION_PREFIX}{index:03d}", "", f"B{index:03d}", controlled, count, self.now))
        _copy(CaseDefinition._meta.db_table, columns, rows, "case definitions")
        self.controlled_definition_ids = [row[0] for row in rows if row[4]]

    def _load_cases(self):
        """Load the cases oldest first, the definitions mixed, as cases arrive in a real system.

        The table's physical order then follows created_at, and the cases of one definition are
        spread over the whole table rather than stored side by side.
        """
        columns = ["id", "definition_id", "number", "title", "status", "priority", "created_at", "updated_at"]
        statuses = ["open", "in_progress", "closed"]
        priorities = ["low", "normal", "high", "urgent"]
        order = [index for index, count in enumerate(self.definition_case_counts) for _ in range(count)]
        self.rng.shuffle(order)
        step = CASE_AGE / len(order)
        oldest = self.now - CASE_AGE
        numbers = [0] * len(self.definition_case_counts)
        self.case_ids = []

        def rows():
            for position, index in enumerate(order):
                numbers[index] += 1
                pk = uuid.UUID(int=self.rng.getrandbits(128), version=4)
                self.case_ids.append(pk)
                created = oldest + step * position
                yield (pk, self.definition_ids[index], f"B{index:03d}-{numbers[index]:06d}",
                       f"Bench case {index}/{numbers[index]}", self.rng.choice(statuses),
                       self.rng.choice(priorities), created, created)

        _copy(CaseInstance._meta.db_table, columns, rows(), "cases", total=self.sizes.cases)

    def _load_definition_grants(self):
        group_count = int(self.sizes.definition_grants * GROUP_SHARE_OF_DEFINITION_GRANTS)
        user_count = self.sizes.definition_grants - group_count
        definitions = self.controlled_definition_ids
        self._load_grants(DefinitionGroupGrant, "group_id", self.open_group_ids, definitions, group_count,
                          "casedefinition", DEFINITION_CODENAMES)
        self._load_grants(DefinitionUserGrant, "user_id", self.typical_user_ids, definitions, user_count,
                          "casedefinition", DEFINITION_CODENAMES)

    def _load_case_grants(self):
        group_count = int(self.sizes.case_grants * GROUP_SHARE_OF_CASE_GRANTS)
        user_count = self.sizes.case_grants - group_count
        self._load_grants(CaseGroupGrant, "group_id", self.group_ids, self.case_ids, group_count,
                          "caseinstance", CASE_CODENAMES)
        self._load_grants(CaseUserGrant, "user_id", self.user_ids, self.case_ids, user_count,
                          "caseinstance", CASE_CODENAMES)

    def _load_grants(self, model, subject_column, subject_ids, target_ids, count, target_model, codenames):
        permissions = {level: self.permission_ids[(target_model, codename)] for level, codename in codenames.items()}
        count = min(count, len(subject_ids) * len(target_ids))
        pairs = set()
        while len(pairs) < count:
            pairs.add((self.rng.choice(subject_ids), self.rng.choice(target_ids)))

        def rows():
            for subject_id, target_id in pairs:
                level = Level.WRITE if self.rng.random() < WRITE_SHARE else Level.READ
                yield (self.now, target_id, self.admin_id, permissions[level], subject_id)

        columns = ["granted_at", "content_object_id", "granted_by_id", "permission_id", subject_column]
        _copy(model._meta.db_table, columns, rows(), model._meta.verbose_name_plural, total=count)


def _copy(table, columns, rows, label, total=None):
    """Load `rows` into `table` with one COPY, drawing the progress on stderr."""
    rows = rows if total is not None else list(rows)
    progress = Progress(f"Loading {label}", total if total is not None else len(rows))
    with connection.cursor() as cursor:
        with cursor.cursor.copy(f"COPY {table} ({', '.join(columns)}) FROM STDIN") as copy:
            for row in rows:
                copy.write_row(row)
                progress.advance()
    progress.close()
