from django.contrib import admin
from django.urls import include, path

urlpatterns = [
    path("admin/", admin.site.urls),
    path("", include("casemgmt.page_urls")),
    path("access/", include("grants.urls")),
    path("api/", include("grants.api.urls")),
]
