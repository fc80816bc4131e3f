"""Forms of the case pages: the filter of My cases and the change of a case's status and priority."""

from django import forms
from django.db.models import Q
from django.utils.translation import gettext_lazy as _

from .models import CaseInstance, CaseStatus


class MyCasesFilterForm(forms.Form):
    """Filter My cases by definition and status, and search number and title."""

    q = forms.CharField(
        label=_("Search"),
        max_length=100,
        required=False,
        help_text=_("Part of a case number or title."),
    )
    definition = forms.ModelChoiceField(
        label=_("Definition"),
        queryset=None,
        required=False,
        empty_label=_("All definitions"),
        to_field_name="pk",
        error_messages={"invalid_choice": _("%(value)s is not a definition you can see. Pick one from the list.")},
    )
    status = forms.ChoiceField(
        label=_("Status"),
        choices=[("", _("Any status")), *CaseStatus.choices],
        required=False,
        error_messages={"invalid_choice": _("%(value)s is not a status. Pick one from the list.")},
    )

    def __init__(self, *args, definitions, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["definition"].queryset = definitions

    def filter(self, cases):
        """Return `cases` narrowed by the valid filters. A filter with an error is left out."""
        self.is_valid()
        data = getattr(self, "cleaned_data", {})

        if data.get("definition"):
            cases = cases.filter(definition=data["definition"])
        if data.get("status"):
            cases = cases.filter(status=data["status"])
        if data.get("q"):
            query = data["q"].strip()
            cases = cases.filter(Q(number__icontains=query) | Q(title__icontains=query))
        return cases


class CaseUpdateForm(forms.ModelForm):
    class Meta:
        model = CaseInstance
        fields = ["status", "priority"]
        error_messages = {
            "status": {"invalid_choice": _("%(value)s is not a status. Pick one from the list.")},
            "priority": {"invalid_choice": _("%(value)s is not a priority. Pick one from the list.")},
        }
