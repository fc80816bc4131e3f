"""The measured steps: grants and revokes, levels, lists of cases, and who has access to a case."""

import random
import uuid

from django.contrib.auth import get_user_model
from django.db.models import Count

from casemgmt.models import CaseDefinition, CaseInstance

from .. import policy, services
from ..levels import Level
from ..models import CaseGroupGrant, CaseUserGrant, DefinitionGroupGrant, DefinitionUserGrant
from . import dataset
from .timing import measure

PAGE_SIZE = 50


class Subjects:
    """The users and cases that the steps run on, drawn with a fixed seed so that runs compare."""

    def __init__(self, seed, sample_size):
        rng = random.Random(seed)
        user_model = get_user_model()
        self.admin = user_model.objects.get(username=dataset.ADMIN_USERNAME)
        self.probe = user_model.objects.get(username=dataset.PROBE_USERNAME)

        granted = DefinitionUserGrant.objects.values("user_id")
        typical_ids = list(user_model.objects.filter(pk__in=granted).order_by("pk").values_list("pk", flat=True))
        self.typical_users = list(user_model.objects.filter(pk__in=rng.sample(typical_ids, sample_size)))

        case_only_ids = list(
            user_model.objects.filter(username__startswith=dataset.USER_PREFIX)
            .exclude(pk__in=granted)
            .exclude(groups__in=DefinitionGroupGrant.objects.values("group_id"))
            .order_by("pk")
            .values_list("pk", flat=True)
        )
        count = min(sample_size, len(case_only_ids))
        self.case_only_users = list(user_model.objects.filter(pk__in=rng.sample(case_only_ids, count)))

        counted = CaseDefinition.objects.annotate(case_count=Count("cases"))
        self.big_definition = counted.get(name=f"{dataset.DEFINITION_PREFIX}000")
        self.small_definition = counted.get(name=f"{dataset.DEFINITION_PREFIX}001")

        # The first case at or after a random UUID is a random case, found through the primary key index.
        cases = CaseInstance.objects.select_related("definition").order_by("pk")
        self.cases = [cases.filter(pk__gte=uuid.UUID(int=rng.getrandbits(128))).first() or cases.first()
                      for _ in range(sample_size)]
        self.rng = rng


def grant_and_revoke(subjects, definition, repeat):
    """Grant the probe user read on `definition` and revoke it again, `repeat` times each."""
    admin, probe = subjects.admin, subjects.probe
    size = definition.case_count

    # One untimed round loads what Django caches for the life of the process, such as content types.
    services.grant(admin, probe, definition, Level.READ)
    services.revoke(admin, probe, definition)
    grants = measure(
        f"grant on a definition of {size:,} cases",
        lambda _: services.grant(admin, probe, definition, Level.READ),
        _alternate(repeat, lambda: None, lambda: services.revoke(admin, probe, definition)),
        rows_written=2,
    )
    revokes = measure(
        f"revoke on a definition of {size:,} cases",
        lambda _: services.revoke(admin, probe, definition),
        _alternate(repeat, lambda: services.grant(admin, probe, definition, Level.READ), lambda: None),
        rows_written=2,
    )
    return [grants, revokes]


def _alternate(repeat, before_each, after_each):
    """Yield `repeat` times, calling `before_each` before and `after_each` after each run, both untimed."""
    for index in range(repeat):
        before_each()
        yield index
        after_each()


def level_of_user(subjects):
    """Measure one level cold, then the levels of a page after one prefetch."""
    pairs = [(subjects.rng.choice(subjects.typical_users), case) for case in subjects.cases]
    cold = measure("level of a user on a case, cold", lambda pair: policy.level_of_user_on_case(*pair), pairs)

    pages = [(user, _page_of_random_cases(subjects)) for user in subjects.typical_users]
    prefetch = measure(
        f"prefetch levels of {PAGE_SIZE} random cases",
        lambda item: policy.AccessChecker(item[0]).prefetch(item[1]),
        pages,
    )

    def levels_after_prefetch(item):
        user, cases = item
        checker = policy.checker_for(user)
        for case in cases:
            checker.level(case)

    for user, cases in pages:
        policy.checker_for(user).prefetch(cases)
    warm = measure(f"levels of the {PAGE_SIZE} prefetched cases", levels_after_prefetch, pages)

    remembered = []
    for user in subjects.typical_users:
        page = list(policy.cases_user_can_read(user)[:PAGE_SIZE])
        policy.checker_for(user).remember(page)
        remembered.append((user, page))
    after_remember = measure(f"levels of a remembered page of {PAGE_SIZE}", levels_after_prefetch, remembered)
    return [cold, prefetch, warm, after_remember]


def _page_of_random_cases(subjects):
    total = len(subjects.cases)
    return [subjects.cases[subjects.rng.randrange(total)] for _ in range(PAGE_SIZE)]


def readable_cases(subjects):
    """Measure the first page of the cases a user can read, and their count."""
    figures = []
    for label, users in [("user with definition grants", subjects.typical_users),
                         ("user with case grants only", subjects.case_only_users)]:
        figures.append(measure(
            f"first page of readable cases, {label}",
            lambda user: list(policy.cases_user_can_read(user)[:PAGE_SIZE]),
            users,
        ))
        figures.append(measure(
            f"count of readable cases, {label}",
            lambda user: policy.cases_user_can_read(user).count(),
            users,
        ))
    return figures


def users_with_access(subjects):
    """Measure the first page of the users with access to a case, with each one's explanation."""
    cases = list(subjects.big_definition.cases.select_related("definition").order_by("pk")[:len(subjects.cases)])

    def first_page_explained(case):
        users = list(policy.users_with_access_to_case(case)[:PAGE_SIZE])
        policy.explain_access_for_users(users, case)

    return [measure(f"users with access to a case of {subjects.big_definition.case_count:,}, explained",
                    first_page_explained, cases)]


def grant_row_counts():
    """Return the rows that hold every grant of the dataset, one per grant."""
    return {
        "definition grants": DefinitionUserGrant.objects.count() + DefinitionGroupGrant.objects.count(),
        "case grants": CaseUserGrant.objects.count() + CaseGroupGrant.objects.count(),
    }
