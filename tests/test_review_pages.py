"""The access review pages: the case's Access section, the access checker and a user's access page."""

import uuid

import factory.random
import pytest
from django.contrib.auth.models import Permission
from django.urls import reverse

from grants.levels import Level

pytestmark = pytest.mark.django_db


@pytest.fixture(autouse=True)
def fixed_fake_names():
    """Seed factory-boy's Faker, so that the finders' partial matches see the same names every run."""
    factory.random.reseed_random("review pages")


@pytest.fixture
def manager_client(client, manager):
    client.force_login(manager)
    return client


@pytest.fixture
def user_client(client, user):
    client.force_login(user)
    return client


def case_access_url(case):
    return reverse("review-case-access", args=[case.pk])


def user_access_url(user):
    return reverse("review-user-access", args=[user.pk])


# Who may see the pages


@pytest.mark.parametrize("name", ["review-checker", "review-users"])
def test_pages_forbidden_to_non_manager(user_client, name):
    assert user_client.get(reverse(name)).status_code == 403


def test_case_access_forbidden_to_non_manager(user_client, user, case, grant):
    grant(user, case, "write")

    assert user_client.get(case_access_url(case)).status_code == 403


def test_user_access_forbidden_to_non_manager(user_client, user):
    assert user_client.get(user_access_url(user)).status_code == 403


def test_pages_send_anonymous_to_login(client, case, user):
    for url in (reverse("review-checker"), case_access_url(case), user_access_url(user)):
        response = client.get(url)
        assert response.status_code == 302, url
        assert response["Location"].startswith(reverse("login")), url


def test_case_access_unknown_uuid_404(manager_client):
    assert manager_client.get(reverse("review-case-access", args=[uuid.uuid4()])).status_code == 404


def test_user_access_unknown_user_404(manager_client):
    assert manager_client.get(reverse("review-user-access", args=[987654])).status_code == 404


def test_user_access_huge_id_404(manager_client):
    assert manager_client.get(f"/access/review/users/{'9' * 30}/").status_code == 404


def test_pages_reject_post(manager_client):
    assert manager_client.post(reverse("review-checker")).status_code == 405


# The case's Access section


def test_case_page_shows_access_section_to_manager(manager_client, manager, case, definition, grant):
    grant(manager, definition, "read")

    response = manager_client.get(case.get_absolute_url())

    assert response.status_code == 200
    assert b'id="effective-access"' in response.content
    assert b'id="inherited-grants"' in response.content


def test_case_page_hides_access_section_from_reader(user_client, user, case, grant):
    grant(user, case, "write")

    response = user_client.get(case.get_absolute_url())

    assert response.status_code == 200
    assert b'id="effective-access"' not in response.content
    assert b"Grants on this case" not in response.content


def test_section_lists_case_grants(manager_client, user, group, case, grant):
    grant(user, case, "read")
    grant(group, case, "write")

    response = manager_client.get(case_access_url(case))

    rows = [row.label for row in response.context["grant_rows"]]
    assert rows == [user.get_full_name() + " (ulla)", "Debt control"]
    assert reverse("grant-revoke", args=["cases", case.pk, f"user-{user.pk}"]).encode() in response.content
    assert reverse("grant-change-level", args=["cases", case.pk, f"group-{group.pk}"]).encode() in response.content


def test_section_marks_inherited_grants(manager_client, group, case, definition, grant):
    grant(group, definition, "write")

    response = manager_client.get(case_access_url(case))

    inherited = response.context["inherited_grants"]
    assert [grant_row.group for grant_row in inherited] == [group]
    section = response.content.decode().split('id="inherited-grants"')[1].split("</section>")[0]
    assert "inherited" in section
    assert f'href="{definition.get_absolute_url()}#grants"' in section


def test_effective_access_lists_reasons(manager_client, user, other_user, group, case, definition, grant):
    other_user.groups.add(group)
    grant(user, case, "read")
    grant(group, definition, "write")

    response = manager_client.get(case_access_url(case))

    explanations = response.context["effective_access"].explanations
    assert [explanation.user.username for explanation in explanations] == ["ulla", "viktor"]
    assert [explanation.level for explanation in explanations] == [Level.READ, Level.WRITE]
    content = response.content.decode()
    assert "Own grant on this case" in content
    assert "Grant of group Debt control on the definition" in content


def test_effective_access_paginates(manager_client, group, case, grant, make_user):
    group.user_set.add(*[make_user(username=f"member{index:02d}") for index in range(30)])
    grant(group, case, "read")

    first = manager_client.get(case_access_url(case))
    second = manager_client.get(case_access_url(case), {"access_page": 2})

    assert len(first.context["effective_access"].explanations) == 25
    assert [e.user.username for e in second.context["effective_access"].explanations] == [
        f"member{index:02d}" for index in range(25, 30)
    ]
    assert b"access_page=2" in first.content


def test_effective_access_bad_page_shows_first(manager_client, user, case, grant):
    grant(user, case, "read")

    response = manager_client.get(case_access_url(case), {"access_page": "x'<"})

    assert response.status_code == 200
    assert response.context["effective_access"].number == 1


def test_section_finder_matches_on_same_page(manager_client, user, case):
    response = manager_client.get(case_access_url(case), {"q": "ull"})

    assert [match.subject for match in response.context["subject_matches"]] == [user]
    assert b'name="next" value="' + case_access_url(case).encode() + b'#access"' in response.content


def test_grant_from_section_returns_to_it(manager_client, user, case):
    next_url = case_access_url(case) + "#access"

    response = manager_client.post(
        reverse("grant-create", args=["cases", case.pk]),
        {"subject": f"user-{user.pk}", "level": "read", "next": next_url},
    )

    assert response.status_code == 302
    assert response["Location"] == next_url
    assert case.user_grants.get().user == user


def test_case_access_query_count_fixed(manager_client, group, case, definition, grant, make_user,
                                       django_assert_max_num_queries):
    def count_queries():
        from django.db import connection
        from django.test.utils import CaptureQueriesContext

        with CaptureQueriesContext(connection) as captured:
            assert manager_client.get(case_access_url(case)).status_code == 200
        return len(captured)

    group.user_set.add(*[make_user() for _index in range(3)])
    grant(group, definition, "read")
    few = count_queries()
    group.user_set.add(*[make_user() for _index in range(30)])

    assert count_queries() == few


# The access checker


def test_checker_explains_exact_user_and_case(manager_client, user, case, grant):
    grant(user, case, "read")

    response = manager_client.get(reverse("review-checker"), {"user": "ULLA", "case": case.number.lower()})

    explanation = response.context["explanation"]
    assert explanation.user == user
    assert explanation.case == case
    assert explanation.level == Level.READ
    assert "Own grant on this case" in response.content.decode()


def test_checker_shows_reason_without_access(manager_client, user, case):
    response = manager_client.get(reverse("review-checker"), {"user": "ulla", "case": case.number})

    assert response.context["explanation"].level == Level.NONE
    assert "no grant reaches this user" in response.content.decode()


def test_checker_single_partial_match_is_picked(manager_client, user, case):
    response = manager_client.get(reverse("review-checker"), {"user": "ull", "case": "4411"})

    assert response.context["user_lookup"].found == user
    assert response.context["case_lookup"].found == case


def test_checker_lists_several_matches(manager_client, case, make_case, make_user):
    second = make_case(definition=case.definition)
    clerks = [make_user(username="clerk1", first_name="A", last_name="B"), make_user(username="clerk2")]

    response = manager_client.get(reverse("review-checker"), {"user": "clerk", "case": "DEBT"})

    assert response.context["explanation"] is None
    assert response.context["user_lookup"].matches == clerks
    assert response.context["case_lookup"].matches == [case, second]
    assert f"?case={second.number}&amp;user=clerk".encode() in response.content


def test_checker_caps_matches(manager_client, make_user):
    for index in range(25):
        make_user(username=f"clerk{index:02d}")

    response = manager_client.get(reverse("review-checker"), {"user": "clerk"})

    lookup = response.context["user_lookup"]
    assert len(lookup.matches) == 20
    assert lookup.more
    assert b"Only the first 20 matches are shown" in response.content


def test_checker_unknown_user_names_value(manager_client, case):
    response = manager_client.get(reverse("review-checker"), {"user": "nobody<x>", "case": case.number})

    assert response.status_code == 400
    assert "No user matches “nobody&lt;x&gt;”" in response.content.decode()


def test_checker_unknown_case_names_value(manager_client, user):
    response = manager_client.get(reverse("review-checker"), {"user": "ulla", "case": "FRAUD-9"})

    assert response.status_code == 400
    assert "No case matches “FRAUD-9”" in response.content.decode()


def test_checker_explains_inactive_user(manager_client, user, case, grant):
    grant(user, case, "write")
    user.is_active = False
    user.save()

    response = manager_client.get(reverse("review-checker"), {"user": "ulla", "case": case.number})

    assert response.context["explanation"].level == Level.NONE
    assert "inactive" in response.content.decode()


def test_checker_empty_form_is_fine(manager_client):
    response = manager_client.get(reverse("review-checker"))

    assert response.status_code == 200
    assert response.context["explanation"] is None


# A user's access


def test_user_access_lists_definitions_and_cases(manager_client, user, group, case, definition, grant,
                                                 make_definition, make_case):
    fraud = make_definition(name="Fraud")
    single = make_case(definition=fraud)
    user.groups.add(group)
    grant(group, definition, "read")
    grant(user, single, "write")

    response = manager_client.get(user_access_url(user))

    assert [access.definition for access in response.context["summary"].definitions] == [definition]
    assert [explanation.case for explanation in response.context["cases_page"].explanations] == [single]
    content = response.content.decode()
    assert "Grant of group Debt control on the definition" in content
    assert "Own grant on this case" in content
    assert case_access_url(single) in content


def test_user_access_lists_model_permissions(manager_client, user, definition):
    definition.access_controlled = False
    definition.save()
    user.user_permissions.add(Permission.objects.get(codename="view_caseinstance"))

    response = manager_client.get(user_access_url(user))

    assert "Model permission (access control off)" in response.content.decode()


def test_user_access_without_access_says_so(manager_client, user):
    response = manager_client.get(user_access_url(user))

    assert "No grant or model permission gives this user access." in response.content.decode()


def test_user_list_finds_by_name(manager_client, user, other_user):
    response = manager_client.get(reverse("review-users"), {"q": "vik"})

    assert response.context["lookup"].found == other_user
    assert user_access_url(other_user).encode() in response.content


def test_user_list_unknown_names_value(manager_client):
    response = manager_client.get(reverse("review-users"), {"q": "zzz"})

    assert response.status_code == 400
    assert "No user matches “zzz”" in response.content.decode()


# Navigation


def test_nav_links_for_manager_only(manager_client, client, user):
    content = manager_client.get(reverse("review-users")).content.decode()
    assert reverse("review-checker") in content

    client.force_login(user)
    content = client.get(reverse("my-cases")).content.decode()
    assert reverse("review-checker") not in content
    assert reverse("review-users") not in content


def test_definition_page_links_review_pages(manager_client, definition):
    content = manager_client.get(definition.get_absolute_url()).content.decode()

    assert reverse("review-checker") in content
    assert reverse("review-users") in content


def test_case_grants_page_links_effective_access(manager_client, case):
    content = manager_client.get(reverse("target-grants", args=["cases", case.pk])).content.decode()

    assert case_access_url(case) + "#effective-access" in content


@pytest.mark.parametrize("param", ["user", "case"])
def test_checker_rejects_null_character(manager_client, param):
    response = manager_client.get(reverse("review-checker"), {param: "ul\x00la"})

    assert response.status_code == 400
    assert "Null characters are not allowed." in response.content.decode()


def test_user_list_rejects_null_character(manager_client):
    assert manager_client.get(reverse("review-users"), {"q": "\x00"}).status_code == 400


def test_section_finder_null_character_harmless(manager_client, case):
    assert manager_client.get(case_access_url(case), {"q": "\x00"}).status_code == 200


def test_checker_rejects_too_long_text(manager_client):
    response = manager_client.get(reverse("review-checker"), {"user": "u" * 151})

    assert response.status_code == 400
    assert "at most 150 characters" in response.content.decode()


def test_user_access_lists_groups(manager_client, user, group, make_group):
    user.groups.add(group, make_group(name="Auditors"))

    response = manager_client.get(user_access_url(user))

    groups_line = response.content.decode().split('id="user-groups">')[1].split("</p>")[0]
    assert "Auditors, Debt control" in groups_line


def test_change_level_from_section_returns_to_it(manager_client, user, case, grant):
    grant(user, case, "read")
    next_url = case_access_url(case) + "#access"

    response = manager_client.post(
        reverse("grant-change-level", args=["cases", case.pk, f"user-{user.pk}"]),
        {"level": "write", "next": next_url},
    )

    assert response["Location"] == next_url
    assert case.user_grants.get().level == Level.WRITE


def test_revoke_from_section_returns_to_it(manager_client, user, case, grant):
    grant(user, case, "read")
    next_url = case_access_url(case) + "#access"
    revoke_url = reverse("grant-revoke", args=["cases", case.pk, f"user-{user.pk}"])

    confirm = manager_client.get(revoke_url, {"next": next_url})
    response = manager_client.post(revoke_url, {"next": next_url})

    assert f'value="{next_url}"'.encode() in confirm.content
    assert response["Location"] == next_url
    assert not case.user_grants.exists()


def test_user_access_query_count_fixed(manager_client, user, group, definition, grant, make_case):
    def count_queries():
        from django.db import connection
        from django.test.utils import CaptureQueriesContext

        with CaptureQueriesContext(connection) as captured:
            assert manager_client.get(user_access_url(user)).status_code == 200
        return len(captured)

    user.groups.add(group)
    grant(group, definition, "read")
    for case in make_case.create_batch(3, definition=definition):
        grant(user, case, "write")
    few = count_queries()
    for case in make_case.create_batch(30, definition=definition):
        grant(group, case, "write")

    assert count_queries() == few


def test_tag_renders_nothing_for_non_manager(rf, user, case, grant):
    from django.template import Context, Template

    grant(user, case, "write")
    request = rf.get(case.get_absolute_url())
    request.user = user

    html = Template("{% load case_access %}{% case_access case %}").render(Context({"request": request, "case": case}))

    assert html.strip() == ""


def test_tag_renders_section_for_manager(rf, manager, case):
    from django.template import Context, Template

    request = rf.get(case.get_absolute_url())
    request.user = manager

    html = Template("{% load case_access %}{% case_access case %}").render(Context({"request": request, "case": case}))

    assert 'id="effective-access"' in html


def test_user_access_shows_history(manager_client, user, group, case, grant):
    grant(user, case, "read")
    user.groups.add(group)
    user.is_active = False
    user.save()

    response = manager_client.get(user_access_url(user))

    history = response.content.decode().split('id="history"')[1].split("</section>")[0]
    assert [event.action for event in response.context["history_page"]] == [
        "user_deactivated", "member_added", "granted"
    ]
    assert "Group: Debt control" in history
    assert case.number in history


def test_user_access_page_links_keep_other_page(manager_client, user, case, grant, make_case):
    for other in make_case.create_batch(26, definition=case.definition):
        grant(user, other, "read")

    response = manager_client.get(user_access_url(user), {"history_page": 2})

    assert b"?history_page=2&amp;page=2" in response.content


def test_user_access_lists_idle_grants(manager_client, user, case, definition, grant):
    grant(user, case, "write")
    definition.access_controlled = False
    definition.save()

    response = manager_client.get(user_access_url(user))

    head, body = response.content.decode().split("<body", 1)
    section = body.split('id="idle-grants"')[1].split("</section>")[0]
    assert 'id="idle-grants"' not in head
    assert case_access_url(case) in section
    assert "Own grant on this case" in section


def test_user_access_title_is_short(manager_client, user):
    response = manager_client.get(user_access_url(user))

    title = response.content.decode().split("<title>")[1].split("</title>")[0]
    assert len(title) < 100
