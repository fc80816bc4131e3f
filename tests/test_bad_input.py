"""Hostile and broken input on every form, API endpoint, admin action and management command.

Each row of the table sends one bad input and states the status and the words the message must
contain: the rejected value, or the limit, and what to do next. Every row also checks that no grant,
access record, definition, case, user or group changed.
"""

import html
from dataclasses import dataclass, field
from io import StringIO

import pytest
from django.contrib.sessions.models import Session
from django.core.management import CommandError, call_command
from django.db import connection
from django.test import Client
from rest_framework.test import APIClient

from grants.models import AccessEvent
from tests.admin.post_data import grant_inline_data
from tests.scenarios.conftest import api_client, page_client, snapshot

pytestmark = pytest.mark.django_db

HOSTILE = "<script>alert(1)</script> Ünïcödé"
ESCAPED = "&lt;script&gt;alert(1)&lt;/script&gt; Ünïcödé"
OVERSIZED = "x" * 5000
UNKNOWN_UUID = "00000000-0000-4000-8000-000000000000"


@dataclass
class Context:
    manager: object
    superuser: object
    user: object
    inactive: object
    group: object
    definition: object
    case: object
    extra: dict = field(default_factory=dict)

    def url(self, template):
        return template.format(
            d=self.definition.pk, c=self.case.pk, u=self.user.pk, i=self.inactive.pk, g=self.group.pk,
            unknown=UNKNOWN_UUID,
        )


@pytest.fixture
def ctx(manager, superuser, user, group, definition, case, make_user, grant):
    manager.is_staff = True
    manager.save(update_fields=["is_staff"])
    inactive = make_user(username="ingrid", is_active=False)
    grant(user, definition, "read")
    return Context(manager, superuser, user, inactive, group, definition, case)


@dataclass
class Outcome:
    status: int
    text: str


def page_outcome(response):
    text = html.unescape(response.content.decode())
    if "Location" in response.headers:
        text = f"Location: {response.headers['Location']}\n{text}"
    return Outcome(response.status_code, text)


def api_outcome(response):
    text = response.content.decode()
    if response.get("Content-Type", "").startswith("application/json") and text:
        text = "\n".join(messages_in(response.json()))
    return Outcome(response.status_code, text)


def messages_in(data):
    """Yield every string of a JSON error body, so that checks read messages without JSON escapes."""
    if isinstance(data, dict):
        for value in data.values():
            yield from messages_in(value)
    elif isinstance(data, list):
        for value in data:
            yield from messages_in(value)
    else:
        yield str(data)


def command_outcome(*args):
    try:
        call_command(*args, stdout=StringIO(), stderr=StringIO())
    except CommandError as error:
        return Outcome(1, str(error))
    except SystemExit as error:  # argparse exits on a bad option when the command runs outside call_command.
        return Outcome(2, str(error))
    return Outcome(0, "")


# The table: (row id, function that sends the input, expected status, words the message must contain)

ROWS = []


def row(row_id, status, *says, prepare=None):
    """Add a row. `says` may name ids as {u}, {i}, {g}, {d} or {c}; `prepare` runs before the snapshot."""

    def register(send):
        ROWS.append(pytest.param(send, status, says, prepare, id=row_id))
        return send

    return register


# Pages: the grant forms, the access-control switch, the case form and the finders


def post_page(ctx, template, data, user=None):
    return page_outcome(page_client(user or ctx.manager).post(ctx.url(template), data))


GRANT_NEW = "/access/definitions/{d}/grants/new/"


@row("page grant malformed subject key", 400, "user-abc", "Find one by name")
def _(ctx):
    return post_page(ctx, GRANT_NEW, {"subject": "user-abc", "level": "read"})


@row("page grant unknown user", 400, "user-999999", "No user or group", "Find one by name")
def _(ctx):
    return post_page(ctx, GRANT_NEW, {"subject": "user-999999", "level": "read"})


@row("page grant unknown group", 400, "group-999999", "No user or group")
def _(ctx):
    return post_page(ctx, GRANT_NEW, {"subject": "group-999999", "level": "read"})


@row("page grant inactive user", 400, "ingrid", "inactive", "Activate the user")
def _(ctx):
    return post_page(ctx, GRANT_NEW, {"subject": f"user-{ctx.inactive.pk}", "level": "read"})


@row("page grant unknown level", 400, "owner is not a level", "Choose read or write")
def _(ctx):
    return post_page(ctx, GRANT_NEW, {"subject": f"group-{ctx.group.pk}", "level": "owner"})


@row("page grant empty subject", 400, "Pick a user or group")
def _(ctx):
    return post_page(ctx, GRANT_NEW, {"subject": "", "level": "read"})


@row("page grant oversized subject", 400, "is not a user or group", "Find one by name")
def _(ctx):
    return post_page(ctx, GRANT_NEW, {"subject": OVERSIZED, "level": "read"})


@row("page grant html subject", 400, HOSTILE, "is not a user or group")
def _(ctx):
    return post_page(ctx, GRANT_NEW, {"subject": HOSTILE, "level": "read"})


@row("page grant on unknown case", 404, "Not found")
def _(ctx):
    return post_page(ctx, "/access/cases/{unknown}/grants/new/", {"subject": f"user-{ctx.user.pk}", "level": "read"})


@row("page grant on malformed case id", 404, "Not found")
def _(ctx):
    return post_page(ctx, "/access/cases/not-a-uuid/grants/new/", {"subject": f"user-{ctx.user.pk}", "level": "read"})


@row("page change level unknown level", 400, "owner is not a level", "Choose read or write")
def _(ctx):
    return post_page(ctx, "/access/definitions/{d}/grants/user-{u}/level/", {"level": "owner"})


@row("page change level empty level", 400, "required")
def _(ctx):
    return post_page(ctx, "/access/definitions/{d}/grants/user-{u}/level/", {"level": ""})


@row("page change level without grant", 400, "has no grant")
def _(ctx):
    return post_page(ctx, "/access/definitions/{d}/grants/group-{g}/level/", {"level": "write"})


@row("page change level unknown user", 404, "Not found")
def _(ctx):
    return post_page(ctx, "/access/definitions/{d}/grants/user-999999/level/", {"level": "write"})


@row("page revoke without grant", 400, "has no grant")
def _(ctx):
    return post_page(ctx, "/access/definitions/{d}/grants/group-{g}/revoke/", {})


@row("page revoke confirm without grant", 404, "has no grant", "Nothing to revoke")
def _(ctx):
    return page_outcome(page_client(ctx.manager).get(ctx.url("/access/definitions/{d}/grants/group-{g}/revoke/")))


@row("page access control unknown state", 400, "maybe is not a state of access control", "Use on or off")
def _(ctx):
    return post_page(ctx, "/access/definitions/{d}/access-control/", {"enabled": "maybe"})


@row("page access control missing state", 400, "Say whether to switch access control on or off")
def _(ctx):
    return post_page(ctx, "/access/definitions/{d}/access-control/", {})


@row("page case unknown status", 400, "bogus is not a status", "Pick one from the list")
def _(ctx):
    return post_page(ctx, "/cases/{c}/", {"status": "bogus", "priority": "high"}, user=ctx.superuser)


@row("page case html priority", 400, f"{HOSTILE} is not a priority", "Pick one from the list")
def _(ctx):
    return post_page(ctx, "/cases/{c}/", {"status": "open", "priority": HOSTILE}, user=ctx.superuser)


@row("page my cases malformed definition", 200, "“not-a-uuid” is not a valid UUID")
def _(ctx):
    return page_outcome(page_client(ctx.user).get("/cases/", {"definition": "not-a-uuid"}))


@row("page my cases hidden definition", 200, f"{UNKNOWN_UUID} is not a definition you can see")
def _(ctx):
    return page_outcome(page_client(ctx.user).get("/cases/", {"definition": UNKNOWN_UUID}))


@row("page my cases oversized search", 200, "at most 100 characters")
def _(ctx):
    return page_outcome(page_client(ctx.user).get("/cases/", {"q": OVERSIZED}))


@row("page checker unknown user", 400, "No user matches", "nobody-at-all", "Type part of a username")
def _(ctx):
    return page_outcome(page_client(ctx.manager).get("/access/review/check/", {"user": "nobody-at-all"}))


@row("page checker oversized user", 400, "at most 150 characters")
def _(ctx):
    return page_outcome(page_client(ctx.manager).get("/access/review/check/", {"user": OVERSIZED}))


@row("page checker unknown case", 400, "No case matches", "NOPE-000001", "DEBT-000123")
def _(ctx):
    return page_outcome(page_client(ctx.manager).get("/access/review/check/", {"case": "NOPE-000001"}))


@row("page user review unknown user", 404, "Not found")
def _(ctx):
    return page_outcome(page_client(ctx.manager).get("/access/review/users/999999/"))


# API: grants, definitions, cases, filters and credentials


def api_post(ctx, template, body, user=None):
    return api_outcome(api_client(user or ctx.manager).post(ctx.url(template), body, format="json"))


API_GRANTS = "/api/definitions/{d}/grants/"


@row("api grant unknown user", 400, 'No user with the name or id "nobody" exists')
def _(ctx):
    return api_post(ctx, API_GRANTS, {"user": "nobody", "level": "read"})


@row("api grant unknown group", 400, 'No group with the name or id "No such group" exists')
def _(ctx):
    return api_post(ctx, API_GRANTS, {"group": "No such group", "level": "read"})


@row("api grant inactive user", 400, "ingrid", "inactive", "Activate the user")
def _(ctx):
    return api_post(ctx, API_GRANTS, {"user": "ingrid", "level": "read"})


@row("api grant unknown level", 400, '"owner" is not a valid level', "read, write")
def _(ctx):
    return api_post(ctx, API_GRANTS, {"user": ctx.user.username, "level": "owner"})


@row("api grant no subject", 400, 'Name exactly one subject: "user" or "group"')
def _(ctx):
    return api_post(ctx, API_GRANTS, {"level": "read"})


@row("api grant two subjects", 400, 'Name exactly one subject: "user" or "group"')
def _(ctx):
    return api_post(ctx, API_GRANTS, {"user": ctx.user.username, "group": ctx.group.name, "level": "read"})


@row("api grant empty user", 400, 'No user with the name or id "" exists')
def _(ctx):
    return api_post(ctx, API_GRANTS, {"user": "", "level": "read"})


@row("api grant oversized user", 400, "No user with the name or id", OVERSIZED[:100])
def _(ctx):
    return api_post(ctx, API_GRANTS, {"user": OVERSIZED, "level": "read"})


@row("api grant html user", 400, f'No user with the name or id "{HOSTILE}" exists')
def _(ctx):
    return api_post(ctx, API_GRANTS, {"user": HOSTILE, "level": "read"})


@row("api grant list as user", 400, "No user with the name or id")
def _(ctx):
    return api_post(ctx, API_GRANTS, {"user": [ctx.user.username], "level": "read"})


@row("api grant on unknown definition", 404, "Definition not found")
def _(ctx):
    return api_post(ctx, "/api/definitions/{unknown}/grants/", {"user": ctx.user.username, "level": "read"})


@row("api grant on malformed case id", 404, "Case not found")
def _(ctx):
    return api_post(ctx, "/api/cases/not-a-uuid/grants/", {"user": ctx.user.username, "level": "read"})


@row("api change level malformed user id", 404, 'No user with id "abc" exists')
def _(ctx):
    return api_outcome(api_client(ctx.manager).put(ctx.url("/api/definitions/{d}/grants/users/abc/"), {"level": "write"}, format="json"))


@row("api change level unknown level", 400, '"admin" is not a valid level')
def _(ctx):
    return api_outcome(api_client(ctx.manager).put(ctx.url("/api/definitions/{d}/grants/users/{u}/"), {"level": "admin"}, format="json"))


@row("api revoke without grant", 404, "has no grant")
def _(ctx):
    return api_outcome(api_client(ctx.manager).delete(ctx.url("/api/definitions/{d}/grants/groups/{g}/")))


@row("api access control not boolean", 400, '"maybe" is not a boolean', "Use true or false")
def _(ctx):
    return api_outcome(api_client(ctx.manager).put(ctx.url("/api/definitions/{d}/access-control/"), {"enabled": "maybe"}, format="json"))


@row("api definition lowercase prefix", 400, '"lower" is not a valid case number prefix', "capital letters")
def _(ctx):
    return api_post(ctx, "/api/definitions/", {"name": "New", "case_prefix": "lower"}, user=ctx.superuser)


@row("api definition empty name", 400, "may not be blank")
def _(ctx):
    return api_post(ctx, "/api/definitions/", {"name": "", "case_prefix": "NEWONE"}, user=ctx.superuser)


@row("api definition oversized name", 400, "no more than 120 characters")
def _(ctx):
    return api_post(ctx, "/api/definitions/", {"name": OVERSIZED, "case_prefix": "NEWONE"}, user=ctx.superuser)


@row("api definition taken name", 400, 'A definition named "Debt collection" already exists')
def _(ctx):
    return api_post(ctx, "/api/definitions/", {"name": "Debt collection", "case_prefix": "NEWONE"}, user=ctx.superuser)


@row("api case malformed definition", 400, '"not-a-uuid" is not a valid UUID')
def _(ctx):
    return api_post(ctx, "/api/cases/", {"definition": "not-a-uuid", "title": "New"}, user=ctx.superuser)


@row("api case unknown definition", 400, f'Definition "{UNKNOWN_UUID}" not found')
def _(ctx):
    return api_post(ctx, "/api/cases/", {"definition": UNKNOWN_UUID, "title": "New"}, user=ctx.superuser)


@row("api case unknown status", 400, '"bogus" is not a valid status', "open, in_progress, closed")
def _(ctx):
    return api_outcome(api_client(ctx.superuser).patch(ctx.url("/api/cases/{c}/"), {"status": "bogus"}, format="json"))


@row("api case oversized title", 400, "no more than 200 characters")
def _(ctx):
    return api_outcome(api_client(ctx.superuser).patch(ctx.url("/api/cases/{c}/"), {"title": OVERSIZED}, format="json"))


@row("api case empty title", 400, "may not be blank")
def _(ctx):
    return api_outcome(api_client(ctx.superuser).patch(ctx.url("/api/cases/{c}/"), {"title": ""}, format="json"))


@row("api case malformed json", 400, "JSON parse error")
def _(ctx):
    client = api_client(ctx.superuser)
    return api_outcome(client.patch(ctx.url("/api/cases/{c}/"), "{not json", content_type="application/json"))


@row("api cases unknown ordering", 400, 'Cannot order by "secret"', "Use one of")
def _(ctx):
    return api_outcome(api_client(ctx.user).get("/api/cases/", {"ordering": "secret"}))


@row("api cases malformed page size", 400, '"abc" is not a valid page size', "whole number from 1 to 200")
def _(ctx):
    return api_outcome(api_client(ctx.user).get("/api/cases/", {"page_size": "abc"}))


@row("api cases malformed definition filter", 400, 'Invalid value "xyz" for definition')
def _(ctx):
    return api_outcome(api_client(ctx.user).get("/api/cases/", {"definition": "xyz"}))


@row("api access check unknown user", 400, 'No user with the name or id "nobody" exists')
def _(ctx):
    return api_outcome(api_client(ctx.manager).get(ctx.url("/api/cases/{c}/access/check/"), {"user": "nobody"}))


@row("api access list unknown level", 400, '"owner" is not a valid level')
def _(ctx):
    return api_outcome(api_client(ctx.manager).get(ctx.url("/api/cases/{c}/access/"), {"level": "owner"}))


@row("api invalid token", 401, "Invalid token")
def _(ctx):
    client = api_client(ctx.manager)
    client.credentials(HTTP_AUTHORIZATION="Token " + "0" * 40)
    return api_outcome(client.post(ctx.url(API_GRANTS), {"user": ctx.user.username, "level": "write"}, format="json"))


def deactivate_user(ctx):
    ctx.extra["client"] = api_client(ctx.user)
    ctx.user.is_active = False
    ctx.user.save()


@row("api inactive user token", 401, "User inactive or deleted", prepare=deactivate_user)
def _(ctx):
    return api_outcome(ctx.extra["client"].get("/api/cases/"))


# Admin: the bulk grant action, the grant inlines and guardian's pages


def run_bulk_grant(ctx, **form):
    data = {"action": "grant_on_selected_definitions", "_selected_action": [str(ctx.definition.pk)], "step": "apply", **form}
    return page_outcome(page_client(ctx.manager).post("/admin/casemgmt/casedefinition/", data))


@row("admin bulk grant unknown group", 200, "No group with id 999999 exists", "pick a match")
def _(ctx):
    return run_bulk_grant(ctx, group="999999", level="read")


@row("admin bulk grant malformed user", 200, "No active user with id abc exists", "pick a match")
def _(ctx):
    return run_bulk_grant(ctx, user="abc", level="read")


@row("admin bulk grant huge user id", 200, "No active user with id 99999999999999999999 exists")
def _(ctx):
    return run_bulk_grant(ctx, user="99999999999999999999", level="read")


@row("admin bulk grant inactive user", 200, "No active user with id {i} exists")
def _(ctx):
    return run_bulk_grant(ctx, user=str(ctx.inactive.pk), level="read")


@row("admin bulk grant unknown level", 200, "owner is not one of the available choices")
def _(ctx):
    return run_bulk_grant(ctx, group=str(ctx.group.pk), level="owner")


@row("admin bulk grant no subject", 200, "Choose a user or a group to grant access to")
def _(ctx):
    return run_bulk_grant(ctx, level="read")


@row("admin inline unknown level", 200, "owner")
def _(ctx):
    data = {
        "name": ctx.definition.name,
        "case_prefix": ctx.definition.case_prefix,
        "description": "",
        "access_controlled": "on",
        **grant_inline_data(user_rows=[{"user": ctx.inactive.pk, "level": "owner"}]),
    }
    return page_outcome(page_client(ctx.manager).post(ctx.url("/admin/casemgmt/casedefinition/{d}/change/"), data))


@row("admin inline inactive user", 200, "ingrid", "inactive")
def _(ctx):
    data = {
        "name": ctx.definition.name,
        "case_prefix": ctx.definition.case_prefix,
        "description": "",
        "access_controlled": "on",
        **grant_inline_data(user_rows=[{"user": ctx.inactive.pk, "level": "read"}]),
    }
    return page_outcome(page_client(ctx.manager).post(ctx.url("/admin/casemgmt/casedefinition/{d}/change/"), data))


@row("admin inline group named twice", 200, "Debt control")
def _(ctx):
    data = {
        "name": ctx.definition.name,
        "case_prefix": ctx.definition.case_prefix,
        "description": "",
        "access_controlled": "on",
        **grant_inline_data(group_rows=[{"group": ctx.group.pk, "level": "read"}, {"group": ctx.group.pk, "level": "write"}]),
    }
    return page_outcome(page_client(ctx.manager).post(ctx.url("/admin/casemgmt/casedefinition/{d}/change/"), data))


@row("admin definition lowercase prefix", 200, "Use 2 to 10 capital letters or digits")
def _(ctx):
    data = {"name": "New one", "case_prefix": "lower", "description": "", "access_controlled": "on", **grant_inline_data()}
    return page_outcome(page_client(ctx.superuser).post("/admin/casemgmt/casedefinition/add/", data))


@row("admin permissions page unknown level", 200, "owner")
def _(ctx):
    url = ctx.url("/admin/casemgmt/casedefinition/{d}/permissions/user-manage/{u}/")
    return page_outcome(page_client(ctx.manager).post(url, {"level": "owner"}))


@row("admin permissions page inactive user", 200, "ingrid", "inactive")
def _(ctx):
    url = ctx.url("/admin/casemgmt/casedefinition/{d}/permissions/user-manage/{i}/")
    return page_outcome(page_client(ctx.manager).post(url, {"level": "read"}))


@row("admin permissions page unknown user", 404, "")
def _(ctx):
    url = ctx.url("/admin/casemgmt/casedefinition/{d}/permissions/user-manage/999999/")
    return page_outcome(page_client(ctx.manager).post(url, {"level": "read"}))


@row("admin permissions page malformed definition", 404, "")
def _(ctx):
    return page_outcome(page_client(ctx.manager).get("/admin/casemgmt/casedefinition/not-a-uuid/permissions/"))


# Missing CSRF token and expired session, on every form that changes something

# (form URL, posted data, who posts). The manager posts unless the form needs write access on the case.
FORMS = {
    "page grant": (GRANT_NEW, {"subject": "group-{g}", "level": "write"}, "manager"),
    "page change level": ("/access/definitions/{d}/grants/user-{u}/level/", {"level": "write"}, "manager"),
    "page revoke": ("/access/definitions/{d}/grants/user-{u}/revoke/", {}, "manager"),
    "page access control": ("/access/definitions/{d}/access-control/", {"enabled": "off"}, "manager"),
    "page case change": ("/cases/{c}/", {"status": "closed", "priority": "high"}, "superuser"),
    "admin bulk grant": (
        "/admin/casemgmt/casedefinition/",
        {"action": "grant_on_selected_definitions", "_selected_action": "{d}", "step": "apply", "group": "{g}",
         "level": "write"},
        "manager",
    ),
    "admin access control action": (
        "/admin/casemgmt/casedefinition/",
        {"action": "switch_access_control_off", "_selected_action": "{d}"},
        "manager",
    ),
    "admin permissions page": ("/admin/casemgmt/casedefinition/{d}/permissions/group-manage/{g}/", {"level": "write"}, "manager"),
    "admin case change": ("/admin/casemgmt/caseinstance/{c}/change/", {"title": "Taken", "status": "closed", "priority": "high", **grant_inline_data()}, "superuser"),
    "admin case delete": ("/admin/casemgmt/caseinstance/{c}/delete/", {"post": "yes"}, "superuser"),
}


def form_request(ctx, name):
    url, data, poster = FORMS[name]
    return ctx.url(url), {key: ctx.url(value) for key, value in data.items()}, getattr(ctx, poster)


def post_without_csrf(name):
    def send(ctx):
        url, data, poster = form_request(ctx, name)
        client = Client(enforce_csrf_checks=True)
        client.force_login(poster)
        return page_outcome(client.post(url, data))

    return send


def post_after_session_deleted(name):
    def send(ctx):
        url, data, poster = form_request(ctx, name)
        client = page_client(poster)
        Session.objects.all().delete()
        return page_outcome(client.post(url, data))

    return send


for form_name in FORMS:
    row(f"{form_name} missing csrf token", 403, "CSRF verification failed")(post_without_csrf(form_name))
    login_url = "Location: /admin/login/?next=" if form_name.startswith("admin") else "Location: /login/?next="
    row(f"{form_name} expired session", 302, login_url)(post_after_session_deleted(form_name))


@row("api session post missing csrf token", 403, "CSRF Failed: CSRF cookie not set")
def _(ctx):
    client = APIClient(enforce_csrf_checks=True)
    client.force_login(ctx.manager)
    return api_outcome(client.post(ctx.url(API_GRANTS), {"user": ctx.user.username, "level": "write"}, format="json"))


@row("api session post expired session", 401, "Authentication credentials were not provided")
def _(ctx):
    client = APIClient()
    client.force_login(ctx.manager)
    Session.objects.all().delete()
    return api_outcome(client.post(ctx.url(API_GRANTS), {"user": ctx.user.username, "level": "write"}, format="json"))


# Management commands


@row("command api_token unknown user", 1, "No user named 'nobody' exists", "Check the username")
def _(ctx):
    return command_outcome("api_token", "issue", "nobody")


@row("command api_token inactive user", 1, "'ingrid' is inactive", "Activate the user first")
def _(ctx):
    return command_outcome("api_token", "issue", "ingrid")


@row("command api_token empty username", 1, "No user named '' exists")
def _(ctx):
    return command_outcome("api_token", "issue", "")


@row("command api_token html username", 1, f"No user named '{HOSTILE}' exists")
def _(ctx):
    return command_outcome("api_token", "issue", HOSTILE)


@row("command api_token revoke without token", 1, "has no API token", "nothing to revoke")
def _(ctx):
    return command_outcome("api_token", "revoke", ctx.user.username)


@row("command api_token unknown action", 1, "invalid choice: 'grant'")
def _(ctx):
    return command_outcome("api_token", "grant", ctx.user.username)


@row("command seed_demo short password", 1, "--password is invalid", "too short")
def _(ctx):
    return command_outcome("seed_demo", "--password", "x", "--allow-without-debug")


# bench_access checks the database before its options, so on SQLite every row gets the same message.
ON_POSTGRESQL = connection.vendor == "postgresql"
NEEDS_POSTGRESQL = ("bench_access needs PostgreSQL", "Set DATABASE_URL")


@row("command bench_access zero repeat", 1, *(("--repeat 0 is invalid", "Use 1 or more") if ON_POSTGRESQL else NEEDS_POSTGRESQL))
def _(ctx):
    return command_outcome("bench_access", "--repeat", "0")


@row(
    "command bench_access negative scale", 1,
    *(("--scale -1.0 is invalid", "Use a number above 0") if ON_POSTGRESQL else NEEDS_POSTGRESQL),
)
def _(ctx):
    return command_outcome("bench_access", "--scale", "-1")


@pytest.mark.parametrize(("send", "status", "says", "prepare"), ROWS)
def test_bad_input_rejected_unchanged(ctx, send, status, says, prepare):
    if prepare is not None:
        prepare(ctx)
    before = snapshot()

    outcome = send(ctx)

    assert outcome.status == status, outcome.text[:2000]
    for words in says:
        words = ctx.url(words)
        assert words in outcome.text, f"{words!r} missing from: {outcome.text[:3000]}"
    assert snapshot() == before


# A repeated submission changes nothing the second time


def repeat_page_post(template, data, user="manager"):
    def send(ctx):
        return page_outcome(page_client(getattr(ctx, user)).post(ctx.url(template), {k: ctx.url(v) for k, v in data.items()}, follow=True))

    return send


def repeat_api(method, template, body=None):
    def send(ctx):
        client = api_client(ctx.manager)
        if body is None:
            return api_outcome(getattr(client, method)(ctx.url(template)))
        return api_outcome(getattr(client, method)(ctx.url(template), body, format="json"))

    return send


# (first send, status of the repeat, words of the repeat's message)
REPEATS = {
    "page grant": (
        repeat_page_post(GRANT_NEW, {"subject": "group-{g}", "level": "write"}),
        200, "Group Debt control already has write on Debt collection. Nothing changed.",
    ),
    "page change level": (
        repeat_page_post("/access/definitions/{d}/grants/user-{u}/level/", {"level": "write"}),
        200, "already has write on Debt collection. Nothing changed.",
    ),
    "page revoke": (
        repeat_page_post("/access/definitions/{d}/grants/user-{u}/revoke/", {}),
        400, "has no grant on Debt collection",
    ),
    "page access control": (
        repeat_page_post("/access/definitions/{d}/access-control/", {"enabled": "off"}),
        200, "Access control of Debt collection is already off. Nothing changed.",
    ),
    "api grant": (repeat_api("post", API_GRANTS, {"group": "Debt control", "level": "read"}), 200, "Debt control"),
    "api revoke": (repeat_api("delete", "/api/definitions/{d}/grants/users/{u}/"), 404, "has no grant"),
    "admin bulk grant": (
        repeat_page_post(
            "/admin/casemgmt/casedefinition/",
            {"action": "grant_on_selected_definitions", "_selected_action": "{d}", "step": "apply", "group": "{g}",
             "level": "write"},
        ),
        200, "1 already had that level",
    ),
    "admin permissions page": (
        repeat_page_post("/admin/casemgmt/casedefinition/{d}/permissions/group-manage/{g}/", {"level": "write"}),
        200, "",
    ),
}


@pytest.mark.parametrize("name", REPEATS)
def test_repeated_submission_changes_nothing(ctx, name):
    send, status, says = REPEATS[name]
    first = send(ctx)
    assert first.status in (200, 201, 204), first.text[:2000]
    events = AccessEvent.objects.count()
    before = snapshot()

    repeat = send(ctx)

    assert repeat.status == status, repeat.text[:2000]
    assert says in repeat.text
    assert snapshot() == before
    assert AccessEvent.objects.count() == events


# Names with HTML and Unicode are escaped on every page


@pytest.fixture
def hostile(ctx, grant, make_definition, make_case, make_group, make_user):
    definition = make_definition(name=HOSTILE, case_prefix="XSS", description=HOSTILE)
    case = make_case(definition=definition, title=HOSTILE)
    group = make_group(name=HOSTILE)
    person = make_user(username="ünïcödé", first_name="<script>alert(1)</script>", last_name="Ünïcödé")
    person.groups.add(group)
    grant(person, definition, "read")
    grant(group, definition, "read")
    grant(group, case, "write")
    grant(person, case, "read")
    ctx.extra.update(definition=definition, case=case, group=group, person=person)
    return ctx


ESCAPING_PAGES = [
    ("manager", "/access/definitions/"),
    ("manager", "/access/definitions/{xd}/"),
    ("manager", "/access/cases/{xc}/grants/"),
    ("manager", "/access/review/cases/{xc}/"),
    ("manager", "/access/review/users/{xu}/"),
    ("manager", "/access/review/users/?q=ünïcödé"),
    ("manager", "/access/review/check/?user=ünïcödé&case=XSS-000001"),
    ("manager", "/access/subjects/?q=script"),
    ("manager", "/access/definitions/{xd}/grants/user-{xu}/revoke/"),
    ("superuser", "/cases/"),
    ("superuser", "/cases/{xc}/"),
    ("superuser", "/admin/casemgmt/casedefinition/"),
    ("superuser", "/admin/casemgmt/casedefinition/{xd}/change/"),
    ("superuser", "/admin/casemgmt/casedefinition/{xd}/permissions/"),
    ("superuser", "/admin/casemgmt/caseinstance/"),
    ("superuser", "/admin/casemgmt/caseinstance/{xc}/change/"),
    ("superuser", "/admin/auth/group/"),
    ("superuser", "/admin/casemgmt/user/?q=ünïcödé"),
    ("superuser", "/admin/grants/accessevent/"),
    ("superuser", "/admin/grants/definitionusergrant/"),
    ("superuser", "/admin/grants/casegroupgrant/"),
    ("superuser", "/api/cases/?format=api"),
    ("superuser", "/api/definitions/?format=api"),
    ("superuser", "/api/cases/{xc}/grants/?format=api"),
    ("superuser", "/api/definitions/{xd}/grants/?format=api"),
    ("superuser", "/api/cases/{xc}/access/?format=api"),
    ("superuser", "/api/access-events/?format=api"),
]


@pytest.mark.parametrize(("viewer", "template"), ESCAPING_PAGES)
def test_hostile_names_escaped_on_page(hostile, viewer, template):
    extra = hostile.extra
    url = template.format(xd=extra["definition"].pk, xc=extra["case"].pk, xu=extra["person"].pk)

    response = page_client(getattr(hostile, viewer)).get(url)

    assert response.status_code == 200
    body = response.content.decode()
    assert "<script>alert(1)</script>" not in body
    assert "&lt;script&gt;alert(1)&lt;/script&gt;" in body
    assert "Ünïcödé" in body or "ünïcödé" in body
