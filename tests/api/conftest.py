"""A small world for the API tests: one definition, one case, and a user for every role.

Clients authenticate with real tokens through TokenAuthentication, as REST consumers do.
"""

from dataclasses import dataclass

import pytest
from django.contrib.auth.models import Group
from rest_framework.authtoken.models import Token
from rest_framework.test import APIClient

from casemgmt.models import CaseDefinition, CaseInstance

ROLES = ["superuser", "manager", "writer", "reader", "outsider", "inactive", "anonymous"]


@dataclass
class World:
    definition: CaseDefinition
    case: CaseInstance
    users: dict
    auditors: Group

    def client(self, role):
        """Return an API client that authenticates as `role` with a token, or anonymously."""
        user = self.users[role]
        return APIClient() if user is None else token_client(user)


@pytest.fixture
def world(superuser, manager, definition, case, grant, make_user, make_group):
    """Writer and reader hold definition grants; Auditors (no members) hold a read grant on the case."""
    writer = make_user(username="wanda")
    reader = make_user(username="rita")
    outsider = make_user(username="otto")
    inactive = make_user(username="ingo")
    auditors = make_group(name="Auditors")

    grant(writer, definition, "write")
    grant(reader, definition, "read")
    grant(inactive, definition, "read")
    grant(auditors, case, "read")
    inactive.is_active = False
    inactive.save()

    users = {
        "superuser": superuser,
        "manager": manager,
        "writer": writer,
        "reader": reader,
        "outsider": outsider,
        "inactive": inactive,
        "anonymous": None,
    }
    return World(definition=definition, case=case, users=users, auditors=auditors)


@pytest.fixture
def manager_client(world):
    return world.client("manager")


def token_client(user):
    client = APIClient()
    token, _created = Token.objects.get_or_create(user=user)
    client.credentials(HTTP_AUTHORIZATION=f"Token {token.key}")
    return client

