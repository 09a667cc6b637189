"""Veche's pages for embedding: /embed.js, the discussion frame, the sign-in pop-up,
and /t/<id>/, Veche's own page of a thread (external pages' threads have no other)."""

from __future__ import annotations

from pathlib import Path

from django.conf import settings
from django.contrib.auth.views import redirect_to_login
from django.http import Http404, HttpRequest, HttpResponse, HttpResponseRedirect
from django.shortcuts import render
from django.urls import reverse
from django.views.decorators.cache import never_cache
from django.views.decorators.clickjacking import xframe_options_exempt
from django.views.decorators.http import require_GET

from veche.api import serialize
from veche.api.models import TokenKind
from veche.api.threads import external_thread
from veche.api.tokens import issue_token
from veche.discussion.errors import ActionError
from veche.discussion.models import Thread
from veche.discussion.web import parse_page_args, render_discussion

EMBED_JS = Path(settings.PACKAGE_DIR) / "static" / "veche" / "embed.js"
POPUP_FLAG = "veche_embed_popup"


@require_GET
def embed_js(request: HttpRequest) -> HttpResponse:
    """The host pages' one script, at a stable address (the hashed static copy changes)."""
    response = HttpResponse(EMBED_JS.read_bytes(), content_type="text/javascript; charset=utf-8")
    response["Cache-Control"] = "public, max-age=300"
    response["Cross-Origin-Resource-Policy"] = "cross-origin"
    return response


@require_GET
@xframe_options_exempt
def embed_thread(request: HttpRequest) -> HttpResponse:
    """The discussion frame. Only the allowed site it names may frame it: CSP
    frame-ancestors is that one origin, read from the database per request."""
    try:
        thread = external_thread(
            request.GET.get("origin"), request.GET.get("uri"), request.GET.get("title", "")
        )
    except ActionError as error:
        return render(request, "api/embed_error.html", {"error": error}, status=error.status)
    origin = thread.url[: len(thread.url) - len(request.GET["uri"])]
    response = render(
        request,
        "api/embed_thread.html",
        {
            "thread": thread,
            "host_origin": origin,
            "count": thread.comment_count,
            "max_length": settings.VECHE_COMMENT_MAX_LENGTH,
        },
    )
    # django-csp 4 reads this attribute (what its csp_replace decorator sets).
    response._csp_replace = {"frame-ancestors": [origin]}
    return response


@never_cache
def embed_login(request: HttpRequest) -> HttpResponse:
    """The sign-in pop-up's first page. It marks the session so the whole pop-up flow
    keeps its opener (see PopupOpenerMiddleware), then goes to allauth's sign-in."""
    request.session[POPUP_FLAG] = True
    signed_in = reverse("api-site:embed-signed-in")
    if request.user.is_authenticated:
        return HttpResponseRedirect(signed_in)
    return redirect_to_login(signed_in, reverse("account_login"))


@never_cache
def embed_signed_in(request: HttpRequest) -> HttpResponse:
    """After sign-in in the pop-up: a short-lived bearer token for the embed frame, which
    the page posts to its opener (Veche's own origin only) and closes."""
    if not request.user.is_authenticated:
        return redirect_to_login(request.get_full_path(), reverse("account_login"))
    request.session.pop(POPUP_FLAG, None)
    token, secret = issue_token(request.user, kind=TokenKind.EMBED, name="embed sign-in")
    message = {
        "type": "veche:signed-in",
        "token": secret,
        "expires": token.expires_at.isoformat() if token.expires_at else None,
        "user": serialize.me_out(request.user),
    }
    response = render(request, "api/embed_signed_in.html", {"message": message})
    response["Cross-Origin-Opener-Policy"] = "unsafe-none"
    return response


def thread_page(request: HttpRequest, thread_id: int) -> HttpResponse:
    thread = Thread.objects.filter(pk=thread_id).first()
    if thread is None:
        raise Http404("There is no such discussion.")
    page, sort = parse_page_args(request)
    discussion = render_discussion(request, thread, page=page, sort=sort, base_url=request.path)
    return render(request, "api/thread_page.html", {"thread": thread, "discussion": discussion})
