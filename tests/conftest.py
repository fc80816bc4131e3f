import factory.random
import pytest
from django.contrib.auth.models import Permission
from django.db import connection

from grants import services
from grants.levels import Level

from .factories import CaseFactory, DefinitionFactory, GroupFactory, UserFactory


def pytest_runtest_setup(item):
    """Skip tests marked `postgres` unless the run uses PostgreSQL (set DATABASE_URL to run them)."""
    if item.get_closest_marker("postgres") and connection.vendor != "postgresql":
        pytest.skip(f"needs PostgreSQL, but the test database is {connection.vendor}: set DATABASE_URL")


@pytest.fixture(autouse=True)
def reproducible_fake_data(request):
    """Seed Faker per test, so the names a factory makes are the same in every run of that test."""
    factory.random.reseed_random(request.node.nodeid)


@pytest.fixture
def manager(db):
    """An access manager, with grants.manage_access through the Access managers group."""
    group = GroupFactory(name="Access managers")
    group.permissions.add(Permission.objects.get(codename="manage_access"))
    user = UserFactory(username="manager")
    user.groups.add(group)
    return user


@pytest.fixture
def superuser(db):
    return UserFactory(username="root", is_superuser=True, is_staff=True)


@pytest.fixture
def user(db):
    return UserFactory(username="ulla")


@pytest.fixture
def other_user(db):
    return UserFactory(username="viktor")


@pytest.fixture
def group(db):
    return GroupFactory(name="Debt control")


@pytest.fixture
def definition(db):
    return DefinitionFactory(name="Debt collection", case_prefix="DEBT")


@pytest.fixture
def case(definition):
    return CaseFactory(definition=definition, title="Unpaid invoice 4411")


@pytest.fixture
def grant(manager):
    """Grant through the service, as an access manager: grant(subject, target, level)."""

    def make_grant(subject, target, level):
        return services.grant(manager, subject, target, Level.parse(level))

    return make_grant


@pytest.fixture
def make_case():
    return CaseFactory


@pytest.fixture
def make_definition():
    return DefinitionFactory


@pytest.fixture
def make_user():
    return UserFactory


@pytest.fixture
def make_group():
    return GroupFactory
