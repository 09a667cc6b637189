"""Who calls the API: a bearer token (no CSRF), or the Django session (CSRF on writes)."""

from __future__ import annotations

from typing import Any

from django.conf import settings
from django.http import HttpRequest
from ninja.errors import AuthenticationError, HttpError
from ninja.security import HttpBearer
from ninja.security.apikey import APIKeyCookie

from veche.api.middleware import AllowedSiteCsrfMiddleware
from veche.api.tokens import token_for_secret


class BearerAuth(HttpBearer):
    def authenticate(self, request: HttpRequest, token: str) -> Any:
        found = token_for_secret(token)
        if found is None:
            return None
        request.api_token = found
        return found.user


class SessionAuth(APIKeyCookie):
    """The signed-in session; writes must pass the (allow-list aware) CSRF check.

    Unlike ninja's django_auth it checks CSRF only for a signed-in session, so an
    anonymous call gets 401, not a CSRF failure."""

    param_name = settings.SESSION_COOKIE_NAME

    def _get_key(self, request: HttpRequest) -> str | None:
        user = getattr(request, "user", None)
        if user is None or not user.is_authenticated:
            return None
        if self.csrf and request.method not in ("GET", "HEAD", "OPTIONS", "TRACE"):
            checker = AllowedSiteCsrfMiddleware(lambda r: None)
            request.csrf_processing_done = False
            checker.process_request(request)
            if checker.process_view(request, lambda r: None, (), {}) is not None:
                raise HttpError(403, "CSRF check failed: send the X-CSRFToken header.")
        return request.COOKIES.get(self.param_name)

    def authenticate(self, request: HttpRequest, key: str | None) -> Any:
        if key is not None and request.user.is_authenticated:
            return request.user
        return None


bearer = BearerAuth()
session = SessionAuth(csrf=True)
AUTH = [bearer, session]


def optional_user(request: HttpRequest) -> Any:
    """The caller on an endpoint open to everyone: a valid bearer token's user, else the
    session's user (anonymous included). A bearer token that is wrong is refused."""
    header = request.headers.get("Authorization", "")
    if header:
        scheme, _, secret = header.partition(" ")
        if scheme.lower() != "bearer":
            raise AuthenticationError()
        token = token_for_secret(secret)
        if token is None:
            raise AuthenticationError()
        request.api_token = token
        return token.user
    return request.user
