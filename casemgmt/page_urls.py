"""URLs of the pages for every user: logging in and out, My cases and the case page."""

from django.contrib.auth import views as auth_views
from django.urls import path
from django.views.generic import RedirectView

from . import views

urlpatterns = [
    path("", RedirectView.as_view(pattern_name="my-cases"), name="home"),
    path("login/", auth_views.LoginView.as_view(redirect_authenticated_user=True), name="login"),
    path("logout/", auth_views.LogoutView.as_view(), name="logout"),
    path("cases/", views.my_cases, name="my-cases"),
    path("cases/<uuid:pk>/", views.case_detail, name="case-detail"),
]
