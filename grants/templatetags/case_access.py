"""The Access section of the case page: the case's grants, those inherited from its definition, and who has access."""

from django import template
from django.core.paginator import Paginator

from grants.policy import explain_access_for_users, grants_on, is_access_manager, users_with_access_to_case
from grants.review_views import query_without
from grants.views import grants_context

register = template.Library()

EFFECTIVE_ACCESS_PAGE_SIZE = 25
EFFECTIVE_ACCESS_PAGE_PARAM = "access_page"


@register.inclusion_tag("grants/review/case_access.html", takes_context=True)
def case_access(context, case):
    """Render the case's grants with their controls, the inherited grants and the effective access table.

    The case page shows the section to access managers only. The tag renders nothing for anyone else
    as well, so that a template that leaves out that check still shows no grants.
    """
    request = context["request"]
    if not is_access_manager(request.user):
        return {"allowed": False}

    section = grants_context(request, case)
    section.update(
        allowed=True,
        case=case,
        request=request,
        # After a change, come back to the page that shows the section: the case page or the review page.
        next_url=f"{request.path}#access",
        inherited_grants=grants_on(case.definition),
        effective_access=effective_access_page(request, case),
        page_param=EFFECTIVE_ACCESS_PAGE_PARAM,
        other_query=query_without(request, EFFECTIVE_ACCESS_PAGE_PARAM),
    )
    return section


def effective_access_page(request, case):
    """Return one page of the users who reach the case, with `explanations` set to their explanations."""
    users = users_with_access_to_case(case)
    page = Paginator(users, EFFECTIVE_ACCESS_PAGE_SIZE).get_page(request.GET.get(EFFECTIVE_ACCESS_PAGE_PARAM))
    page.explanations = explain_access_for_users(list(page.object_list), case)
    return page
