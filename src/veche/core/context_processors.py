from __future__ import annotations

from django.conf import settings
from django.http import HttpRequest


def publication(request: HttpRequest) -> dict:
    """The masthead for every page: the Publication row if editors made one."""
    from veche.core.site import current_publication

    pub = current_publication(request)
    return {
        "publication_name": pub["name"],
        "publication_tagline": pub["tagline"],
        "site_url": settings.VECHE_SITE_URL,
    }
