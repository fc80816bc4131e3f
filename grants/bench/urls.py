"""The project's URLs plus the benchmark's unfiltered case list, for `grants.bench.settings` only."""

from django.urls import include, path

from .views import UnfilteredCaseViewSet

urlpatterns = [
    path("bench/unfiltered-cases/", UnfilteredCaseViewSet.as_view({"get": "list"}), name="bench-unfiltered-cases"),
    path("", include("casemgmt.urls")),
]
