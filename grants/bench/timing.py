"""Run a step many times and keep its wall-clock times and query counts."""

import statistics
import time
from dataclasses import dataclass

from django.db import connection

# Statements that only manage a transaction. They are not counted as queries here, and Django sends
# BEGIN and COMMIT without `cursor.execute`, so they never reach the counter at all.
TRANSACTION_CONTROL = ("SAVEPOINT", "RELEASE SAVEPOINT", "ROLLBACK")


@dataclass(frozen=True)
class Figure:
    """The median and 95th percentile of one measured step, in milliseconds, with its query counts."""

    name: str
    times_ms: tuple[float, ...]
    query_counts: tuple[int, ...]
    rows_written: int | None = None

    @property
    def median_ms(self):
        return statistics.median(self.times_ms)

    @property
    def p95_ms(self):
        ordered = sorted(self.times_ms)
        return ordered[max(0, round(0.95 * len(ordered)) - 1)]

    @property
    def queries(self):
        """Return the query count as "3", or as "2-4" when it varied between runs."""
        low, high = min(self.query_counts), max(self.query_counts)
        return str(low) if low == high else f"{low}-{high}"

    def line(self):
        rows = "" if self.rows_written is None else f"{self.rows_written:>12,}"
        return (
            f"{self.name:<58} {self.median_ms:>10.2f} {self.p95_ms:>10.2f} {self.queries:>8} "
            f"{len(self.times_ms):>5} {rows}"
        )


HEADER = f"{'step':<58} {'median ms':>10} {'p95 ms':>10} {'queries':>8} {'runs':>5} {'rows written':>12}"


def measure(name, step, inputs, rows_written=None):
    """Call `step(item)` once per item of `inputs` and return the `Figure` of those calls."""
    times, counts = [], []
    for item in inputs:
        counter = QueryCounter()
        with connection.execute_wrapper(counter):
            started = time.perf_counter()
            step(item)
            elapsed = time.perf_counter() - started
        times.append(elapsed * 1000)
        counts.append(counter.count)
    return Figure(name, tuple(times), tuple(counts), rows_written)


class QueryCounter:
    """Count the SQL statements sent through Django, with no limit on their number.

    CaptureQueriesContext keeps only the last 9,000 statements, too few for the naive steps.
    """

    def __init__(self):
        self.count = 0

    def __call__(self, execute, sql, params, many, context):
        if not sql.lstrip().upper().startswith(TRANSACTION_CONTROL):
            self.count += 1
        return execute(sql, params, many, context)
