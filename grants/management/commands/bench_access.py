"""Measure access checks on a large dataset on PostgreSQL, side by side with one guardian row per case.

    DEBUG=1 DATABASE_URL=postgres://postgres@127.0.0.1:5432/casemgmt_bench \\
        .venv/bin/python manage.py bench_access

builds 1,000,000 cases on the first run and reuses them after; `--scale 0.01` makes a small dataset.
docs/BENCHMARKS.md records the figures and explains them.
"""

import os
import platform
from dataclasses import fields
from importlib.metadata import version

import django
from django.core.exceptions import ValidationError
from django.core.management.base import BaseCommand, CommandError
from django.db import connection

from grants.bench import dataset, load, naive, plans, scenarios
from grants.bench.timing import HEADER

SIZE_OPTIONS = {
    "cases": "cases in all",
    "definitions": "case definitions",
    "users": "users",
    "groups": "groups",
    "groups_per_user": "groups each user belongs to, on average",
    "definition_grants": "grants on definitions, for users and groups",
    "case_grants": "grants on single cases, for users and groups",
}


class Command(BaseCommand):
    help = (
        "Build a large dataset on PostgreSQL (reused on later runs) and print the time and the queries of "
        "the access checks, of grants and revokes, and of the same work with one guardian row per case."
    )

    def add_arguments(self, parser):
        defaults = dataset.Sizes()
        for name, text in SIZE_OPTIONS.items():
            parser.add_argument(f"--{name.replace('_', '-')}", type=int, dest=name,
                                help=f"Number of {text} (default {getattr(defaults, name):,}, times --scale).")
        parser.add_argument("--scale", type=float, default=1.0,
                            help="Factor applied to every default size, such as 0.01 for a quick run (default 1).")
        parser.add_argument("--rebuild", action="store_true",
                            help="Build the dataset again even if one of these sizes exists.")
        parser.add_argument("--seed", type=int, default=1, help="Seed of the random data and samples (default 1).")
        parser.add_argument("--repeat", type=int, default=30, help="Runs of each grant and revoke (default 30).")
        parser.add_argument("--sample", type=int, default=30,
                            help="Users and cases drawn for the level and list steps (default 30).")
        parser.add_argument("--naive-limit", type=int, default=2000,
                            help="Most cases given one assign_perm call each in the naive step (default 2,000).")
        parser.add_argument("--naive-users", type=int, default=3,
                            help="Users whose grants are written out case by case for the naive lists (default 3).")
        parser.add_argument("--skip-naive", action="store_true", help="Leave out the naive comparison.")
        parser.add_argument("--skip-load", action="store_true", help="Leave out the load test of the API.")
        parser.add_argument("--explain", action="store_true",
                            help="Also print EXPLAIN ANALYZE of the policy's main queries.")
        parser.add_argument("--port", type=int, default=8140,
                            help="Port of the load test's gunicorn on 127.0.0.1 (default 8140).")
        parser.add_argument("--load-seconds", type=int, default=10,
                            help="Seconds of wrk load on each endpoint in each round (default 10).")
        parser.add_argument("--load-rounds", type=int, default=2,
                            help="Rounds of the load test, each endpoint once per round (default 2).")
        parser.add_argument("--connections", type=int, default=4,
                            help="Concurrent connections that wrk keeps open (default 4).")

    def handle(self, *args, **options):
        if connection.vendor != "postgresql":
            raise CommandError(
                f"bench_access needs PostgreSQL, but the database is {connection.vendor}. Set DATABASE_URL to an "
                "empty PostgreSQL database of its own, such as postgres://postgres@127.0.0.1:5432/casemgmt_bench."
            )
        for name in ("repeat", "sample", "naive_limit", "naive_users", "load_seconds", "load_rounds", "connections"):
            if options[name] < 1:
                raise CommandError(f"--{name.replace('_', '-')} {options[name]} is invalid. Use 1 or more.")

        sizes = self._sizes(options)
        self._prepare(sizes, options)
        self._print_machine()

        subjects = scenarios.Subjects(options["seed"], min(options["sample"], sizes.users // 2))
        figures = self._measure_policy(subjects, options["repeat"])
        if options["explain"]:
            self._print_plans(subjects)
        if not options["skip_naive"]:
            self._measure_naive(subjects, options, figures)
        if not options["skip_load"]:
            self._measure_load(subjects, options)

    def _sizes(self, options):
        if options["scale"] <= 0:
            raise CommandError(f"--scale {options['scale']} is invalid. Use a number above 0, such as 0.01.")
        sizes = dataset.Sizes().scaled(options["scale"])
        chosen = {f.name: options[f.name] for f in fields(sizes) if options.get(f.name) is not None}
        sizes = type(sizes)(**{**{f.name: getattr(sizes, f.name) for f in fields(sizes)}, **chosen})
        try:
            sizes.validate()
        except ValidationError as error:
            raise CommandError(error.messages[0]) from None
        return sizes

    def _prepare(self, sizes, options):
        found = dataset.existing_sizes()
        if found == sizes and not options["rebuild"]:
            self.stdout.write(f"Reusing the dataset in {connection.settings_dict['NAME']}: {sizes}")
            return
        try:
            dataset.check_database_is_bench_only()
        except ValidationError as error:
            raise CommandError(error.messages[0]) from None
        self.stdout.write(f"Building the dataset in {connection.settings_dict['NAME']}: {sizes}")
        dataset.build(sizes, options["seed"])

    def _print_machine(self):
        with connection.cursor() as cursor:
            cursor.execute("SHOW server_version")
            server = cursor.fetchone()[0]
        self.stdout.write(
            f"Machine: {os.cpu_count()} CPU cores, {_memory_gib():.1f} GiB memory, "
            f"load average {os.getloadavg()[0]:.1f} at the start; PostgreSQL {server}, "
            f"Python {platform.python_version()}, Django {django.get_version()}, "
            f"django-guardian {version('django-guardian')}"
        )

    def _measure_policy(self, subjects, repeat):
        self._section("Policy and services (times in ms; queries per run)")
        figures = {}
        steps = [
            lambda: scenarios.grant_and_revoke(subjects, subjects.small_definition, repeat),
            lambda: scenarios.grant_and_revoke(subjects, subjects.big_definition, repeat),
            lambda: scenarios.level_of_user(subjects),
            lambda: scenarios.readable_cases(subjects),
            lambda: scenarios.users_with_access(subjects),
        ]
        for step in steps:
            for figure in step():
                figures[figure.name] = figure
                self.stdout.write(figure.line())

        small, big = subjects.small_definition.case_count, subjects.big_definition.case_count
        for action in ("grant", "revoke"):
            on_small = figures[f"{action} on a definition of {small:,} cases"]
            on_big = figures[f"{action} on a definition of {big:,} cases"]
            self.stdout.write(
                f"{action} time ratio, {big:,} cases to {small:,}: {on_big.median_ms / on_small.median_ms:.2f} "
                f"(queries {on_small.queries} and {on_big.queries})"
            )
        return figures

    def _measure_naive(self, subjects, options, figures):
        self._section("Naive: one guardian row per case (generic UserObjectPermission / GroupObjectPermission)")
        with naive.generic_object_permissions():
            for definition in (subjects.small_definition, subjects.big_definition):
                case_by_case, sampled = naive.grant_case_by_case(subjects, definition, options["naive_limit"])
                for figure in case_by_case:
                    self.stdout.write(figure.line())
                assigned = case_by_case[0]
                estimate = assigned.median_ms / assigned.rows_written * definition.case_count
                if sampled:
                    self.stdout.write(
                        f"  assign_perm on all {definition.case_count:,} cases, estimated from the sample: "
                        f"{estimate / 1000:,.1f} s"
                    )
                ours = figures[f"grant on a definition of {definition.case_count:,} cases"]
                self.stdout.write(
                    f"  time ratio naive to definition grant: {estimate / ours.median_ms:,.0f}; rows written "
                    f"{definition.case_count:,} to 2"
                )
                for figure in naive.grant_as_queryset(subjects, definition):
                    self.stdout.write(figure.line())

            users = subjects.typical_users[: options["naive_users"]]
            written = naive.expand_grants_of(users)
            self.stdout.write(
                f"  Wrote {written:,} generic rows for the grants reaching {len(users)} users, a bounded sample of "
                "the full naive table."
            )
            listed, counts = naive.list_cases(users, max(1, options["sample"] // len(users)))
            for figure in listed:
                self.stdout.write(figure.line())
            for username, naive_count, policy_count in counts:
                self.stdout.write(f"  {username}: {naive_count:,} cases by guardian, {policy_count:,} by the policy")
            self._print_list_ratios(listed, figures)

        grant_rows = scenarios.grant_row_counts()
        needed = naive.full_size_row_count()
        ours = sum(grant_rows.values())
        self.stdout.write(
            f"Rows that hold every grant of the dataset: {ours:,} grant rows ({grant_rows['definition grants']:,} on "
            f"definitions, {grant_rows['case grants']:,} on cases); one row per case and grant would need "
            f"{needed:,}, {needed / ours:,.0f} times as many."
        )

    def _print_list_ratios(self, listed, figures):
        page, count = listed
        ours_page = figures["first page of readable cases, user with definition grants"]
        ours_count = figures["count of readable cases, user with definition grants"]
        self.stdout.write(
            f"  time ratio naive to policy: first page {page.median_ms / ours_page.median_ms:.2f}, "
            f"count {count.median_ms / ours_count.median_ms:.2f}"
        )

    def _measure_load(self, subjects, options):
        self.stdout.write("")
        self.stdout.write(
            f"API case list under load: wrk, {options['connections']} connections, {options['load_seconds']} s per "
            f"run, gunicorn with {os.cpu_count()} sync workers on 127.0.0.1:{options['port']}"
        )
        try:
            figures = load.run(subjects.typical_users[0], options["port"], options["load_seconds"],
                               options["connections"], options["load_rounds"], self.stdout.write)
        except load.LoadTestError as error:
            raise CommandError(str(error)) from None
        filtered = [figure.requests_per_second for figure in figures if figure.path == load.FILTERED_PATH]
        unfiltered = [figure.requests_per_second for figure in figures if figure.path == load.UNFILTERED_PATH]
        ratio = (sum(filtered) / len(filtered)) / (sum(unfiltered) / len(unfiltered))
        self.stdout.write(f"Throughput of the filtered list to the unfiltered one: {ratio:.2f}")

    def _print_plans(self, subjects):
        for title, plan in plans.explain_all(subjects):
            self.stdout.write("")
            self.stdout.write(f"EXPLAIN ANALYZE: {title}")
            self.stdout.write(plan)

    def _section(self, title):
        self.stdout.write("")
        self.stdout.write(title)
        self.stdout.write(HEADER)


def _memory_gib():
    try:
        with open("/proc/meminfo") as meminfo:
            for line in meminfo:
                if line.startswith("MemTotal:"):
                    return int(line.split()[1]) / 1024 / 1024
    except OSError:
        pass
    return 0.0
