"""The access history in the admin: read-only, for access managers, with filters and search."""

import datetime

import pytest
from django.urls import reverse
from django.utils import timezone

from grants import services
from grants.models import AccessAction, AccessEvent

CHANGELIST = reverse("admin:grants_accessevent_changelist")


def listed(response):
    return list(response.context["cl"].result_list)


@pytest.fixture
def history(staff_manager, superuser, definition, make_definition, user, group, grant):
    """Three grants by two actors on two definitions, after the membership events of the fixtures."""
    AccessEvent.objects.all().delete()
    grant(user, definition, "read")
    grant(group, make_definition(name="Insurance"), "write")
    services.set_access_control(superuser, definition, False)
    return AccessEvent.objects.all()


def test_manager_sees_history(staff_manager, history, login):
    response = login(staff_manager).get(CHANGELIST)

    assert response.status_code == 200
    assert len(listed(response)) == 3


def test_non_manager_is_refused(staff_user, history, login):
    response = login(staff_user).get(CHANGELIST)

    assert response.status_code == 403


def test_history_cannot_be_added(staff_manager, login):
    response = login(staff_manager).get(reverse("admin:grants_accessevent_add"))

    assert response.status_code == 403


def test_history_cannot_be_changed(staff_manager, history, login):
    event = history.first()
    url = reverse("admin:grants_accessevent_change", args=[event.pk])

    response = login(staff_manager).post(url, {"subject_name": "someone else", "action": "revoked"})

    event.refresh_from_db()
    assert response.status_code == 403
    assert event.subject_name != "someone else"


def test_history_change_page_is_read_only(staff_manager, history, login):
    url = reverse("admin:grants_accessevent_change", args=[history.first().pk])

    response = login(staff_manager).get(url)

    assert response.status_code == 200
    assert response.context["has_change_permission"] is False


def test_history_cannot_be_deleted(staff_manager, history, login):
    event = history.first()
    url = reverse("admin:grants_accessevent_delete", args=[event.pk])

    response = login(staff_manager).post(url, {"post": "yes"})

    assert response.status_code == 403
    assert AccessEvent.objects.filter(pk=event.pk).exists()


def test_filter_by_actor(staff_manager, superuser, history, login):
    response = login(staff_manager).get(CHANGELIST, {"actor__id__exact": superuser.pk})

    assert [event.action for event in listed(response)] == [AccessAction.ACCESS_CONTROL_OFF]


def test_filter_by_action(staff_manager, history, login):
    response = login(staff_manager).get(CHANGELIST, {"action__exact": AccessAction.GRANTED})

    assert {event.action for event in listed(response)} == {AccessAction.GRANTED}
    assert len(listed(response)) == 2


def test_filter_by_definition(staff_manager, definition, history, login):
    response = login(staff_manager).get(CHANGELIST, {"definition__id__exact": str(definition.pk)})

    assert {event.definition_name for event in listed(response)} == {"Debt collection"}
    assert len(listed(response)) == 2


def test_filter_by_date(staff_manager, history, login):
    AccessEvent.objects.filter(action=AccessAction.ACCESS_CONTROL_OFF).update(
        occurred_at=timezone.now() - datetime.timedelta(days=30)
    )
    today = timezone.localtime().replace(hour=0, minute=0, second=0, microsecond=0)

    response = login(staff_manager).get(
        CHANGELIST, {"occurred_at__gte": str(today), "occurred_at__lt": str(today + datetime.timedelta(days=1))}
    )

    assert {event.action for event in listed(response)} == {AccessAction.GRANTED}


def test_search_by_subject(staff_manager, history, login):
    response = login(staff_manager).get(CHANGELIST, {"q": "Debt control"})

    assert [event.subject_name for event in listed(response)] == ["Debt control"]


def test_events_of_unreadable_cases_are_hidden(staff_manager, superuser, case, user, login):
    services.grant(superuser, user, case, "read")

    response = login(staff_manager).get(CHANGELIST, {"q": "ulla"})

    assert case.number not in response.content.decode()
    assert not [event for event in listed(response) if event.case_id == case.pk]


def test_events_of_deleted_cases_stay(staff_manager, superuser, case, user, login):
    services.grant(superuser, user, case, "read")
    number = case.number
    case.delete()

    response = login(staff_manager).get(CHANGELIST, {"q": "ulla"})

    assert number in response.content.decode()
