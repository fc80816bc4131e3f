"""URLs of the REST API, mounted at /api/."""

from django.urls import path
from csp.constants import UNSAFE_INLINE
from csp.decorators import csp_update
from drf_spectacular.views import SpectacularAPIView, SpectacularSwaggerSplitView
from rest_framework.routers import SimpleRouter

from . import views

router = SimpleRouter()
router.register("definitions", views.DefinitionViewSet, basename="api-definition")
router.register("cases", views.CaseViewSet, basename="api-case")


def grant_urls(prefix, name, list_view, detail_views):
    return [
        path(f"{prefix}/<str:id>/grants/", list_view.as_view(), name=f"{name}-grants"),
        path(
            f"{prefix}/<str:id>/grants/users/<str:subject_id>/",
            detail_views["user"].as_view(),
            {"subject_kind": "user"},
            name=f"{name}-user-grant",
        ),
        path(
            f"{prefix}/<str:id>/grants/groups/<str:subject_id>/",
            detail_views["group"].as_view(),
            {"subject_kind": "group"},
            name=f"{name}-group-grant",
        ),
    ]


urlpatterns = [
    # The schema and its docs are public and the same for everyone, so credentials are not even read.
    path("schema/", SpectacularAPIView.as_view(authentication_classes=[]), name="api-schema"),
    # The split view serves Swagger UI's start-up script as a file, so no inline script is needed. Swagger
    # UI still sets style attributes as it renders, so this page alone allows inline styles.
    path(
        "docs/",
        csp_update({"style-src": [UNSAFE_INLINE]})(
            SpectacularSwaggerSplitView.as_view(url_name="api-schema", authentication_classes=[])
        ),
        name="api-docs",
    ),
    *grant_urls("definitions", "api-definition", views.DefinitionGrantListView, views.DefinitionGrantViews),
    *grant_urls("cases", "api-case", views.CaseGrantListView, views.CaseGrantViews),
    path("cases/<str:id>/access/", views.CaseAccessView.as_view(), name="api-case-access"),
    path("cases/<str:id>/access/check/", views.CaseAccessCheckView.as_view(), name="api-case-access-check"),
    path("access-events/", views.AccessEventListView.as_view(), name="api-access-events"),
    *router.urls,
]
