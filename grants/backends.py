"""Authentication backend that decides Django's object permission checks with the access policy."""

from django.contrib.auth.backends import BaseBackend

from casemgmt.models import CaseDefinition, CaseInstance

from .levels import Level
from .policy import checker_for, level_of_user_on_definition

# The level each object permission needs. Deleting a case needs write, as changing it does.
CASE_PERMISSION_LEVELS = {
    "casemgmt.view_caseinstance": Level.READ,
    "casemgmt.change_caseinstance": Level.WRITE,
    "casemgmt.delete_caseinstance": Level.WRITE,
}
DEFINITION_PERMISSION_LEVELS = {
    "casemgmt.read_cases": Level.READ,
    "casemgmt.write_cases": Level.WRITE,
}


class CaseAccessBackend(BaseBackend):
    """Make `user.has_perm("casemgmt.view_caseinstance", case)` follow `grants.policy`.

    Only object checks are decided here. ModelBackend decides checks without an object.
    """

    def has_perm(self, user_obj, perm, obj=None):
        if isinstance(obj, CaseInstance) and perm in CASE_PERMISSION_LEVELS:
            return checker_for(user_obj).level(obj) >= CASE_PERMISSION_LEVELS[perm]
        if isinstance(obj, CaseDefinition) and perm in DEFINITION_PERMISSION_LEVELS:
            return level_of_user_on_definition(user_obj, obj) >= DEFINITION_PERMISSION_LEVELS[perm]
        return False
