"""The API's case list with access filtering turned off: the baseline of the load test.

It is the API's own view, serializer, pagination and ordering; only the queryset skips the policy, and
every case reports write access. It is reachable only through `grants.bench.urls`.
"""

from django.db.models import IntegerField, Value

from casemgmt.models import CaseInstance
from grants.api.views import CaseViewSet
from grants.levels import Level


class UnfilteredCaseViewSet(CaseViewSet):
    def get_queryset(self):
        cases = CaseInstance.objects.annotate(access_level=Value(int(Level.WRITE), output_field=IntegerField()))
        return cases.select_related("definition", "created_by")
