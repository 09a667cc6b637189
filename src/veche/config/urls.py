from django.conf import settings
from django.contrib import admin
from django.urls import include, path

from veche.core.views import health

urlpatterns = [
    path("health", health, name="health"),
    path("admin/import/", include("veche.importers.urls")),
    path("admin/", admin.site.urls),
    path("accounts/", include("allauth.urls")),
    path("api/v1/", include("veche.api.urls")),
    path("moderation/", include("veche.moderation.urls")),
    path("", include("veche.api.site_urls")),
    path("", include("veche.accounts.urls")),
    path("", include("veche.discussion.urls")),
    path("", include("veche.newsroom.urls")),
]

handler404 = "veche.newsroom.views.not_found"

if settings.DEBUG:  # pragma: no cover - development only
    urlpatterns += []
