"""EXPLAIN ANALYZE of the policy's main queries on the benchmark's data, for docs/BENCHMARKS.md."""

import re

from django.db import connection

from .. import policy
from .scenarios import PAGE_SIZE

# Literal id lists make plans unreadable, so each is cut to its first id and a count.
LONG_ARRAY = re.compile(r"'\{([0-9a-f-]{36}),[^}]*\}'")


def explain_all(subjects):
    """Return (title, plan text) for each main query, run on a user of each kind."""
    typical, case_only = subjects.typical_users[0], subjects.case_only_users[0]
    case = subjects.cases[0]
    steps = [
        ("Level of a user on one case: the reach query, user with definition grants",
         lambda: policy.level_of_user_on_case(typical, case)),
        ("First page of readable cases, user with definition grants",
         lambda: list(policy.cases_user_can_read(typical)[:PAGE_SIZE])),
        ("Count of readable cases, user with definition grants",
         lambda: policy.cases_user_can_read(typical).count()),
        ("First page of readable cases, user with case grants only",
         lambda: list(policy.cases_user_can_read(case_only)[:PAGE_SIZE])),
        ("Count of readable cases, user with case grants only",
         lambda: policy.cases_user_can_read(case_only).count()),
        ("Users with access to a case, first page",
         lambda: list(policy.users_with_access_to_case(case)[:PAGE_SIZE])),
    ]
    return [(title, _explain(*_last_statement(step))) for title, step in steps]


def _last_statement(step):
    """Run `step` and return the SQL and parameters of the last statement it sent."""
    statements = []

    def capture(execute, sql, params, many, context):
        statements.append((sql, params))
        return execute(sql, params, many, context)

    with connection.execute_wrapper(capture):
        step()
    return statements[-1]


def _explain(sql, params):
    with connection.cursor() as cursor:
        cursor.execute(f"EXPLAIN (ANALYZE, BUFFERS, COSTS OFF) {sql}", params)
        lines = [row[0] for row in cursor.fetchall()]
    return "\n".join(LONG_ARRAY.sub(_shorten, line) for line in lines)


def _shorten(match):
    count = match.group(0).count(",") + 1
    return f"'{{{match.group(1)}, ... {count} ids}}'"
