"""My cases and the case page: what each user sees and may change, decided by the access policy."""

import re

import pytest
from django.urls import reverse

from casemgmt.models import CaseStatus

pytestmark = pytest.mark.django_db

UNKNOWN_UUID = "00000000-0000-4000-8000-000000000000"


def without_csrf_token(response):
    """Return the page without its CSRF token, which is masked anew on every response."""
    return re.sub(r'name="csrfmiddlewaretoken" value="[^"]+"', "", response.content.decode())


# My cases


def test_my_cases_lists_readable_cases_only(client, user, definition, make_case, make_definition, grant):
    readable = make_case(definition=definition, title="Readable")
    make_case(definition=make_definition(), title="Hidden")
    grant(user, definition, "read")
    client.force_login(user)

    response = client.get(reverse("my-cases"))

    assert list(response.context["page"].object_list) == [readable]
    assert "Hidden" not in response.content.decode()


def test_my_cases_shows_level(client, user, definition, make_case, grant):
    written = make_case(definition=definition)
    read_only = make_case(definition=definition)
    grant(user, definition, "read")
    grant(user, written, "write")
    client.force_login(user)

    response = client.get(reverse("my-cases"))

    levels = {case.pk: case.access_level for case in response.context["page"].object_list}
    assert levels == {written.pk: 2, read_only.pk: 1}


def test_my_cases_filters_by_definition(client, user, definition, make_case, make_definition, grant):
    other = make_definition(name="Fraud")
    wanted = make_case(definition=definition)
    make_case(definition=other)
    grant(user, definition, "read")
    grant(user, other, "read")
    client.force_login(user)

    response = client.get(reverse("my-cases"), {"definition": definition.pk})

    assert list(response.context["page"].object_list) == [wanted]


def test_my_cases_filters_by_status(client, user, definition, make_case, grant):
    closed = make_case(definition=definition, status=CaseStatus.CLOSED)
    make_case(definition=definition)
    grant(user, definition, "read")
    client.force_login(user)

    response = client.get(reverse("my-cases"), {"status": "closed"})

    assert list(response.context["page"].object_list) == [closed]


def test_my_cases_searches_number_and_title(client, user, definition, make_case, grant):
    by_title = make_case(definition=definition, title="Unpaid invoice 4411")
    other = make_case(definition=definition, title="Something else")
    grant(user, definition, "read")
    client.force_login(user)

    by_title_response = client.get(reverse("my-cases"), {"q": "invoice"})
    by_number_response = client.get(reverse("my-cases"), {"q": other.number.lower()})

    assert list(by_title_response.context["page"].object_list) == [by_title]
    assert list(by_number_response.context["page"].object_list) == [other]


def test_my_cases_rejects_unknown_definition(client, user, definition, make_definition, grant):
    hidden = make_definition(name="Fraud")
    grant(user, definition, "read")
    client.force_login(user)

    response = client.get(reverse("my-cases"), {"definition": hidden.pk})

    assert f"{hidden.pk} is not a definition you can see." in response.content.decode()
    assert "Fraud" not in response.content.decode()


def test_my_cases_pages_by_50(client, user, definition, make_case, grant):
    make_case.create_batch(51, definition=definition)
    grant(user, definition, "read")
    client.force_login(user)

    first = client.get(reverse("my-cases"))
    second = client.get(reverse("my-cases"), {"page": 2})

    assert len(first.context["page"].object_list) == 50
    assert len(second.context["page"].object_list) == 1


def test_my_cases_needs_login(client):
    response = client.get(reverse("my-cases"))

    assert response.status_code == 302
    assert response.url.startswith(reverse("login"))


# Case page


def test_case_page_shows_fields(client, user, case, definition, grant):
    grant(user, definition, "read")
    client.force_login(user)

    response = client.get(case.get_absolute_url())

    page = response.content.decode()
    assert response.status_code == 200
    for text in [case.number, "Unpaid invoice 4411", "Debt collection", "Open", "Normal"]:
        assert text in page


def test_unreadable_case_is_404(client, user, case):
    client.force_login(user)

    unreadable = client.get(case.get_absolute_url())
    unknown = client.get(reverse("case-detail", args=[UNKNOWN_UUID]))

    assert unreadable.status_code == 404
    assert unknown.status_code == 404
    assert without_csrf_token(unreadable) == without_csrf_token(unknown)


def test_unreadable_case_post_is_404(client, user, case):
    client.force_login(user)

    response = client.post(case.get_absolute_url(), {"status": "closed", "priority": "high"})

    assert response.status_code == 404
    case.refresh_from_db()
    assert case.status == CaseStatus.OPEN


def test_read_user_sees_no_form(client, user, case, definition, grant):
    grant(user, definition, "read")
    client.force_login(user)

    response = client.get(case.get_absolute_url())

    assert response.context["form"] is None
    assert "you can see it but not change it" in response.content.decode()


def test_read_user_post_is_403(client, user, case, definition, grant):
    grant(user, definition, "read")
    client.force_login(user)

    response = client.post(case.get_absolute_url(), {"status": "closed", "priority": "high"})

    assert response.status_code == 403
    case.refresh_from_db()
    assert (case.status, case.priority) == ("open", "normal")


def test_write_user_changes_status(client, user, case, definition, grant):
    grant(user, definition, "write")
    client.force_login(user)

    response = client.post(case.get_absolute_url(), {"status": "in_progress", "priority": "urgent"})

    assert response.status_code == 302
    case.refresh_from_db()
    assert (case.status, case.priority) == ("in_progress", "urgent")


def test_write_user_bad_status_is_rejected(client, user, case, definition, grant):
    grant(user, definition, "write")
    client.force_login(user)

    response = client.post(case.get_absolute_url(), {"status": "lost", "priority": "high"})

    assert response.status_code == 400
    assert "lost is not a status." in response.content.decode()
    assert response.context["case"].priority == "normal"
    case.refresh_from_db()
    assert (case.status, case.priority) == ("open", "normal")


def test_access_section_for_managers_only(client, manager, user, case, definition, grant):
    grant(user, definition, "read")
    client.force_login(user)
    assert 'id="access"' not in client.get(case.get_absolute_url()).content.decode()

    grant(manager, definition, "read")
    client.force_login(manager)
    assert 'id="access"' in client.get(case.get_absolute_url()).content.decode()


# Logging in and out


def test_login_redirects_to_my_cases(client, user):
    response = client.post(reverse("login"), {"username": "ulla", "password": "secret-pass-123"})

    assert response.status_code == 302
    assert response.url == reverse("my-cases")


def test_login_rejects_wrong_password(client, user):
    response = client.post(reverse("login"), {"username": "ulla", "password": "wrong"})

    assert response.status_code == 200
    assert "_auth_user_id" not in client.session


def test_logout_needs_post(client, user):
    client.force_login(user)

    assert client.get(reverse("logout")).status_code == 405
    assert client.post(reverse("logout")).status_code == 302
    assert "_auth_user_id" not in client.session
