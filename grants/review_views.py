"""Access review pages for access managers: a case's access, the access checker, and one user's access.

The case access page shows the Access section of the case page to managers who cannot read the case
themselves. The access checker explains one user's level on one case. The user access page lists
every definition and every single case that a user reaches, for periodic access reviews. Every page
returns 403 to anyone who is not an access manager, and 404 for an unknown case or user.
"""

from dataclasses import dataclass, field

from django import forms
from django.contrib.auth import get_user_model
from django.core.paginator import Paginator
from django.db.models import Q
from django.shortcuts import get_object_or_404, render
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy
from django.views.decorators.http import require_GET

from casemgmt.models import CaseInstance

from .models import AccessEvent
from .policy import access_summary_for_user, explain_access
from .views import HISTORY_PAGE_SIZE, manager_required

# Maximum matches listed by each finder. The page shows a note when more match.
MAX_MATCHES = 20
CASES_PAGE_SIZE = 25


class AccessCheckForm(forms.Form):
    """The text typed into the checker's finders. Django's CharField rejects null characters."""

    user = forms.CharField(label=gettext_lazy("User"), max_length=150, required=False)
    case = forms.CharField(label=gettext_lazy("Case"), max_length=200, required=False)


class UserSearchForm(forms.Form):
    q = forms.CharField(label=gettext_lazy("User"), max_length=150, required=False)


def form_errors(form):
    """Return every error of a bound form, each prefixed with its field's label, as one Lookup error."""
    return " ".join(f"{form[name].label}: {error}" for name, errors in form.errors.items() for error in errors)


@dataclass
class Lookup:
    """The result of a finder for the text typed into it: one object, several matches, or an error."""

    query: str = ""
    found: object = None
    matches: list = field(default_factory=list)
    more: bool = False
    error: str = ""


def find_user(query):
    """Find a user by exact username, else list users whose username or name contains the text."""
    query = query.strip()
    if not query:
        return Lookup()

    users = get_user_model().objects.order_by("username")
    exact = users.filter(username__iexact=query).first()
    if exact is not None:
        return Lookup(query, found=exact)

    name_matches = Q(username__icontains=query) | Q(first_name__icontains=query) | Q(last_name__icontains=query)
    return lookup_from_matches(
        query,
        list(users.filter(name_matches)[: MAX_MATCHES + 1]),
        _("No user matches “%(query)s”. Type part of a username, first name or last name."),
    )


def find_case(query):
    """Find a case by exact case number, else list cases whose number or title contains the text."""
    query = query.strip()
    if not query:
        return Lookup()

    cases = CaseInstance.objects.select_related("definition").order_by("number")
    exact = cases.filter(number__iexact=query).first()
    if exact is not None:
        return Lookup(query, found=exact)

    text_matches = Q(number__icontains=query) | Q(title__icontains=query)
    return lookup_from_matches(
        query,
        list(cases.filter(text_matches)[: MAX_MATCHES + 1]),
        _("No case matches “%(query)s”. Type part of a case number such as DEBT-000123, or of a title."),
    )


def query_without(request, name):
    """Return the request's query string, URL-encoded, without the parameter `name`."""
    query = request.GET.copy()
    query.pop(name, None)
    return query.urlencode()


def lookup_from_matches(query, matches, not_found_message):
    if len(matches) == 1:
        return Lookup(query, found=matches[0])
    if not matches:
        return Lookup(query, error=not_found_message % {"query": query})
    return Lookup(query, matches=matches[:MAX_MATCHES], more=len(matches) > MAX_MATCHES)


@manager_required
@require_GET
def access_checker(request):
    """Explain the level of a user on a case, both found by the text typed into the finders."""
    form = AccessCheckForm(request.GET)
    if form.is_valid():
        user_lookup = find_user(form.cleaned_data["user"])
        case_lookup = find_case(form.cleaned_data["case"])
    else:
        user_lookup = Lookup(error=form_errors(form))
        case_lookup = Lookup()

    explanation = None
    if user_lookup.found is not None and case_lookup.found is not None:
        explanation = explain_access(user_lookup.found, case_lookup.found)

    context = {
        "user_lookup": user_lookup,
        "case_lookup": case_lookup,
        "explanation": explanation,
        "nav_section": "review-checker",
    }
    status = 400 if user_lookup.error or case_lookup.error else 200
    return render(request, "grants/review/checker.html", context, status=status)


@manager_required
@require_GET
def user_list(request):
    """Find the user whose access to review."""
    form = UserSearchForm(request.GET)
    lookup = find_user(form.cleaned_data["q"]) if form.is_valid() else Lookup(error=form_errors(form))
    context = {"lookup": lookup, "nav_section": "review-users"}
    return render(request, "grants/review/user_list.html", context, status=400 if lookup.error else 200)


@manager_required
@require_GET
def user_access(request, pk):
    """List every definition and every single case the user reaches, with level and source."""
    subject = get_object_or_404(get_user_model(), pk=pk)
    summary = access_summary_for_user(subject)
    cases_page = Paginator(summary.cases, CASES_PAGE_SIZE).get_page(request.GET.get("page"))
    cases_page.explanations = summary.explain_cases(cases_page.object_list)
    history = AccessEvent.objects.filter(subject_user=subject).select_related("subject_group")
    history_page = Paginator(history, HISTORY_PAGE_SIZE).get_page(request.GET.get("history_page"))

    context = {
        "subject": subject,
        "groups": subject.groups.order_by("name"),
        "summary": summary,
        "cases_page": cases_page,
        "cases_query": query_without(request, "page"),
        "history_page": history_page,
        "history_query": query_without(request, "history_page"),
        "nav_section": "review-users",
    }
    return render(request, "grants/review/user_access.html", context)


@manager_required
@require_GET
def case_access(request, pk):
    """Show the grants on a case and who has access, whether or not the manager may read the case."""
    # Managing access does not need read access to the case, so every manager may see that it exists.
    case = get_object_or_404(CaseInstance.objects.select_related("definition"), pk=pk)
    context = {"case": case, "nav_section": "definitions"}
    return render(request, "grants/review/case_access_page.html", context)
