"""Moderators' queue and user pages, and the readers' report form. Thin: parse, call
an action or selector, render."""

from __future__ import annotations

from collections.abc import Callable
from functools import wraps
from urllib.parse import urlencode

from django.contrib import messages
from django.contrib.auth import get_user_model
from django.contrib.auth.views import redirect_to_login
from django.core.paginator import Paginator
from django.http import Http404, HttpRequest, HttpResponse, HttpResponseRedirect
from django.shortcuts import render
from django.urls import reverse
from django.utils.http import url_has_allowed_host_and_scheme
from django.views.decorators.http import require_http_methods, require_POST

from veche.discussion.errors import ActionError
from veche.discussion.models import Comment, CommentStatus
from veche.moderation import actions, selectors
from veche.moderation.forms import DecisionForm, ReportForm, SanctionForm, UserSettingsForm
from veche.moderation.models import ReportReason, SanctionKind, TrustLevel

PAGE_SIZE = 50


def moderator_required(view: Callable) -> Callable:
    @wraps(view)
    def wrapped(request: HttpRequest, *args, **kwargs) -> HttpResponse:
        if not request.user.is_authenticated:
            return redirect_to_login(request.get_full_path())
        if not getattr(request.user, "is_moderator", False):
            return render(request, "moderation/forbidden.html", status=403)
        return view(request, *args, **kwargs)

    return wrapped


def _with_retry_after(response: HttpResponse, error: ActionError) -> HttpResponse:
    if error.status == 429 and error.retry_after:
        response["Retry-After"] = str(error.retry_after)
    return response


@moderator_required
def queue(request: HttpRequest) -> HttpResponse:
    tab = request.GET.get("tab", "pending")
    if tab not in selectors.TABS:
        tab = "pending"
    check = request.GET.get("check", "")[:64]
    reason = request.GET.get("reason", "")
    if reason not in ReportReason.values:
        reason = ""
    paginator = Paginator(selectors.queue(tab, check=check, reason=reason), PAGE_SIZE)
    try:
        page_number = max(1, int(request.GET.get("page", "1")))
    except ValueError:
        page_number = 1
    page = paginator.get_page(page_number)
    counts = selectors.tab_counts()
    here = request.get_full_path()
    return render(
        request,
        "moderation/queue.html",
        {
            "tab": tab,
            "tabs": [
                {"key": k, "label": label, "count": counts[k],
                 "url": "?" + urlencode({"tab": k}), "current": k == tab}
                for k, label in selectors.TABS.items()
            ],
            "check": check,
            "reason": reason,
            "checks": selectors.flag_checks(),
            "reasons": ReportReason.choices,
            "page": page,
            "items": list(page.object_list),
            "next": here,
        },
    )


def _safe_next(request: HttpRequest, fallback: str) -> str:
    target = request.POST.get("next", "")
    if target and url_has_allowed_host_and_scheme(target, {request.get_host()}):
        return target
    return fallback


@require_POST
@moderator_required
def decide(request: HttpRequest) -> HttpResponse:
    """One decision on one comment (a button on its item) or many (the bulk form)."""
    form = DecisionForm(request.POST)
    back = _safe_next(request, reverse("moderation:queue"))
    if not form.is_valid():
        return render(request, "moderation/error.html",
                      {"error": "Choose an action and at least one comment.", "back": back},
                      status=400)
    data = form.cleaned_data
    try:
        done, errors = actions.bulk_decide(
            data["ids"], data["action"], actor=request.user, reason=data["reason"]
        )
    except ActionError as error:
        return render(request, "moderation/error.html", {"error": error.message, "back": back},
                      status=error.status)
    if done:
        messages.success(request, f"{data['action'].capitalize()}: {len(done)} comment(s).")
    for cid, message in errors.items():
        messages.error(request, f"#{cid}: {message}")
    return HttpResponseRedirect(back)


@require_http_methods(["GET", "POST"])
def report(request: HttpRequest, comment_id: int) -> HttpResponse:
    comment = Comment.objects.select_related("thread").filter(pk=comment_id).first()
    if comment is None or comment.status != CommentStatus.PUBLISHED:
        raise Http404("There is no such comment to report.")
    if not request.user.is_authenticated:
        return redirect_to_login(request.get_full_path())
    form = ReportForm(request.POST or None)
    error, status = "", 200
    if request.method == "POST":
        if form.is_valid():
            try:
                actions.report_comment(
                    reporter=request.user, comment_id=comment.pk,
                    reason=form.cleaned_data["reason"], note=form.cleaned_data["note"],
                )
            except ActionError as e:
                error, status = e.message, e.status
                response = render(request, "moderation/report.html",
                                  {"comment": comment, "form": form, "error": error},
                                  status=status)
                return _with_retry_after(response, e)
            messages.success(request, "Thank you: the moderators will look at the comment.")
            return HttpResponseRedirect(reverse("discussion:permalink", args=[comment.pk]))
        error, status = "Choose a reason for the report.", 400
    elif comment.author_id == request.user.pk:
        error, status = "You cannot report your own comment.", 403
    return render(request, "moderation/report.html",
                  {"comment": comment, "form": form, "error": error}, status=status)


@require_http_methods(["GET", "POST"])
@moderator_required
def user_page(request: HttpRequest, user_id: int) -> HttpResponse:
    user = get_user_model().objects.filter(pk=user_id).first()
    if user is None:
        raise Http404("There is no such user.")
    error, status = "", 200
    if request.method == "POST":
        try:
            _user_post(request, user)
            return HttpResponseRedirect(reverse("moderation:user", args=[user.pk]))
        except ActionError as e:
            error, status = e.message, e.status
    record = selectors.user_record(user)
    return render(
        request,
        "moderation/user.html",
        {
            "record": record,
            "subject": user,
            "trust_label": TrustLevel(record.trust).label,
            "trust_choices": TrustLevel.choices,
            "sanction_kinds": SanctionKind.choices,
            "error": error,
        },
        status=status,
    )


def _user_post(request: HttpRequest, user) -> None:
    what = request.POST.get("form")
    if what == "sanction":
        form = SanctionForm(request.POST)
        if not form.is_valid():
            raise ActionError("bad_form", "Give the kind, a reason and (for a suspension) "
                              "the number of days.", status=400)
        data = form.cleaned_data
        if data["kind"] == SanctionKind.WARNING:
            actions.warn_user(user, actor=request.user, reason=data["reason"])
        elif data["kind"] == SanctionKind.SUSPENSION:
            if not data["days"]:
                raise ActionError("bad_days", "How many days?", status=400)
            actions.suspend_user(user, actor=request.user, reason=data["reason"],
                                 days=data["days"])
        else:
            actions.ban_user(user, actor=request.user, reason=data["reason"])
        messages.success(request, "Sanction recorded.")
    elif what == "revoke":
        try:
            sanction_id = int(request.POST.get("sanction", ""))
        except ValueError:
            raise ActionError("bad_form", "Which sanction?", status=400) from None
        actions.revoke_sanction(sanction_id, actor=request.user)
        messages.success(request, "Sanction revoked.")
    elif what == "settings":
        form = UserSettingsForm(request.POST)
        if not form.is_valid():
            raise ActionError("bad_form", "Check the settings form.", status=400)
        data = form.cleaned_data
        actions.set_user_moderation(
            user, actor=request.user, always_premoderate=data["always_premoderate"],
            trust_level=data["trust_level"], notes=data["notes"],
        )
        messages.success(request, "Settings saved.")
    else:
        raise ActionError("bad_form", "Unknown form.", status=400)


def mine(request: HttpRequest) -> HttpResponse:
    """A reader's own held, rejected and removed comments with the reasons, and any
    warnings or sanctions on the account."""
    if not request.user.is_authenticated:
        return redirect_to_login(request.get_full_path())
    from veche.moderation.models import Sanction

    return render(
        request,
        "moderation/mine.html",
        {
            "items": selectors.own_moderated_comments(request.user),
            "active": selectors.active_sanction(request.user.pk),
            "sanctions": Sanction.objects.filter(user=request.user, revoked=False),
        },
    )
