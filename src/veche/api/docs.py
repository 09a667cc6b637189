"""The API's Swagger UI page with its assets from ninja's package, served by Veche
itself: no CDN, no inline script (the settings travel in a JSON data block)."""

from __future__ import annotations

import json
import mimetypes
from pathlib import Path
from typing import Any

import ninja
from django.http import FileResponse, Http404, HttpRequest, HttpResponse
from django.shortcuts import render
from django.urls import reverse
from ninja.openapi.docs import DocsBase

ASSETS = Path(ninja.__file__).resolve().parent / "static" / "ninja"
ASSET_NAMES = {"swagger-ui-bundle.js", "swagger-ui.css", "swagger-ui-init.js", "favicon.png"}


class OfflineSwagger(DocsBase):
    def render_page(self, request: HttpRequest, api: Any, **kwargs: Any) -> HttpResponse:
        settings = {
            "layout": "BaseLayout",
            "deepLinking": True,
            "url": self.get_openapi_url(api, kwargs),
        }
        return render(
            request,
            "api/docs.html",
            {"api": api, "swagger_settings": json.dumps(settings)},
        )


def docs_asset(request: HttpRequest, name: str) -> FileResponse:
    if name not in ASSET_NAMES:
        raise Http404("No such asset.")
    content_type = mimetypes.guess_type(name)[0] or "application/octet-stream"
    response = FileResponse((ASSETS / name).open("rb"), content_type=content_type)
    response["Cache-Control"] = "public, max-age=86400"
    return response


def asset_url(name: str) -> str:
    return reverse("api:docs-asset", args=[name])
