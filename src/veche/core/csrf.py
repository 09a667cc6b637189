"""The page shown when a form's CSRF check fails (mostly: the session expired).

A comment form gets its typed text back, so nothing the reader wrote is lost.
"""

from __future__ import annotations

from django.http import HttpRequest, HttpResponse
from django.shortcuts import render


def csrf_failure(request: HttpRequest, reason: str = "") -> HttpResponse:
    return render(
        request,
        "csrf_failure.html",
        {"body": request.POST.get("body", ""), "quote_text": request.POST.get("quote_text", "")},
        status=403,
    )
