"""The case admin shows and changes cases as the access policy allows, for staff who are not superusers."""

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.urls import reverse

from casemgmt.models import CaseInstance
from grants.levels import Level
from grants.models import AccessAction, AccessEvent

from .post_data import grant_inline_data

CHANGELIST = reverse("admin:casemgmt_caseinstance_changelist")


def change_url(case):
    return reverse("admin:casemgmt_caseinstance_change", args=[case.pk])


@pytest.fixture
def reader(staff_user, case, grant):
    grant(staff_user, case, "read")
    return staff_user


@pytest.fixture
def writer(staff_user, case, grant):
    grant(staff_user, case, "write")
    return staff_user


@pytest.fixture
def hidden_case(make_case, make_definition):
    return make_case(definition=make_definition(name="Fraud"), title="Secret inquiry")


def test_changelist_lists_readable_cases_only(reader, case, hidden_case, login):
    response = login(reader).get(CHANGELIST)

    assert response.status_code == 200
    assert case.number in response.content.decode()
    assert hidden_case.number not in response.content.decode()


def test_changelist_search_skips_unreadable_cases(reader, hidden_case, login):
    response = login(reader).get(CHANGELIST, {"q": hidden_case.title})

    assert hidden_case.number not in response.content.decode()


def test_reader_gets_read_only_change_page(reader, case, login):
    response = login(reader).get(change_url(case))

    assert response.status_code == 200
    assert response.context["has_change_permission"] is False
    assert 'name="title"' not in response.content.decode()


def test_reader_cannot_post_change(reader, case, login):
    response = login(reader).post(change_url(case), {"title": "Renamed", "status": "open", "priority": "normal"})

    case.refresh_from_db()
    assert response.status_code == 403
    assert case.title == "Unpaid invoice 4411"


def test_writer_changes_case(writer, case, login):
    response = login(writer).post(change_url(case), {"title": "Renamed", "status": "closed", "priority": "high"})

    case.refresh_from_db()
    assert response.status_code == 302
    assert case.title == "Renamed"
    assert case.status == "closed"


def test_writer_cannot_move_case(writer, case, make_definition, login):
    other = make_definition(name="Insurance")

    login(writer).post(
        change_url(case), {"definition": other.pk, "title": case.title, "status": "open", "priority": "normal"}
    )

    case.refresh_from_db()
    assert case.definition_id != other.pk


@pytest.mark.parametrize("page", ["change", "history", "delete"])
def test_unreadable_case_page_is_refused(staff_user, case, login, page):
    url = reverse(f"admin:casemgmt_caseinstance_{page}", args=[case.pk])

    response = login(staff_user).get(url, follow=True)

    assert response.redirect_chain == [(reverse("admin:index"), 302)]
    assert "doesn’t exist" in response.content.decode()
    assert case.title not in response.content.decode()


def test_unreadable_case_like_unknown_id(staff_user, case, login):
    client = login(staff_user)

    known = client.get(change_url(case))
    unknown = client.get(reverse("admin:casemgmt_caseinstance_change", args=["7d3c4a52-1f7e-4c55-9a54-05d1b0ab0d11"]))

    assert known.status_code == unknown.status_code == 302
    assert known["Location"] == unknown["Location"]


def test_unreadable_case_cannot_be_posted(staff_user, case, login):
    login(staff_user).post(change_url(case), {"title": "Taken over", "status": "open", "priority": "normal"})

    case.refresh_from_db()
    assert case.title == "Unpaid invoice 4411"


def test_reader_cannot_delete_case(reader, case, login):
    response = login(reader).post(reverse("admin:casemgmt_caseinstance_delete", args=[case.pk]), {"post": "yes"})

    assert response.status_code == 403
    assert CaseInstance.objects.filter(pk=case.pk).exists()


def test_reader_cannot_bulk_delete_case(reader, case, login):
    login(reader).post(CHANGELIST, {"action": "delete_selected", "_selected_action": [case.pk], "post": "yes"})

    assert CaseInstance.objects.filter(pk=case.pk).exists()


def test_writer_deletes_case_with_grants(writer, case, login):
    response = login(writer).post(reverse("admin:casemgmt_caseinstance_delete", args=[case.pk]), {"post": "yes"})

    assert response.status_code == 302
    assert not CaseInstance.objects.filter(pk=case.pk).exists()


def test_definition_filter_offers_visible_definitions(reader, case, hidden_case, login):
    response = login(reader).get(CHANGELIST)

    filter_spec = next(spec for spec in response.context["cl"].filter_specs if spec.parameter_name == "definition")
    offered = [name for _pk, name in filter_spec.lookup_choices]
    assert offered == [case.definition.name]


def test_definition_filter_narrows_list(superuser, case, hidden_case, login):
    response = login(superuser).get(CHANGELIST, {"definition": str(hidden_case.definition_id)})

    assert hidden_case.number in response.content.decode()
    assert case.number not in response.content.decode()


def test_autocomplete_returns_readable_cases_only(reader, case, hidden_case, login):
    response = login(reader).get(
        reverse("admin:autocomplete"),
        {"app_label": "grants", "model_name": "caseusergrant", "field_name": "content_object", "term": ""},
    )

    assert response.status_code == 200
    ids = [result["id"] for result in response.json()["results"]]
    assert ids == [str(case.pk)]


def test_autocomplete_search_skips_unreadable_cases(reader, hidden_case, login):
    response = login(reader).get(
        reverse("admin:autocomplete"),
        {"app_label": "grants", "model_name": "caseusergrant", "field_name": "content_object", "term": "Secret"},
    )

    assert response.json()["results"] == []


def test_add_form_offers_writable_definitions(writer, definition, make_definition, grant, login):
    readable_only = make_definition(name="Insurance")
    writable = make_definition(name="Pensions")
    grant(writer, readable_only, "read")
    grant(writer, writable, "write")
    writer.user_permissions.add(*_permissions("add_caseinstance"))

    response = login(writer).get(reverse("admin:casemgmt_caseinstance_add"))

    offered = list(response.context["adminform"].form.fields["definition"].queryset)
    assert offered == [writable]


def test_add_records_creator(superuser, definition, login):
    response = login(superuser).post(
        reverse("admin:casemgmt_caseinstance_add"),
        {"definition": definition.pk, "title": "New claim", "status": "open", "priority": "normal"}
        | grant_inline_data(),
    )

    created = CaseInstance.objects.get(title="New claim")
    assert response.status_code == 302
    assert created.created_by == superuser
    assert created.number.startswith("DEBT-")


def test_changelist_shows_access_level(reader, case, login):
    response = login(reader).get(CHANGELIST)

    assert response.context["cl"].result_list[0].access_level == 1
    assert "Read" in response.content.decode()


def _permissions(*codenames):
    from django.contrib.auth.models import Permission

    return Permission.objects.filter(content_type__app_label="casemgmt", codename__in=codenames)


def test_case_inline_grants_through_services(superuser, case, user, login):
    data = {"title": case.title, "status": "open", "priority": "normal"}
    data.update(grant_inline_data(user_rows=[{"user": user.pk, "level": "read"}]))

    response = login(superuser).post(change_url(case), data)

    assert response.status_code == 302
    event = AccessEvent.objects.get(action=AccessAction.GRANTED)
    assert (event.actor, event.subject_user, event.case, event.new_level) == (superuser, user, case, Level.READ)


def test_case_inlines_hidden_from_writer(writer, case, login):
    response = login(writer).get(change_url(case))

    assert response.context["inline_admin_formsets"] == []


def test_changelist_queries_are_fixed(reader, definition, make_case, grant, login):
    client = login(reader)
    grant(reader, definition, "read")
    client.get(CHANGELIST)
    with CaptureQueriesContext(connection) as one_case:
        client.get(CHANGELIST)

    make_case.create_batch(5, definition=definition)
    with CaptureQueriesContext(connection) as six_cases:
        response = client.get(CHANGELIST)

    assert len(response.context["cl"].result_list) == 6
    assert len(six_cases) == len(one_case)
