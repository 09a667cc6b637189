"""django-csp's middleware, with each distinct policy built once per process.

django-csp builds the Content-Security-Policy header anew for every response (both the
policy and its report-only twin, through dataclasses.asdict and a walk over every
directive): ~0.15–0.3 ms of CPU a request, as much as a signed-in post's database
lookup. The policy depends only on the settings and on what a view asked for (the
csp_update/csp_replace/csp_exempt attributes), so the header text is kept by those
inputs; a response that carries a nonce is built afresh, as a nonce is per request.
Settings changed at run time (tests) clear what was kept.
"""

from __future__ import annotations

import http.client
from typing import Any

from csp.constants import HEADER, HEADER_REPORT_ONLY
from csp.middleware import CheckableLazyObject
from csp.middleware import CSPMiddleware as UpstreamCSPMiddleware
from csp.utils import build_policy
from django.conf import settings
from django.core.signals import setting_changed
from django.http import HttpRequest, HttpResponseBase

_built: dict[tuple, str] = {}
_EXEMPTED_IN_DEBUG = (http.client.INTERNAL_SERVER_ERROR, http.client.NOT_FOUND)


def _forget(**kwargs: Any) -> None:
    _built.clear()


setting_changed.connect(_forget, dispatch_uid="veche.core.csp")


def policy(config: Any, update: Any, replace: Any, nonce: str | None,
           report_only: bool) -> str:
    """build_policy's header text; kept when no nonce is in it."""
    if nonce is not None:
        return build_policy(config=config, update=update, replace=replace, nonce=nonce,
                            report_only=report_only)
    key = (report_only, repr(config), repr(update), repr(replace))
    text = _built.get(key)
    if text is None:
        text = _built[key] = build_policy(config=config, update=update, replace=replace,
                                          report_only=report_only)
    return text


class CSPMiddleware(UpstreamCSPMiddleware):
    """The upstream middleware's process_response (django-csp 4.0), with `policy` in
    place of build_policy."""

    def process_response(self, request: HttpRequest,
                         response: HttpResponseBase) -> HttpResponseBase:
        if response.status_code in _EXEMPTED_IN_DEBUG and settings.DEBUG:
            return response
        nonce = getattr(request, "_csp_nonce", None)
        for report_only, header, setting, exempt in (
            (False, HEADER, "CONTENT_SECURITY_POLICY", "_csp_exempt"),
            (True, HEADER_REPORT_ONLY, "CONTENT_SECURITY_POLICY_REPORT_ONLY", "_csp_exempt_ro"),
        ):
            parts = self.get_policy_parts(request=request, response=response,
                                          report_only=report_only)
            text = policy(parts.config, parts.update, parts.replace, parts.nonce,
                          report_only)
            if not text or header in response or getattr(response, exempt, False):
                continue
            prefixes = (getattr(settings, setting, None) or {}).get("EXCLUDE_URL_PREFIXES")
            if not request.path_info.startswith(tuple(prefixes or ())):
                response[header] = text
        if nonce is None:
            # As upstream: a nonce asked for after the header was written would not be
            # in it, so asking is an error from here on.
            request.csp_nonce = CheckableLazyObject(self._csp_nonce_post_response)
        return response
