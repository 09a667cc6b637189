"""Staff and powerful roles must have a second factor before using the site."""

from __future__ import annotations

from collections.abc import Callable

from django.conf import settings
from django.contrib import messages
from django.http import HttpRequest, HttpResponse
from django.shortcuts import redirect
from django.urls import reverse

from veche.accounts.mfa_policy import needs_mfa_setup

# The MFA setup and sign-out live under /accounts/; /health is for load balancers.
EXEMPT_PREFIXES = ("/accounts/", "/static/", "/health")

MFA_REQUIRED_MESSAGE = (
    "Your account has staff or editorial powers, so it must be protected by "
    "two-factor authentication. Please set up an authenticator app to continue."
)


class RequireStaffMFAMiddleware:
    def __init__(self, get_response: Callable[[HttpRequest], HttpResponse]) -> None:
        self.get_response = get_response

    def __call__(self, request: HttpRequest) -> HttpResponse:
        if (
            getattr(settings, "VECHE_MFA_REQUIRED", False)
            and not self._exempt(request.path)
            and needs_mfa_setup(request.user)
        ):
            messages.warning(request, MFA_REQUIRED_MESSAGE)
            return redirect("mfa_activate_totp")
        return self.get_response(request)

    @staticmethod
    def _exempt(path: str) -> bool:
        return path.startswith(EXEMPT_PREFIXES) or path == reverse("account_logout")
