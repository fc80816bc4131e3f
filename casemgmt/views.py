"""Pages for every signed-in user: My cases and the case page.

Which cases a user may see and change is decided by `grants.policy` alone. An unreadable case returns
404 exactly like an unknown UUID, so that the page never reveals that the case exists.
"""

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.exceptions import PermissionDenied
from django.core.paginator import Paginator
from django.http import Http404
from django.shortcuts import redirect, render
from django.utils.translation import gettext as _
from django.views.decorators.http import require_GET, require_http_methods

from grants.levels import Level
from grants.policy import cases_user_can_read, definitions_user_can_see, level_of_user_on_case

from .forms import CaseUpdateForm, MyCasesFilterForm
from .models import CaseInstance

CASES_PAGE_SIZE = 50


@login_required
@require_GET
def my_cases(request):
    """List the cases the user can read, with the user's level on each, 50 a page."""
    form = MyCasesFilterForm(request.GET, definitions=definitions_user_can_see(request.user).order_by("name"))
    cases = form.filter(CaseInstance.objects.select_related("definition"))
    cases = cases_user_can_read(request.user, cases)
    page = Paginator(cases, CASES_PAGE_SIZE).get_page(request.GET.get("page"))

    query = request.GET.copy()
    query.pop("page", None)
    context = {"form": form, "page": page, "query": query.urlencode(), "nav_section": "cases"}
    return render(request, "casemgmt/my_cases.html", context)


def readable_case_or_404(user, pk):
    """Return the case and the user's level on it, or raise Http404 if it is unknown or unreadable."""
    case = CaseInstance.objects.select_related("definition", "created_by").filter(pk=pk).first()
    level = level_of_user_on_case(user, case) if case is not None else Level.NONE
    if level < Level.READ:
        raise Http404(_("No case found at this address."))
    return case, level


@login_required
@require_http_methods(["GET", "POST"])
def case_detail(request, pk):
    """Show a case. Users with write access may change its status and priority here."""
    case, level = readable_case_or_404(request.user, pk)
    can_write = level >= Level.WRITE

    if request.method == "POST":
        if not can_write:
            raise PermissionDenied(_("You have read access to %(number)s, so you cannot change it.") % {"number": case.number})
        form = CaseUpdateForm(request.POST, instance=case)
        if form.is_valid():
            form.save()
            messages.success(
                request,
                _("Saved %(number)s: status %(status)s, priority %(priority)s.")
                % {"number": case.number, "status": case.get_status_display(), "priority": case.get_priority_display()},
            )
            return redirect(case)
        # Validation copied the valid fields onto the case, so reload what is saved before showing it.
        case.refresh_from_db(fields=["status", "priority"])
        status = 400
    else:
        form = CaseUpdateForm(instance=case) if can_write else None
        status = 200

    context = {"case": case, "level": level, "can_write": can_write, "form": form, "nav_section": "cases"}
    return render(request, "casemgmt/case_detail.html", context, status=status)
