"""The publication's masthead, from the database when set, else from settings."""

from __future__ import annotations

from django.apps import apps
from django.conf import settings
from django.core.cache import cache
from django.http import HttpRequest

CACHE_KEY = "veche:publication:v1"


def current_publication(request: HttpRequest | None = None) -> dict[str, str]:
    """Name, tagline and time zone. With the request, read once per request (a page
    asks three or four times; each was a round trip to a shared cache)."""
    kept = getattr(request, "_veche_publication", None)
    if kept is not None:
        return kept
    data = cache.get(CACHE_KEY)
    if data is None:
        data = {
            "name": settings.VECHE_PUBLICATION_NAME,
            "tagline": settings.VECHE_PUBLICATION_TAGLINE,
            "time_zone": settings.TIME_ZONE,
        }
        publication_model = apps.get_model("newsroom", "Publication")
        row = publication_model.objects.order_by("pk").first()
        if row is not None:
            data = {"name": row.name, "tagline": row.tagline, "time_zone": row.time_zone}
        cache.set(CACHE_KEY, data, 300)
    if request is not None:
        request._veche_publication = data
    return data


def forget_publication() -> None:
    cache.delete(CACHE_KEY)
