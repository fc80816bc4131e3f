"""Writing the access history. Every change of access calls `record` inside its own transaction."""

from contextvars import ContextVar

from django.contrib.auth.models import Group

from casemgmt.models import CaseDefinition, CaseInstance

from .levels import Level
from .models import AccessEvent, SubjectKind

# The request being handled, set by the middleware, so that changes made by signal handlers
# (deleting a case, removing a group member) name their actor too. Commands set `current_actor`.
current_request = ContextVar("current_request", default=None)
current_actor = ContextVar("current_actor", default=None)


def acting_user():
    """Return the user on whose behalf the current request or command acts, or None."""
    request = current_request.get()
    user = getattr(request, "user", None) if request is not None else current_actor.get()
    return user if user is not None and user.is_authenticated else None


def record(
    action, *, actor=None, subject=None, target=None, old_level=Level.NONE, new_level=Level.NONE, group=None, deleted=None
):
    """Write one `AccessEvent`. `target` is a definition or a case, and names are copied for later.

    Pass the subject or target that is being deleted as `deleted`: the record keeps its name but no
    link to it, because a foreign key to a row deleted in the same transaction would fail. `group`
    names the group of a membership change, whose subject is the user.
    """
    actor = actor if actor is not None else acting_user()
    if actor is not None and not actor.is_authenticated:
        actor = None

    event = AccessEvent(
        action=action,
        actor=actor,
        actor_name=actor.get_username() if actor else "",
        old_level=old_level,
        new_level=new_level,
    )
    _set_subject(event, subject)
    _set_target(event, target)
    if group is not None:
        event.subject_group = group
        event.subject_name = f"{event.subject_name} / {group.name}"
    _unlink(event, deleted)
    event.save()
    return event


def _set_subject(event, subject):
    if subject is None:
        return
    if isinstance(subject, Group):
        event.subject_kind = SubjectKind.GROUP
        event.subject_group = subject
        event.subject_name = subject.name
    else:
        event.subject_kind = SubjectKind.USER
        event.subject_user = subject
        event.subject_name = subject.get_username()


def _set_target(event, target):
    if isinstance(target, CaseInstance):
        event.case = target
        event.case_number = target.number
        target = target.definition
    if isinstance(target, CaseDefinition):
        event.definition = target
        event.definition_name = target.name


def _unlink(event, deleted):
    if deleted is None:
        return
    for field_name in ("subject_user", "subject_group", "definition", "case"):
        if getattr(event, field_name) == deleted:
            setattr(event, field_name, None)
    if isinstance(deleted, CaseDefinition):
        event.case = None
