"""CORS and CSRF that follow the AllowedSite list as it changes in the database."""

from __future__ import annotations

from collections.abc import Callable

from django.http import HttpRequest, HttpResponse
from django.middleware.csrf import CsrfViewMiddleware
from django.utils.cache import patch_vary_headers

from veche.api.origins import is_allowed

API_PREFIX = "/api/"
ALLOW_METHODS = "GET, POST, PATCH, DELETE, OPTIONS"
ALLOW_HEADERS = "Authorization, Content-Type, X-CSRFToken"
PREFLIGHT_MAX_AGE = "600"


class CorsMiddleware:
    """Answers preflights and adds Access-Control-Allow-Origin/-Credentials for the
    allowed sites' origins, on /api/ paths only."""

    def __init__(self, get_response: Callable[[HttpRequest], HttpResponse]) -> None:
        self.get_response = get_response

    def __call__(self, request: HttpRequest) -> HttpResponse:
        if not request.path.startswith(API_PREFIX):
            return self.get_response(request)
        origin = request.headers.get("Origin")
        allowed = is_allowed(origin)
        if (
            request.method == "OPTIONS"
            and "Access-Control-Request-Method" in request.headers
        ):
            response = HttpResponse(status=204 if allowed else 403)
            if allowed:
                response["Access-Control-Allow-Methods"] = ALLOW_METHODS
                response["Access-Control-Allow-Headers"] = ALLOW_HEADERS
                response["Access-Control-Max-Age"] = PREFLIGHT_MAX_AGE
        else:
            response = self.get_response(request)
        if allowed:
            response["Access-Control-Allow-Origin"] = origin
            response["Access-Control-Allow-Credentials"] = "true"
            response["Access-Control-Expose-Headers"] = "Retry-After"
        patch_vary_headers(response, ("Origin",))
        return response


class AllowedSiteCsrfMiddleware(CsrfViewMiddleware):
    """Django's CSRF check, also trusting the origins of enabled AllowedSites (the
    token must still match; only the Origin check is widened).

    The API's session auth (veche.api.auth.SessionAuth) runs it for API writes. The
    site-wide MIDDLEWARE keeps Django's own class: the web forms need no cross-site
    posts, and `check --deploy` (security.W003) wants that exact class listed."""

    def _origin_verified(self, request: HttpRequest) -> bool:
        if super()._origin_verified(request):
            return True
        return is_allowed(request.META.get("HTTP_ORIGIN"))


class PopupOpenerMiddleware:
    """Django sends Cross-Origin-Opener-Policy: same-origin, which would cut the sign-in
    pop-up off from the embed frame that opened it (the frame's top page is another
    site). While a session is in the embed's pop-up flow, its pages say unsafe-none.
    List it after SessionMiddleware (and so after SecurityMiddleware)."""

    PATHS = ("/accounts/", "/embed/")

    def __init__(self, get_response: Callable[[HttpRequest], HttpResponse]) -> None:
        self.get_response = get_response

    def __call__(self, request: HttpRequest) -> HttpResponse:
        response = self.get_response(request)
        session = getattr(request, "session", None)
        if request.path.startswith(self.PATHS) and session is not None and session.get(
            "veche_embed_popup"
        ):
            response["Cross-Origin-Opener-Policy"] = "unsafe-none"
        return response
