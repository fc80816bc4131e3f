"""Pages for access managers: definitions, their access control, and the grants on any target.

A target is a case definition or one case. Grant, change-level and revoke views take the kind of
target from the URL, so that the definition page and the case page share one implementation. Every
change goes through `grants.services`; every page and action returns 403 to anyone who is not an
access manager, for GET and POST alike.
"""

from dataclasses import dataclass
from functools import wraps

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.exceptions import PermissionDenied, ValidationError
from django.core.paginator import Paginator
from django.db.models import Count, IntegerField, OuterRef, Subquery, Value
from django.db.models.functions import Coalesce
from django.http import Http404
from django.shortcuts import get_object_or_404, redirect, render
from django.urls import reverse
from django.utils.http import url_has_allowed_host_and_scheme
from django.utils.text import capfirst
from django.utils.translation import gettext as _
from django.views.decorators.http import require_GET, require_http_methods, require_POST

from casemgmt.models import CaseDefinition, CaseInstance

from . import services
from .forms import (
    LEVEL_CHOICES,
    MAX_SUBJECT_MATCHES,
    AccessControlForm,
    ChangeLevelForm,
    GrantForm,
    SubjectChoice,
    SubjectSearchForm,
    describe_subject,
    subject_from_key,
    subject_key,
    subject_label,
)
from .models import AccessAction, AccessEvent, CaseGroupGrant, CaseUserGrant, DefinitionGroupGrant, DefinitionUserGrant
from .policy import grant_held_by, grants_on, is_access_manager

HISTORY_PAGE_SIZE = 20

TARGET_MODELS = {"definitions": CaseDefinition, "cases": CaseInstance}


def manager_required(view):
    """Redirect anonymous visitors to the login page and return 403 to users who are not access managers."""

    @wraps(view)
    @login_required
    def wrapped(request, *args, **kwargs):
        if not is_access_manager(request.user):
            raise PermissionDenied(_("Only access managers may see or change access."))
        return view(request, *args, **kwargs)

    return wrapped


# Targets and subjects


def get_target_or_404(kind, pk):
    queryset = TARGET_MODELS[kind].objects.all()
    if kind == "cases":
        queryset = queryset.select_related("definition")
    return get_object_or_404(queryset, pk=pk)


def kind_of_target(target):
    return "definitions" if isinstance(target, CaseDefinition) else "cases"


def describe_target(target):
    """Return a target as messages name it: "Debt collection" or "case DEBT-000123"."""
    if isinstance(target, CaseDefinition):
        return target.name
    return _("case %(number)s") % {"number": target.number}


def get_subject_or_404(key):
    subject = subject_from_key(key)
    if subject is None:
        raise Http404(_("No user or group %(key)s exists.") % {"key": key})
    return subject


def target_management_url(target):
    """Return the page where the grants on a target are managed."""
    if isinstance(target, CaseDefinition):
        return reverse("definition-detail", args=[target.pk]) + "#grants"
    return reverse("target-grants", args=["cases", target.pk])


def safe_next_url(request):
    """Return the `next` parameter of the request if it is a URL on this site, else ""."""
    next_url = request.POST.get("next") or request.GET.get("next") or ""
    if next_url and url_has_allowed_host_and_scheme(
        next_url, allowed_hosts={request.get_host()}, require_https=request.is_secure()
    ):
        return next_url
    return ""


def url_after_change(request, target):
    return safe_next_url(request) or target_management_url(target)


def level_name(level):
    return str(level.label).lower()


# Page rendering shared by the definition page and the generic grants page


@dataclass
class GrantRow:
    """One row of the grants table."""

    grant: object
    key: str
    label: str
    is_group: bool
    error: str = ""


def grants_context(request, target, grant_form=None, grants_error="", error_key=""):
    """Build the context of the grants section: table, grant form and subject finder."""
    search_form = SubjectSearchForm(request.GET)
    grant_form = grant_form or GrantForm()

    rows = []
    for grant in grants_on(target):
        key = subject_key(grant.subject)
        error = grants_error if key == error_key else ""
        rows.append(GrantRow(grant, key, subject_label(grant.subject), key.startswith("group-"), error))
    # An error about a grant in the table shows in its row; any other shows above the table.
    error_in_row = any(row.error for row in rows)

    # After a failed grant the posted subject stays selectable, so the manager need not search again.
    matches = search_form.matches()
    chosen = grant_form.cleaned_data.get("subject") if hasattr(grant_form, "cleaned_data") else None
    if chosen is not None and subject_key(chosen) not in {match.key for match in matches}:
        matches.insert(0, SubjectChoice(chosen))

    return {
        "target": target,
        "target_kind": kind_of_target(target),
        "target_name": describe_target(target),
        "grant_rows": rows,
        "grant_form": grant_form,
        "search_form": search_form,
        "subject_matches": matches,
        "selected_subject": grant_form["subject"].value() or "",
        "grants_error": "" if error_in_row else grants_error,
        "level_choices": LEVEL_CHOICES,
        "max_subject_matches": MAX_SUBJECT_MATCHES,
    }


def render_definition_page(request, definition, status=200, **grants_kwargs):
    history = AccessEvent.objects.filter(definition=definition)
    history_page = Paginator(history, HISTORY_PAGE_SIZE).get_page(request.GET.get("history_page"))

    context = grants_context(request, definition, **grants_kwargs)
    context.update(
        definition=definition,
        case_count=definition.cases.count(),
        history_page=history_page,
        nav_section="definitions",
    )
    return render(request, "grants/definition_detail.html", context, status=status)


def render_target_page(request, target, status=200, **grants_kwargs):
    """Render the page that manages the target's grants, with errors of a failed change if given."""
    if isinstance(target, CaseDefinition):
        return render_definition_page(request, target, status=status, **grants_kwargs)
    context = grants_context(request, target, **grants_kwargs)
    context["nav_section"] = "definitions"
    return render(request, "grants/target_grants.html", context, status=status)


def error_text(error):
    if isinstance(error, ValidationError):
        return " ".join(error.messages)
    return str(error)


# Definitions


def count_grouped(queryset, group_field):
    """Return a subquery that counts the rows of `queryset` for one outer row, 0 when there are none."""
    counted = queryset.order_by().values(group_field).annotate(total=Count("pk")).values("total")
    return Coalesce(Subquery(counted, output_field=IntegerField()), Value(0))


@manager_required
@require_GET
def definition_list(request):
    definition = OuterRef("pk")
    definitions = CaseDefinition.objects.annotate(
        case_count=count_grouped(CaseInstance.objects.filter(definition=definition), "definition"),
        user_grant_count=count_grouped(DefinitionUserGrant.objects.filter(content_object=definition), "content_object"),
        group_grant_count=count_grouped(
            DefinitionGroupGrant.objects.filter(content_object=definition), "content_object"
        ),
        case_user_grant_count=count_grouped(
            CaseUserGrant.objects.filter(content_object__definition=definition), "content_object__definition"
        ),
        case_group_grant_count=count_grouped(
            CaseGroupGrant.objects.filter(content_object__definition=definition), "content_object__definition"
        ),
    )
    context = {"definitions": definitions, "nav_section": "definitions"}
    return render(request, "grants/definition_list.html", context)


@manager_required
@require_GET
def definition_detail(request, pk):
    definition = get_object_or_404(CaseDefinition, pk=pk)
    return render_definition_page(request, definition)


@manager_required
@require_http_methods(["GET", "POST"])
def access_control(request, pk):
    """Confirm (GET) and apply (POST) switching access control of a definition on or off."""
    definition = get_object_or_404(CaseDefinition, pk=pk)
    default_state = "off" if definition.access_controlled else "on"
    data = request.POST if request.method == "POST" else {"enabled": request.GET.get("enabled", default_state)}
    form = AccessControlForm(data)

    if request.method == "POST" and form.is_valid():
        enabled = form.cleaned_data["enabled"]
        change = services.set_access_control(request.user, definition, enabled)
        report_access_control(request, change, definition, enabled)
        return redirect("definition-detail", pk=definition.pk)

    context = {
        "definition": definition,
        "form": form,
        "enabled": form.cleaned_data["enabled"] if form.is_valid() else None,
        "grant_count": len(grants_on(definition)),
        "nav_section": "definitions",
    }
    return render(request, "grants/access_control_confirm.html", context, status=200 if form.is_valid() else 400)


def report_access_control(request, change, definition, enabled):
    state = _("on") if enabled else _("off")
    if change.changed:
        messages.success(
            request, _("Switched access control %(state)s for %(definition)s.") % {"state": state, "definition": definition}
        )
    else:
        messages.info(
            request,
            _("Access control of %(definition)s is already %(state)s. Nothing changed.")
            % {"definition": definition, "state": state},
        )


# Grants on any target


@manager_required
@require_GET
def target_grants(request, kind, pk):
    return render_target_page(request, get_target_or_404(kind, pk))


@manager_required
@require_GET
def subject_search(request):
    """Return the finder's matches as radio choices, for htmx to put into the grant form."""
    form = SubjectSearchForm(request.GET)
    context = {
        "subject_matches": form.matches(),
        "search_form": form,
        "selected_subject": "",
        "max_subject_matches": MAX_SUBJECT_MATCHES,
    }
    return render(request, "grants/partials/subject_choices.html", context)


@manager_required
@require_POST
def grant_create(request, kind, pk):
    target = get_target_or_404(kind, pk)
    form = GrantForm(request.POST)

    if form.is_valid():
        subject, level = form.cleaned_data["subject"], form.cleaned_data["level"]
        try:
            change = services.grant(request.user, subject, target, level)
        except ValidationError as error:
            form.add_error(None, error)
        else:
            report_grant(request, change, subject, target)
            return redirect(url_after_change(request, target))

    return render_target_page(request, target, status=400, grant_form=form)


@manager_required
@require_POST
def grant_change_level(request, kind, pk, subject):
    target = get_target_or_404(kind, pk)
    subject_obj = get_subject_or_404(subject)
    form = ChangeLevelForm(request.POST)

    if not form.is_valid():
        message = " ".join(form.errors["level"])
    else:
        try:
            change = services.change_level(request.user, subject_obj, target, form.cleaned_data["level"])
        except (ValidationError, services.GrantNotFound) as error:
            message = error_text(error)
        else:
            report_grant(request, change, subject_obj, target)
            return redirect(url_after_change(request, target))

    return render_target_page(request, target, status=400, grants_error=message, error_key=subject)


@manager_required
@require_http_methods(["GET", "POST"])
def grant_revoke(request, kind, pk, subject):
    """Ask for confirmation (GET), then revoke the subject's grant on the target (POST)."""
    target = get_target_or_404(kind, pk)
    subject_obj = get_subject_or_404(subject)

    if request.method == "GET":
        grant = grant_held_by(subject_obj, target)
        if grant is None:
            message = _("%(subject)s has no grant on %(target)s. Nothing to revoke.") % {
                "subject": capfirst(describe_subject(subject_obj)),
                "target": describe_target(target),
            }
            return render_target_page(request, target, status=404, grants_error=message)
        context = {
            "target": target,
            "target_kind": kind,
            "target_name": describe_target(target),
            "grant": grant,
            "subject_key": subject,
            "subject_description": describe_subject(subject_obj),
            "cancel_url": safe_next_url(request) or target_management_url(target),
            "next_url": safe_next_url(request),
            "nav_section": "definitions",
        }
        return render(request, "grants/revoke_confirm.html", context)

    try:
        change = services.revoke(request.user, subject_obj, target)
    except services.GrantNotFound as error:
        return render_target_page(request, target, status=400, grants_error=error_text(error))

    report_grant(request, change, subject_obj, target)
    return redirect(url_after_change(request, target))


def report_grant(request, change, subject, target):
    """Add the success message of a grant, level change or revoke, or an info message if nothing changed."""
    names = {"subject": describe_subject(subject), "target": describe_target(target)}

    if not change.changed:
        text = _("%(subject)s already has %(level)s on %(target)s. Nothing changed.")
        messages.info(request, capfirst(text % {**names, "level": level_name(change.new_level)}))
    elif change.action == AccessAction.GRANTED:
        text = _("Granted %(level)s on %(target)s to %(subject)s.")
        messages.success(request, text % {**names, "level": level_name(change.new_level)})
    elif change.action == AccessAction.LEVEL_CHANGED:
        text = _("Changed the grant of %(subject)s on %(target)s from %(old)s to %(new)s.")
        messages.success(
            request, text % {**names, "old": level_name(change.old_level), "new": level_name(change.new_level)}
        )
    else:
        text = _("Revoked the %(level)s grant of %(subject)s on %(target)s.")
        messages.success(request, text % {**names, "level": level_name(change.old_level)})
