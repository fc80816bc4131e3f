"""factory-boy factories for the smallest worlds that tests need."""

import factory
from django.contrib.auth.models import Group

from casemgmt.models import CaseDefinition, CaseInstance, User


class UserFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = User
        django_get_or_create = ("username",)

    username = factory.Sequence(lambda n: f"user{n}")
    first_name = factory.Faker("first_name")
    last_name = factory.Faker("last_name")
    password = factory.django.Password("secret-pass-123")


class GroupFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = Group
        django_get_or_create = ("name",)

    name = factory.Sequence(lambda n: f"Group {n}")


class DefinitionFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = CaseDefinition

    name = factory.Sequence(lambda n: f"Definition {n}")
    case_prefix = factory.Sequence(lambda n: f"D{n}")
    access_controlled = True


class CaseFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = CaseInstance

    definition = factory.SubFactory(DefinitionFactory)
    title = factory.Sequence(lambda n: f"Case {n}")
