"""Build the demo bank: case definitions, teams, about 40 staff, 2,000 cases and a few starting grants.

Running the command again gives the same demo: missing rows are created, the demo users and the
starting grants are reset to their demo state, and cases that already exist are left as they are.
Grants go through `grants.services` with the demo superuser as actor, so they show in the history.
"""

import random
from contextlib import contextmanager
from datetime import timedelta

from django.conf import settings
from django.contrib.auth import get_user_model
from django.contrib.auth.hashers import make_password
from django.contrib.auth.models import Group, Permission
from django.contrib.auth.password_validation import validate_password
from django.core.exceptions import ValidationError
from django.core.management.base import BaseCommand, CommandError
from django.db import transaction
from django.utils import timezone

from casemgmt.management import demo_data
from casemgmt.models import CaseDefinition, CaseInstance
from grants import audit, services

BATCH_SIZE = 500


class Command(BaseCommand):
    help = "Create or reset the demo bank: definitions, groups, users, 2,000 cases and starting grants."

    def add_arguments(self, parser):
        parser.add_argument(
            "--password",
            default=demo_data.DEFAULT_PASSWORD,
            help=f"Password of every demo user (default: {demo_data.DEFAULT_PASSWORD}). For demos only.",
        )
        parser.add_argument(
            "--allow-without-debug",
            action="store_true",
            help="Seed even when DEBUG is off. The demo users share one known password, so never use "
            "this on a server that others can reach.",
        )

    def handle(self, *args, password, allow_without_debug, **options):
        if not settings.DEBUG and not allow_without_debug:
            raise CommandError(
                "DEBUG is off, so this looks like a production database. The demo creates a superuser with a "
                "known password. Run with DEBUG=1, or pass --allow-without-debug if this database is a demo."
            )
        try:
            validate_password(password)
        except ValidationError as error:
            raise CommandError(f"--password is invalid: {' '.join(error.messages)}") from None

        with transaction.atomic():
            admin = _ensure_admin()
            actor_token = audit.current_actor.set(admin)
            try:
                counts = _seed(admin, make_password(password))
            finally:
                audit.current_actor.reset(actor_token)

        self._report(counts, password)

    def _report(self, counts, password):
        self.stdout.write(
            self.style.SUCCESS(
                f"Demo ready: {counts['definitions']} definitions, {counts['groups']} groups, "
                f"{counts['users']} users, {counts['cases']} cases ({counts['new_cases']} new), "
                f"{counts['grants_changed']} grants created or changed."
            )
        )
        self.stdout.write(f"\nDemo logins (password {password!r}, for this demo only):")
        roles = {spec.username: spec.role for spec in demo_data.USERS if spec.role}
        for username, role in roles.items():
            self.stdout.write(f"  {username:<14} {role}")


def _seed(admin, password_hash):
    groups = _seed_groups()
    users = _seed_users(groups, password_hash)
    definitions = _seed_definitions(admin)
    new_cases = _seed_cases(definitions, groups)
    grants_changed = _seed_grants(admin, definitions, groups, users)
    return {
        "definitions": len(definitions),
        "groups": len(groups),
        "users": len(users),
        "cases": CaseInstance.objects.filter(definition__in=definitions.values()).count(),
        "new_cases": new_cases,
        "grants_changed": grants_changed,
    }


def _ensure_admin():
    """Create the demo superuser first, because it is the actor of every change recorded afterwards."""
    spec = demo_data.USERS[0]
    admin, _created = get_user_model().objects.get_or_create(
        username=spec.username, defaults={"is_superuser": True, "is_staff": True}
    )
    return admin


def _seed_groups():
    groups = {name: Group.objects.get_or_create(name=name)[0] for name in demo_data.GROUPS}
    for group_name, permission_names in demo_data.GROUP_MODEL_PERMISSIONS.items():
        groups[group_name].permissions.add(*[_permission(name) for name in permission_names])
    return groups


def _permission(dotted_name):
    app_label, codename = dotted_name.split(".")
    return Permission.objects.get(content_type__app_label=app_label, codename=codename)


def _seed_users(groups, password_hash):
    """Create or reset each demo user's names, flags and password, and add it to its groups."""
    User = get_user_model()
    users = {}
    for spec in demo_data.USERS:
        user, _created = User.objects.get_or_create(username=spec.username)
        expected = {
            "first_name": spec.first_name,
            "last_name": spec.last_name,
            "email": f"{spec.username}@demo-bank.example",
            "is_superuser": spec.is_superuser,
            "is_staff": spec.is_superuser,
            "is_active": spec.is_active,
        }
        changed = [name for name, value in expected.items() if getattr(user, name) != value]
        if changed:
            for name in changed:
                setattr(user, name, expected[name])
            user.save(update_fields=changed)

        # add() inserts and records only the memberships that are missing.
        user.groups.add(*[groups[name] for name in spec.groups])
        users[spec.username] = user

    User.objects.filter(username__in=users).update(password=password_hash)
    return users


def _seed_definitions(admin):
    definitions = {}
    for spec in demo_data.DEFINITIONS:
        definition = CaseDefinition.objects.filter(case_prefix=spec.prefix).first()
        if definition is None:
            if CaseDefinition.objects.filter(name=spec.name).exists():
                raise CommandError(
                    f"A definition named {spec.name!r} exists with a prefix other than {spec.prefix!r}. "
                    "Rename it or change its prefix, then run seed_demo again."
                )
            definition = CaseDefinition.objects.create(
                name=spec.name,
                case_prefix=spec.prefix,
                description=spec.description,
                access_controlled=spec.access_controlled,
            )
        else:
            _reset_definition(admin, definition, spec)
        definitions[spec.prefix] = definition
    return definitions


def _reset_definition(admin, definition, spec):
    if (definition.name, definition.description) != (spec.name, spec.description):
        definition.name = spec.name
        definition.description = spec.description
        definition.save(update_fields=["name", "description"])
    # Switching access control is an access change, so it goes through the service and its history.
    services.set_access_control(admin, definition, spec.access_controlled)
    definition.refresh_from_db()


def _seed_cases(definitions, groups):
    """Insert the generated cases that are missing and move each case counter past them."""
    now = timezone.now()
    created = 0
    for spec in demo_data.DEFINITIONS:
        definition = definitions[spec.prefix]
        creators = list(groups[spec.creator_group].user_set.filter(is_active=True).order_by("username"))
        planned = _plan_cases(spec, definition, creators, now)

        existing = set(CaseInstance.objects.filter(definition=definition).values_list("number", flat=True))
        missing = [case for case in planned if case.number not in existing]
        _insert_cases(missing)
        created += len(missing)

        CaseDefinition.objects.filter(pk=definition.pk, last_case_number__lt=spec.case_count).update(
            last_case_number=spec.case_count
        )
    return created


def _plan_cases(spec, definition, creators, now):
    """Generate the definition's cases, numbered from 1, oldest first.

    Every run generates the same cases, except that their times count back from `now`.
    """
    # A string seed is hashed with SHA-512, so the sequence does not depend on PYTHONHASHSEED.
    rng = random.Random(f"{demo_data.RANDOM_SEED}-{spec.prefix}")
    ages = sorted((rng.uniform(0, demo_data.CASE_AGE_DAYS) for _ in range(spec.case_count)), reverse=True)

    cases = []
    for number, age_days in enumerate(ages, start=1):
        created_at = now - timedelta(days=age_days)
        updated_at = created_at + timedelta(days=rng.uniform(0, min(age_days, 60)))
        case = CaseInstance(
            definition=definition,
            number=f"{spec.prefix}-{number:06d}",
            title=_title(rng, spec),
            status=_status(rng, age_days),
            priority=_weighted_choice(rng, demo_data.PRIORITY_WEIGHTS),
            created_by=rng.choice(creators) if creators else None,
        )
        case.created_at = created_at
        case.updated_at = updated_at
        cases.append(case)
    return cases


def _title(rng, spec):
    template = rng.choice(spec.title_templates)
    employee = rng.choice(demo_data.USERS)
    return template.format(
        customer=f"{rng.choice(demo_data.CUSTOMER_INITIALS)}. {rng.choice(demo_data.CUSTOMER_SURNAMES)}",
        company=rng.choice(demo_data.COMPANIES),
        sector=rng.choice(demo_data.SECTORS),
        employee=f"{employee.first_name[0]}. {employee.last_name}",
        floor=rng.randint(1, 9),
    )


def _status(rng, age_days):
    # Older cases are more likely closed: a case a year old is closed two times out of three.
    if rng.random() < min(0.9, age_days / 540):
        return "closed"
    return _weighted_choice(rng, {"open": 1, "in_progress": 1})


def _weighted_choice(rng, weights):
    return rng.choices(list(weights), weights=list(weights.values()))[0]


def _insert_cases(cases):
    if not cases:
        return
    with _given_case_times():
        CaseInstance.objects.bulk_create(cases, batch_size=BATCH_SIZE)


@contextmanager
def _given_case_times():
    """Make inserts keep the cases' own `created_at` and `updated_at` instead of setting the current time.

    Writing the times with bulk_update after the insert took more than half of the run (cProfile, SQLite).
    NOTE: the switch applies to the whole process, so run seed_demo where no other thread saves cases.
    """
    time_fields = [CaseInstance._meta.get_field(name) for name in ("created_at", "updated_at")]
    saved = [(time_field.auto_now, time_field.auto_now_add) for time_field in time_fields]
    for time_field in time_fields:
        time_field.auto_now = time_field.auto_now_add = False
    try:
        yield
    finally:
        for time_field, (auto_now, auto_now_add) in zip(time_fields, saved):
            time_field.auto_now, time_field.auto_now_add = auto_now, auto_now_add


def _seed_grants(admin, definitions, groups, users):
    """Give each starting grant through the service. A grant already at its level changes nothing."""
    changed = 0
    for spec in demo_data.GRANTS:
        subject = groups[spec.subject] if spec.subject_is_group else users[spec.subject]
        target = definitions[spec.definition]
        if spec.case is not None:
            target = CaseInstance.objects.get(definition=target, number=spec.case)
        if services.grant(admin, subject, target, spec.level).changed:
            changed += 1
    return changed
