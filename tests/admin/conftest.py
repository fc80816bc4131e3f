"""Fixtures for the admin tests: staff users of each kind and a client signed in as one of them."""

import pytest
from django.test import Client

from tests.factories import UserFactory


@pytest.fixture
def staff_manager(manager):
    """The access manager of the shared fixtures, with access to the admin site."""
    manager.is_staff = True
    manager.save(update_fields=["is_staff"])
    return manager


@pytest.fixture
def staff_user(db):
    """A staff user with no grant and no model permission."""
    return UserFactory(username="stella", is_staff=True)


@pytest.fixture
def login():
    """Return a test client signed in as the given user."""

    def make_client(user):
        client = Client()
        client.force_login(user)
        return client

    return make_client

