"""Permission classes of the API. Each one calls `grants.policy` and decides nothing itself.

Object checks run after the object was looked up in what the caller may read, so a caller who cannot
read a case or a definition gets 404 before any of these classes can answer 403.
"""

from django.utils.translation import gettext_lazy as _
from rest_framework.permissions import SAFE_METHODS, BasePermission

from grants.policy import checker_for, is_access_manager

CASE_PERMISSION_BY_METHOD = {
    "PUT": "casemgmt.change_caseinstance",
    "PATCH": "casemgmt.change_caseinstance",
    "DELETE": "casemgmt.delete_caseinstance",
}


class IsAccessManager(BasePermission):
    """Allow superusers and holders of `grants.manage_access`."""

    message = _("Only access managers may use this endpoint.")

    def has_permission(self, request, view):
        return is_access_manager(request.user)


class DefinitionPermission(BasePermission):
    """Let signed-in users read the definitions they see, and access managers change them."""

    message = _("Only access managers may create, change or delete definitions.")

    def has_permission(self, request, view):
        if request.method in SAFE_METHODS or getattr(view, "detail", False):
            return True
        return is_access_manager(request.user)

    def has_object_permission(self, request, view, definition):
        return request.method in SAFE_METHODS or is_access_manager(request.user)


class CasePermission(BasePermission):
    """Let readers of a case read it, and writers change or delete it."""

    message = _("You have read access to this case. Changing or deleting it needs write access.")

    def has_object_permission(self, request, view, case):
        if request.method in SAFE_METHODS:
            return True

        # The case comes from `cases_user_can_read`, whose `access_level` spares has_perm a query.
        if hasattr(case, "access_level"):
            checker_for(request.user).remember([case])
        permission = CASE_PERMISSION_BY_METHOD.get(request.method, "casemgmt.change_caseinstance")
        return request.user.has_perm(permission, case)
