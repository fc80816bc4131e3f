"""URLs of the access pages, mounted under /access/.

Grant, change-level and revoke URLs are the same for both kinds of target: `definitions` or `cases`
in the path picks the model, so the case page reuses the definition page's controls.
"""

from django.urls import include, path, register_converter

from . import views


class TargetKindConverter:
    regex = "definitions|cases"

    def to_python(self, value):
        return value

    def to_url(self, value):
        return value


class SubjectKeyConverter:
    """A user or group key such as "user-12" or "group-3"."""

    regex = "(?:user|group)-[1-9][0-9]{0,18}"

    def to_python(self, value):
        return value

    def to_url(self, value):
        return value


register_converter(TargetKindConverter, "target_kind")
register_converter(SubjectKeyConverter, "subject_key")

urlpatterns = [
    path("definitions/", views.definition_list, name="definition-list"),
    path("definitions/<uuid:pk>/", views.definition_detail, name="definition-detail"),
    path("definitions/<uuid:pk>/access-control/", views.access_control, name="definition-access-control"),
    path("subjects/", views.subject_search, name="subject-search"),
    path("<target_kind:kind>/<uuid:pk>/grants/", views.target_grants, name="target-grants"),
    path("<target_kind:kind>/<uuid:pk>/grants/new/", views.grant_create, name="grant-create"),
    path(
        "<target_kind:kind>/<uuid:pk>/grants/<subject_key:subject>/level/",
        views.grant_change_level,
        name="grant-change-level",
    ),
    path(
        "<target_kind:kind>/<uuid:pk>/grants/<subject_key:subject>/revoke/",
        views.grant_revoke,
        name="grant-revoke",
    ),
    path("review/", include("grants.review_urls")),
]
