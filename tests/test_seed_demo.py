"""The demo bank built by `manage.py seed_demo`."""

from io import StringIO

import pytest
from django.contrib.auth.models import Group
from django.core.management import CommandError, call_command
from django.utils import timezone

from casemgmt.management import demo_data
from casemgmt.models import CaseDefinition, CaseInstance, User
from grants import policy, services
from grants.levels import Level
from grants.models import AccessAction, AccessEvent, CaseUserGrant, DefinitionGroupGrant

DEMO_CASE_COUNT = sum(spec.case_count for spec in demo_data.DEFINITIONS)


def seed(**options):
    output = StringIO()
    call_command("seed_demo", stdout=output, **options)
    return output.getvalue()


@pytest.fixture
def seeded(db, settings):
    settings.DEBUG = True
    return seed()


def snapshot():
    cases = CaseInstance.objects.order_by("number").values_list(
        "number", "title", "status", "priority", "created_by__username", "created_at"
    )
    memberships = User.groups.through.objects.order_by("user__username", "group__name").values_list(
        "user__username", "group__name"
    )
    return {
        "cases": list(cases),
        "users": list(User.objects.order_by("username").values_list("username", "is_active", "is_superuser")),
        "memberships": list(memberships),
        "definitions": list(CaseDefinition.objects.values_list("case_prefix", "last_case_number", "access_controlled")),
        "events": AccessEvent.objects.count(),
    }


def debt_cases():
    return CaseInstance.objects.filter(definition__case_prefix=demo_data.DEBT)


def test_seed_twice_same_data(seeded):
    before = snapshot()

    output = seed()

    assert snapshot() == before
    assert "(0 new)" in output
    assert "0 grants created or changed" in output


def test_seed_case_count(seeded):
    assert CaseInstance.objects.count() == DEMO_CASE_COUNT
    assert DEMO_CASE_COUNT == 2000


def test_seed_user_and_group_counts(seeded):
    assert User.objects.count() == len(demo_data.USERS)
    assert User.objects.count() >= 40
    assert set(Group.objects.values_list("name", flat=True)) == set(demo_data.GROUPS)


def test_seed_numbers_continue_sequence(seeded):
    definition = CaseDefinition.objects.get(case_prefix=demo_data.DEBT)
    last_seeded = debt_cases().order_by("-number").first()

    new_case = CaseInstance.objects.create(definition=definition, title="Unpaid credit card – K. Moreau")

    assert last_seeded.number == "DEBT-000600"
    assert new_case.number == "DEBT-000601"


def test_seed_spreads_case_dates(seeded):
    oldest = CaseInstance.objects.order_by("created_at").first()
    newest = CaseInstance.objects.order_by("-created_at").first()

    assert (newest.created_at - oldest.created_at).days > 365


def test_seed_leaves_new_cases_timed(seeded):
    definition = CaseDefinition.objects.get(case_prefix=demo_data.INV)
    started = timezone.now()

    new_case = CaseInstance.objects.create(definition=definition, title="Sector outlook – shipping")

    assert new_case.created_at >= started
    assert new_case.updated_at >= started


def test_seed_titles_name_customers(seeded):
    titles = list(debt_cases().values_list("title", flat=True))

    assert all(" – " in title for title in titles)
    assert len(set(titles)) > 500


def test_seed_access_manager_is_manager(seeded):
    manager = User.objects.get(username=demo_data.ACCESS_MANAGER)

    assert policy.is_access_manager(manager)
    assert not manager.is_superuser


def test_seed_admin_is_superuser(seeded):
    admin = User.objects.get(username=demo_data.ADMIN)

    assert admin.is_superuser
    assert admin.check_password(demo_data.DEFAULT_PASSWORD)


def test_seed_debt_control_lacks_debt_grant(seeded):
    member = User.objects.get(username=demo_data.DEBT_CONTROL_MEMBER)
    debt_control = Group.objects.get(name=demo_data.DEBT_CONTROL)

    assert not DefinitionGroupGrant.objects.filter(
        group=debt_control, content_object__case_prefix=demo_data.DEBT
    ).exists()
    assert not policy.cases_user_can_read(member, debt_cases()).exists()


def test_seed_group_grant_opens_debt_cases(seeded):
    admin = User.objects.get(username=demo_data.ADMIN)
    member = User.objects.get(username=demo_data.DEBT_CONTROL_MEMBER)
    debt = CaseDefinition.objects.get(case_prefix=demo_data.DEBT)

    services.grant(admin, Group.objects.get(name=demo_data.DEBT_CONTROL), debt, "read")

    assert policy.cases_user_can_read(member, debt_cases()).count() == debt_cases().count()
    assert not policy.cases_user_can_write(member, debt_cases()).exists()


def test_seed_debt_member_reads_complaints(seeded):
    member = User.objects.get(username=demo_data.DEBT_CONTROL_MEMBER)
    complaints = CaseInstance.objects.filter(definition__case_prefix=demo_data.COMP)

    assert policy.cases_user_can_read(member, complaints).count() == complaints.count()


def test_seed_no_access_user_reads_none(seeded):
    nobody = User.objects.get(username=demo_data.NO_ACCESS_USER)

    assert nobody.is_active
    assert not policy.cases_user_can_read(nobody).exists()
    assert not policy.definitions_user_can_see(nobody).exists()


def test_seed_it_requests_follow_model_perms(seeded):
    it_member = User.objects.get(username="kevin.murphy")
    it_requests = CaseInstance.objects.filter(definition__case_prefix=demo_data.IT)

    assert not CaseDefinition.objects.get(case_prefix=demo_data.IT).access_controlled
    assert policy.cases_user_can_write(it_member, it_requests).count() == it_requests.count()


def test_seed_grants_recorded_with_actor(seeded):
    granted = AccessEvent.objects.filter(action=AccessAction.GRANTED)

    assert granted.count() == len(demo_data.GRANTS)
    assert set(granted.values_list("actor__username", flat=True)) == {demo_data.ADMIN}


def test_seed_case_grant_on_fraud_case(seeded):
    member = User.objects.get(username=demo_data.DEBT_CONTROL_MEMBER)
    fraud_cases = CaseInstance.objects.filter(definition__case_prefix=demo_data.FRAUD)

    readable = policy.cases_user_can_read(member, fraud_cases)

    assert list(readable.values_list("number", flat=True)) == ["FRAUD-000007"]
    assert CaseUserGrant.objects.filter(user=member).count() == 1


def test_seed_resets_changed_grant(seeded):
    admin = User.objects.get(username=demo_data.ADMIN)
    investment = CaseDefinition.objects.get(case_prefix=demo_data.INV)
    research = Group.objects.get(name=demo_data.INVESTMENT_RESEARCH)
    services.change_level(admin, research, investment, "read")

    output = seed()

    member = User.objects.get(username="olivia.bennett")
    assert "1 grants created or changed" in output
    assert policy.level_of_user_on_definition(member, investment) == Level.WRITE


def test_seed_switches_access_control_back(seeded):
    admin = User.objects.get(username=demo_data.ADMIN)
    debt = CaseDefinition.objects.get(case_prefix=demo_data.DEBT)
    services.set_access_control(admin, debt, False)

    seed()

    debt.refresh_from_db()
    assert debt.access_controlled
    assert AccessEvent.objects.filter(action=AccessAction.ACCESS_CONTROL_ON, definition=debt).count() == 1


def test_seed_rejects_name_clash(db, settings):
    settings.DEBUG = True
    CaseDefinition.objects.create(name="Debt collection", case_prefix="DC")

    with pytest.raises(CommandError, match="'Debt collection' exists with a prefix other than 'DEBT'"):
        seed()

    assert not User.objects.exists()
    assert not CaseInstance.objects.exists()


def test_seed_prints_logins(seeded):
    for username in (demo_data.ADMIN, demo_data.ACCESS_MANAGER, demo_data.DEBT_CONTROL_MEMBER, demo_data.NO_ACCESS_USER):
        assert username in seeded
    assert demo_data.DEFAULT_PASSWORD in seeded


def test_seed_password_option(db, settings):
    settings.DEBUG = True

    seed(password="another-demo-pass-77")

    assert User.objects.get(username=demo_data.DEBT_CONTROL_MEMBER).check_password("another-demo-pass-77")


def test_seed_rejects_weak_password(db, settings):
    settings.DEBUG = True

    with pytest.raises(CommandError, match="--password is invalid"):
        seed(password="123")

    assert not User.objects.exists()


def test_seed_rejects_without_debug(db, settings):
    settings.DEBUG = False

    with pytest.raises(CommandError, match="DEBUG is off"):
        seed()

    assert not CaseInstance.objects.exists()


def test_seed_without_debug_when_allowed(db, settings):
    settings.DEBUG = False

    seed(allow_without_debug=True)

    assert CaseInstance.objects.count() == DEMO_CASE_COUNT
