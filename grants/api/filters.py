"""Query filters of the case list and the access history, and the backends that reject bad input.

Both backends reject an invalid filter or ordering with 400 and a message that names the value, where
django-filter and REST framework would otherwise ignore it or leave the value out of the message.
"""

from datetime import timezone

from django import forms
from django.db.models import Q
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy
from django_filters import rest_framework as filters
from rest_framework.exceptions import ValidationError
from rest_framework.filters import OrderingFilter

from casemgmt.models import CaseInstance, CasePriority, CaseStatus
from grants.models import AccessAction, AccessEvent, SubjectKind


class FilterBackend(filters.DjangoFilterBackend):
    """DjangoFilterBackend whose 400 messages quote the rejected value."""

    def filter_queryset(self, request, queryset, view):
        filterset = self.get_filterset(request, queryset, view)
        if filterset is None:
            return queryset
        if not filterset.is_valid():
            raise ValidationError(_errors_with_values(filterset))
        return filterset.qs


def _errors_with_values(filterset):
    errors = {}
    for name, error_list in filterset.errors.items():
        value = filterset.data.get(name, "")
        errors[name] = [
            _('Invalid value "%(value)s" for %(name)s: %(error)s') % {"value": value, "name": name, "error": message}
            for message in error_list
        ]
    return errors


class StrictOrderingFilter(OrderingFilter):
    """OrderingFilter that rejects unknown fields and breaks ties by a unique field, for stable pages."""

    def get_ordering(self, request, queryset, view):
        raw = request.query_params.get(self.ordering_param)
        if not raw:
            return self.get_default_ordering(view)

        terms = [term.strip() for term in raw.split(",") if term.strip()]
        valid = self.remove_invalid_fields(queryset, terms, view, request)
        invalid = [term for term in terms if term not in valid]
        if invalid or not terms:
            allowed = ", ".join(name for name, _label in self.get_valid_fields(queryset, view, {"request": request}))
            raise ValidationError({
                self.ordering_param: [
                    _('Cannot order by "%(value)s". Use one of: %(allowed)s, with a leading "-" for descending '
                      "order.") % {"value": raw, "allowed": allowed}
                ]
            })
        return [*terms, *getattr(view, "ordering_tie_breakers", [])]

    def get_schema_operation_parameters(self, view):
        fields = ", ".join(view.ordering_fields)
        term = "-?(" + "|".join(view.ordering_fields) + ")"
        description = _(
            "Comma-separated fields to order by, each with a leading \"-\" for descending order: %(fields)s. "
            "Default: %(default)s."
        ) % {"fields": fields, "default": ",".join(view.ordering)}
        return [{
            "name": self.ordering_param,
            "required": False,
            "in": "query",
            "description": description,
            "schema": {"type": "string", "pattern": f"^{term}(,{term})*$"},
        }]


class UtcDateTimeField(forms.DateTimeField):
    """A date and time converted to UTC, because PostgreSQL rejects UTC offsets beyond 15:59."""

    def to_python(self, value):
        moment = super().to_python(value)
        if moment is None:
            return None
        try:
            return moment.astimezone(timezone.utc)
        except OverflowError:
            message = _("Out of range. Use a date and time after the year 1.")
            raise forms.ValidationError(message, code="overflow") from None


class UtcDateTimeFilter(filters.DateTimeFilter):
    field_class = UtcDateTimeField


class CaseFilter(filters.FilterSet):
    definition = filters.UUIDFilter(field_name="definition_id", help_text=gettext_lazy("Id of a definition."))
    status = filters.ChoiceFilter(choices=CaseStatus.choices)
    priority = filters.ChoiceFilter(choices=CasePriority.choices)
    q = filters.CharFilter(
        method="filter_text", help_text=gettext_lazy("Text in the case number or the title, in any case.")
    )

    class Meta:
        model = CaseInstance
        fields = ["definition", "status", "priority", "q"]

    def filter_text(self, cases, name, value):
        return cases.filter(Q(number__icontains=value) | Q(title__icontains=value))


class AccessEventFilter(filters.FilterSet):
    definition = filters.UUIDFilter(
        field_name="definition_id",
        help_text=gettext_lazy("Id of a definition: its own events and those of its cases."),
    )
    case = filters.UUIDFilter(field_name="case_id", help_text=gettext_lazy("Id of a case."))
    action = filters.ChoiceFilter(choices=AccessAction.choices)
    subject_kind = filters.ChoiceFilter(choices=SubjectKind.choices)
    subject = filters.CharFilter(
        method="filter_subject",
        help_text=gettext_lazy("Username or group name, as recorded; it matches both sides of a membership change."),
    )
    actor = filters.CharFilter(
        field_name="actor_name", help_text=gettext_lazy("Username of the user who made the change, as recorded.")
    )
    occurred_after = UtcDateTimeFilter(
        field_name="occurred_at",
        lookup_expr="gte",
        help_text=gettext_lazy("Earliest time, included: an ISO 8601 date or date and time."),
    )
    occurred_before = UtcDateTimeFilter(
        field_name="occurred_at",
        lookup_expr="lt",
        help_text=gettext_lazy("Latest time, excluded: an ISO 8601 date or date and time."),
    )

    class Meta:
        model = AccessEvent
        fields = ["definition", "case", "action", "subject_kind", "subject", "actor", "occurred_after",
                  "occurred_before"]

    def filter_subject(self, events, name, value):
        # A membership change records its subject as "username / group name", see grants.audit.record.
        return events.filter(
            Q(subject_name=value) | Q(subject_name__startswith=f"{value} / ") | Q(subject_name__endswith=f" / {value}")
        )
