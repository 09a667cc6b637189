"""Staff and powerful roles must have a second factor before using the site."""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

from django.conf import settings
from django.contrib import messages
from django.http import HttpRequest, HttpResponse
from django.shortcuts import redirect
from django.urls import reverse

from veche.accounts.mfa_policy import needs_mfa_setup
from veche.accounts.session_user import (
    MfaSetupRequired,
    SessionUser,
    not_loaded,
    reads_user_with_its_query,
)

# The MFA setup and sign-out live under /accounts/; /health is for load balancers.
EXEMPT_PREFIXES = ("/accounts/", "/static/", "/health")

MFA_REQUIRED_MESSAGE = (
    "Your account has staff or editorial powers, so it must be protected by "
    "two-factor authentication. Please set up an authenticator app to continue."
)


class RequireStaffMFAMiddleware:
    """Asks before the view, with the user's row; a view that reads that row with its
    own first query (accounts.session_user) is asked when the row comes, before it has
    changed anything."""

    def __init__(self, get_response: Callable[[HttpRequest], HttpResponse]) -> None:
        self.get_response = get_response

    def __call__(self, request: HttpRequest) -> HttpResponse:
        return self.get_response(request)

    def process_view(self, request: HttpRequest, view: Callable[..., Any], args: Any,
                     kwargs: Any) -> HttpResponse | None:
        required = getattr(settings, "VECHE_MFA_REQUIRED", False) and not self._exempt(
            request.path
        )
        if reads_user_with_its_query(view) and not_loaded(request.user):
            request.user = SessionUser(
                request, check_mfa=_refuse_without_mfa if required else _no_check
            )
            return None
        if required and needs_mfa_setup(request.user):
            return _to_mfa_setup(request)
        return None

    def process_exception(self, request: HttpRequest,
                          exception: Exception) -> HttpResponse | None:
        if isinstance(exception, MfaSetupRequired):
            return _to_mfa_setup(request)
        return None

    @staticmethod
    def _exempt(path: str) -> bool:
        return path.startswith(EXEMPT_PREFIXES) or path == reverse("account_logout")


def _refuse_without_mfa(user: Any) -> None:
    if needs_mfa_setup(user):
        raise MfaSetupRequired


def _no_check(user: Any) -> None:
    return None


def _to_mfa_setup(request: HttpRequest) -> HttpResponse:
    messages.warning(request, MFA_REQUIRED_MESSAGE)
    return redirect("mfa_activate_totp")
