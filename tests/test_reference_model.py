"""The access policy checked against a small pure-Python model of its rules.

A hypothesis state machine creates definitions, cases, users and groups, changes memberships, model
permissions and grants (through `grants.services`), switches access control, deactivates users and
deletes things. After every step it compares with the model the level of each user on each case
(through `user.has_perm`), each user's readable cases with their levels and writable cases, each
case's readers and writers, and the level that `explain_access_for_users` gives. Random probe steps
check `level_of_user_on_case`, `explain_access` and the definition results for one user. At the end
of each example, every result of the policy is compared for every user, case and definition.

Each per-step result costs a query built in Python, so the worlds stay small (see MAX_*) and the
costlier results are checked less often, to keep 200 examples within about 3 minutes.

CI runs the "ci" profile: 200 examples of up to 40 steps. For a longer search, run for example
`HYPOTHESIS_EXAMPLES=5000 .venv/bin/python -m pytest tests/test_reference_model.py`.
"""

import os
from dataclasses import dataclass, field

import pytest
from django.contrib.auth.models import Group, Permission
from django.core.exceptions import ValidationError
from django.db import transaction
from hypothesis import HealthCheck, settings
from hypothesis import strategies as st
from hypothesis.stateful import RuleBasedStateMachine, invariant, precondition, rule, run_state_machine_as_test

from casemgmt.models import CaseDefinition, CaseInstance, User
from grants import services
from grants.levels import MODEL_CODENAMES, Level
from grants.models import AccessEvent
from grants.policy import (
    cases_user_can_read,
    cases_user_can_write,
    checker_for,
    definitions_user_can_see,
    explain_access,
    explain_access_for_users,
    level_of_user_on_case,
    level_of_user_on_definition,
    users_with_access_to_case,
)
from grants.services import GrantNotFound

settings.register_profile(
    "ci",
    max_examples=int(os.environ.get("HYPOTHESIS_EXAMPLES", "200")),
    stateful_step_count=int(os.environ.get("HYPOTHESIS_STEPS", "40")),
    deadline=None,
    suppress_health_check=[HealthCheck.too_slow, HealthCheck.data_too_large],
    print_blob=True,
)

MAX_DEFINITIONS = 2
MAX_CASES = 3
MAX_USERS = 2  # Besides the superuser who acts as access manager.
MAX_GROUPS = 2

LEVELS = st.sampled_from([Level.READ, Level.WRITE])


# The model


@dataclass
class ModelUser:
    active: bool = True
    superuser: bool = False
    model_levels: set = field(default_factory=set)
    groups: set = field(default_factory=set)


@dataclass
class ModelGroup:
    model_levels: set = field(default_factory=set)


@dataclass
class AccessModel:
    """The access rules written as plainly as possible, over ids instead of rows."""

    # Dicts keep creation order, which the draws use: sorted UUIDs would change between runs and
    # make hypothesis replay a different world.
    access_controlled: dict = field(default_factory=dict)  # definition id -> bool
    definition_of_case: dict = field(default_factory=dict)  # case id -> definition id
    users: dict = field(default_factory=dict)  # user id -> ModelUser
    groups: dict = field(default_factory=dict)  # group id -> ModelGroup
    grants: dict = field(default_factory=dict)  # (subject kind, subject id, target id) -> Level

    def subjects_of(self, user_id):
        user = self.users[user_id]
        return [("user", user_id), *(("group", group_id) for group_id in user.groups)]

    def model_level(self, user_id):
        user = self.users[user_id]
        levels = set(user.model_levels)
        for group_id in user.groups:
            levels |= self.groups[group_id].model_levels
        return max(levels, default=Level.NONE)

    def level_on_definition(self, user_id, definition_id):
        user = self.users[user_id]
        if not user.active:
            return Level.NONE
        if user.superuser:
            return Level.WRITE
        if not self.access_controlled[definition_id]:
            return self.model_level(user_id)
        levels = [self.grants.get((*subject, definition_id), Level.NONE) for subject in self.subjects_of(user_id)]
        return max(levels, default=Level.NONE)

    def level_on_case(self, user_id, case_id):
        definition_id = self.definition_of_case[case_id]
        level = self.level_on_definition(user_id, definition_id)
        user = self.users[user_id]
        if not user.active or user.superuser or not self.access_controlled[definition_id]:
            return level
        case_levels = [self.grants.get((*subject, case_id), Level.NONE) for subject in self.subjects_of(user_id)]
        return max([level, *case_levels])

    def drop_target(self, target_id):
        self.grants = {key: level for key, level in self.grants.items() if key[2] != target_id}

    def drop_subject(self, kind, subject_id):
        self.grants = {key: level for key, level in self.grants.items() if key[:2] != (kind, subject_id)}


# The state machine


class AccessRules(RuleBasedStateMachine):
    def __init__(self):
        super().__init__()
        # Each example runs in a savepoint that teardown rolls back, so every example starts empty.
        self.atomic = transaction.atomic()
        self.atomic.__enter__()

        self.model = AccessModel()
        self.actor = User.objects.create(username="root", is_superuser=True, is_staff=True)
        self.users = {self.actor.pk: self.actor}  # The same objects throughout, as a request keeps them.
        self.model.users[self.actor.pk] = ModelUser(superuser=True)
        self.model_permissions = {
            level: Permission.objects.get(content_type__app_label="casemgmt", codename=codename)
            for level, codename in MODEL_CODENAMES.items()
        }
        self.serial = 0

    def teardown(self):
        try:
            self.check_everything()
        finally:
            transaction.set_rollback(True)
            self.atomic.__exit__(None, None, None)

    def next_serial(self):
        self.serial += 1
        return self.serial

    # Creating

    @precondition(lambda self: len(self.model.access_controlled) < MAX_DEFINITIONS)
    @rule(access_controlled=st.booleans())
    def create_definition(self, access_controlled):
        serial = self.next_serial()
        definition = CaseDefinition.objects.create(
            name=f"Definition {serial}", case_prefix=f"D{serial}", access_controlled=access_controlled
        )
        self.model.access_controlled[definition.pk] = access_controlled

    @precondition(lambda self: self.model.access_controlled and len(self.model.definition_of_case) < MAX_CASES)
    @rule(data=st.data())
    def create_case(self, data):
        definition_id = data.draw(st.sampled_from(list(self.model.access_controlled)), label="definition")
        case = CaseInstance.objects.create(definition_id=definition_id, title=f"Case {self.next_serial()}")
        self.model.definition_of_case[case.pk] = definition_id

    @precondition(lambda self: len(self.model.users) <= MAX_USERS)
    @rule(superuser=st.sampled_from([False, False, False, True]))
    def create_user(self, superuser):
        user = User.objects.create(username=f"user{self.next_serial()}", is_superuser=superuser)
        self.users[user.pk] = user
        self.model.users[user.pk] = ModelUser(superuser=superuser)

    @precondition(lambda self: len(self.model.groups) < MAX_GROUPS)
    @rule()
    def create_group(self):
        group = Group.objects.create(name=f"Group {self.next_serial()}")
        self.model.groups[group.pk] = ModelGroup()

    # Memberships and model permissions

    @precondition(lambda self: len(self.model.users) > 1 and self.model.groups)
    @rule(data=st.data())
    def add_member(self, data):
        user = self.draw_user(data)
        group_id = data.draw(st.sampled_from(sorted(self.model.groups)), label="group")
        user.groups.add(group_id)
        self.model.users[user.pk].groups.add(group_id)

    @precondition(lambda self: any(user.groups for user in self.model.users.values()))
    @rule(data=st.data(), from_group_side=st.booleans())
    def remove_member(self, data, from_group_side):
        members = sorted((user_id, group_id) for user_id, user in self.model.users.items() for group_id in user.groups)
        user_id, group_id = data.draw(st.sampled_from(members), label="membership")
        if from_group_side:
            Group.objects.get(pk=group_id).user_set.remove(self.users[user_id])
        else:
            self.users[user_id].groups.remove(group_id)
        self.model.users[user_id].groups.discard(group_id)

    @precondition(lambda self: len(self.model.users) > 1)
    @rule(data=st.data(), level=LEVELS, add=st.booleans())
    def change_user_model_permission(self, data, level, add):
        user = self.draw_user(data)
        if add:
            user.user_permissions.add(self.model_permissions[level])
            self.model.users[user.pk].model_levels.add(level)
        else:
            user.user_permissions.remove(self.model_permissions[level])
            self.model.users[user.pk].model_levels.discard(level)

    @precondition(lambda self: self.model.groups)
    @rule(data=st.data(), level=LEVELS, add=st.booleans())
    def change_group_model_permission(self, data, level, add):
        group = Group.objects.get(pk=data.draw(st.sampled_from(sorted(self.model.groups)), label="group"))
        if add:
            group.permissions.add(self.model_permissions[level])
            self.model.groups[group.pk].model_levels.add(level)
        else:
            group.permissions.remove(self.model_permissions[level])
            self.model.groups[group.pk].model_levels.discard(level)

    # Grants, through the services

    @precondition(lambda self: self.has_subject_and_target())
    @rule(data=st.data(), level=LEVELS)
    def grant(self, data, level):
        subject, target, key = self.draw_subject_and_target(data)
        old_level = self.model.grants.get(key, Level.NONE)
        events_before = AccessEvent.objects.count()

        if self.is_inactive_user(subject):
            with pytest.raises(ValidationError):
                services.grant(self.actor, subject, target, level)
            assert AccessEvent.objects.count() == events_before
            return

        change = services.grant(self.actor, subject, target, level)
        self.model.grants[key] = level
        assert change.changed == (old_level != level)
        assert AccessEvent.objects.count() == events_before + (old_level != level)

    @precondition(lambda self: self.has_subject_and_target())
    @rule(data=st.data(), level=LEVELS)
    def change_level(self, data, level):
        subject, target, key = self.draw_subject_and_target(data)
        old_level = self.model.grants.get(key)
        events_before = AccessEvent.objects.count()

        if self.is_inactive_user(subject):
            with pytest.raises(ValidationError):
                services.change_level(self.actor, subject, target, level)
        elif old_level is None:
            with pytest.raises(GrantNotFound):
                services.change_level(self.actor, subject, target, level)
        else:
            change = services.change_level(self.actor, subject, target, level)
            self.model.grants[key] = level
            assert change.changed == (old_level != level)
            assert AccessEvent.objects.count() == events_before + (old_level != level)
            return
        assert AccessEvent.objects.count() == events_before

    @precondition(lambda self: self.has_subject_and_target())
    @rule(data=st.data())
    def revoke(self, data):
        subject, target, key = self.draw_subject_and_target(data)
        events_before = AccessEvent.objects.count()

        if key not in self.model.grants:
            with pytest.raises(GrantNotFound):
                services.revoke(self.actor, subject, target)
            assert AccessEvent.objects.count() == events_before
            return

        services.revoke(self.actor, subject, target)
        del self.model.grants[key]
        assert AccessEvent.objects.count() == events_before + 1

    @precondition(lambda self: self.model.access_controlled)
    @rule(data=st.data(), enabled=st.booleans())
    def set_access_control(self, data, enabled):
        definition_id = data.draw(st.sampled_from(list(self.model.access_controlled)), label="definition")
        change = services.set_access_control(self.actor, CaseDefinition.objects.get(pk=definition_id), enabled)
        assert change.changed == (self.model.access_controlled[definition_id] != enabled)
        self.model.access_controlled[definition_id] = enabled

    # Users coming and going

    @precondition(lambda self: len(self.model.users) > 1)
    @rule(data=st.data(), active=st.booleans())
    def set_user_active(self, data, active):
        user = self.draw_user(data)
        user.is_active = active
        user.save()
        self.model.users[user.pk].active = active

    @precondition(lambda self: len(self.model.users) > 1)
    @rule(data=st.data())
    def delete_user(self, data):
        user = self.draw_user(data)
        user_id = user.pk
        user.delete()
        del self.users[user_id]
        del self.model.users[user_id]
        self.model.drop_subject("user", user_id)

    @precondition(lambda self: self.model.groups)
    @rule(data=st.data())
    def delete_group(self, data):
        group_id = data.draw(st.sampled_from(sorted(self.model.groups)), label="group")
        Group.objects.get(pk=group_id).delete()
        del self.model.groups[group_id]
        for user in self.model.users.values():
            user.groups.discard(group_id)
        self.model.drop_subject("group", group_id)

    # Deleting cases and definitions

    @precondition(lambda self: self.model.definition_of_case)
    @rule(data=st.data())
    def delete_case(self, data):
        case_id = data.draw(st.sampled_from(list(self.model.definition_of_case)), label="case")
        CaseInstance.objects.get(pk=case_id).delete()
        del self.model.definition_of_case[case_id]
        self.model.drop_target(case_id)

    @precondition(lambda self: self.model.access_controlled)
    @rule(data=st.data())
    def delete_definition(self, data):
        definition_id = data.draw(st.sampled_from(list(self.model.access_controlled)), label="definition")
        CaseDefinition.objects.get(pk=definition_id).delete()
        del self.model.access_controlled[definition_id]
        for case_id in [case_id for case_id, of in self.model.definition_of_case.items() if of == definition_id]:
            del self.model.definition_of_case[case_id]
            self.model.drop_target(case_id)
        self.model.drop_target(definition_id)

    # Drawing

    def draw_user(self, data):
        """Draw a user other than the acting superuser."""
        choices = sorted(user_id for user_id in self.model.users if user_id != self.actor.pk)
        return self.users[data.draw(st.sampled_from(choices), label="user")]

    def has_subject_and_target(self):
        return len(self.model.users) + len(self.model.groups) > 1 and self.model.access_controlled

    def draw_subject_and_target(self, data):
        subjects = [("user", user_id) for user_id in sorted(self.model.users) if user_id != self.actor.pk]
        subjects += [("group", group_id) for group_id in sorted(self.model.groups)]
        kind, subject_id = data.draw(st.sampled_from(subjects), label="subject")
        subject = self.users[subject_id] if kind == "user" else Group.objects.get(pk=subject_id)

        targets = [*list(self.model.access_controlled), *list(self.model.definition_of_case)]
        target_id = data.draw(st.sampled_from(targets), label="target")
        if target_id in self.model.access_controlled:
            target = CaseDefinition.objects.get(pk=target_id)
        else:
            target = CaseInstance.objects.get(pk=target_id)
        return subject, target, (kind, subject_id, target_id)

    def is_inactive_user(self, subject):
        return isinstance(subject, User) and not self.model.users[subject.pk].active

    # Comparing the policy with the model

    @invariant()
    def levels_and_readers_agree(self):
        """After every step: every pair through `has_perm`, the readable and writable cases, readers and writers.

        The single-case and definition results cost a query per pair and are checked in
        `probe_one_pair` and `check_everything`.
        """
        cases, users = self.current_cases_and_users()
        for user in users:
            self.check_has_perm(user, cases)
            self.check_readable(user, cases)
            self.check_writable(user, cases)
        for case in cases:
            self.check_holders(case, users, Level.READ)
            self.check_holders(case, users, Level.WRITE)
            self.check_explanations(case, users)

    @precondition(lambda self: self.model.definition_of_case)
    @rule(data=st.data())
    def probe_one_pair(self, data):
        """Between steps, at random: the single-case and definition results for one user."""
        user = User.objects.get(pk=data.draw(st.sampled_from(list(self.model.users)), label="user"))
        case_id = data.draw(st.sampled_from(list(self.model.definition_of_case)), label="case")
        case = CaseInstance.objects.select_related("definition").get(pk=case_id)
        self.check_single_case(user, case)
        self.check_definitions(user, *self.current_cases_and_definitions())

    def check_everything(self):
        """At the end of each example: every result of the policy for every user, case and definition."""
        cases, definitions = self.current_cases_and_definitions()
        _cases, users = self.current_cases_and_users()
        self.levels_and_readers_agree()
        for user in users:
            for case in cases:
                self.check_single_case(user, case)
            self.check_definitions(user, cases, definitions)

    def current_cases_and_users(self):
        cases = list(CaseInstance.objects.select_related("definition").order_by("number"))
        assert {case.pk for case in cases} == set(self.model.definition_of_case)
        users = list(User.objects.order_by("username"))
        assert {user.pk for user in users} == set(self.model.users)
        return cases, users

    def current_cases_and_definitions(self):
        cases = list(CaseInstance.objects.select_related("definition").order_by("number"))
        definitions = list(CaseDefinition.objects.order_by("name"))
        assert {definition.pk for definition in definitions} == set(self.model.access_controlled)
        return cases, definitions

    def expected_levels(self, user, cases):
        return {case.pk: self.model.level_on_case(user.pk, case.pk) for case in cases}

    def check_has_perm(self, user, cases):
        """Check `has_perm` on the user object kept since creation, as a request calls it on `request.user`."""
        kept_user = self.users[user.pk]
        expected = self.expected_levels(user, cases)
        checker_for(kept_user).prefetch(cases)
        for case in cases:
            where = f"has_perm of {user.username} on {case.number}"
            assert kept_user.has_perm("casemgmt.view_caseinstance", case) == (expected[case.pk] >= Level.READ), where
            assert kept_user.has_perm("casemgmt.change_caseinstance", case) == (expected[case.pk] >= Level.WRITE), where

    def check_readable(self, user, cases):
        expected = self.expected_levels(user, cases)
        readable = dict(cases_user_can_read(user).values_list("pk", "access_level"))
        assert readable == {pk: level for pk, level in expected.items() if level >= Level.READ}, user.username

    def check_writable(self, user, cases):
        expected = self.expected_levels(user, cases)
        writable = set(cases_user_can_write(user).values_list("pk", flat=True))
        assert writable == {pk for pk, level in expected.items() if level >= Level.WRITE}, user.username

    def check_holders(self, case, users, level):
        expected = {user.pk for user in users if self.model.level_on_case(user.pk, case.pk) >= level}
        holders = set(users_with_access_to_case(case, level).values_list("pk", flat=True))
        assert holders == expected, f"users with {level.label} on {case.number}"

    def check_explanations(self, case, users):
        for explanation in explain_access_for_users(users, case):
            expected = self.model.level_on_case(explanation.user.pk, case.pk)
            assert explanation.level == expected, f"explanation of {explanation.user.username} on {case.number}"

    def check_single_case(self, user, case):
        expected = self.model.level_on_case(user.pk, case.pk)
        where = f"{user.username} on {case.number}"
        assert level_of_user_on_case(user, case) == expected, where
        assert explain_access(user, case).level == expected, f"explanation of {where}"

    def check_definitions(self, user, cases, definitions):
        expected_visible = set()
        for definition in definitions:
            expected = self.model.level_on_definition(user.pk, definition.pk)
            assert level_of_user_on_definition(user, definition) == expected, f"{user.username} on {definition.name}"
            if expected >= Level.READ:
                expected_visible.add(definition.pk)

        expected_on_cases = self.expected_levels(user, cases)
        expected_visible |= {case.definition_id for case in cases if expected_on_cases[case.pk] >= Level.READ}
        assert set(definitions_user_can_see(user).values_list("pk", flat=True)) == expected_visible, user.username


@pytest.mark.django_db
@pytest.mark.slow
def test_policy_matches_reference_model():
    run_state_machine_as_test(AccessRules, settings=settings.get_profile("ci"))


# Regressions that the state machine found


@pytest.fixture
def open_case(make_definition, make_case):
    """A case of a definition whose access control is off, so model permissions decide."""
    return make_case(definition=make_definition(access_controlled=False))


def view_permission():
    return Permission.objects.get(content_type__app_label="casemgmt", codename=MODEL_CODENAMES[Level.READ])


@pytest.mark.django_db
def test_has_perm_sees_added_model_permission(user, open_case):
    assert not user.has_perm("casemgmt.view_caseinstance", open_case)

    user.user_permissions.add(view_permission())

    assert user.has_perm("casemgmt.view_caseinstance", open_case)


@pytest.mark.django_db
def test_has_perm_sees_removed_group_permission(user, group, open_case):
    user.groups.add(group)
    group.permissions.add(view_permission())
    assert user.has_perm("casemgmt.view_caseinstance", open_case)

    group.permissions.remove(view_permission())

    assert not user.has_perm("casemgmt.view_caseinstance", open_case)


@pytest.mark.django_db
def test_has_perm_sees_deleted_group(user, group, open_case):
    user.groups.add(group)
    group.permissions.add(view_permission())
    assert user.has_perm("casemgmt.view_caseinstance", open_case)

    group.delete()

    assert not user.has_perm("casemgmt.view_caseinstance", open_case)
