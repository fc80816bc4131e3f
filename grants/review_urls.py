"""URLs of the access review pages, mounted under /access/review/."""

from django.urls import path

from . import review_views

urlpatterns = [
    path("cases/<uuid:pk>/", review_views.case_access, name="review-case-access"),
    path("check/", review_views.access_checker, name="review-checker"),
    path("users/", review_views.user_list, name="review-users"),
    path("users/<int:pk>/", review_views.user_access, name="review-user-access"),
]
