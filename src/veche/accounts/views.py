"""Public profiles, generated avatars and the reader's own settings."""

from __future__ import annotations

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.http import HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.urls import NoReverseMatch, reverse
from django.utils.cache import patch_cache_control
from django.views.decorators.http import require_GET, require_http_methods

from veche.accounts.avatars import identicon_svg
from veche.accounts.forms import DisplayNameForm
from veche.accounts.models import User

RECENT_COMMENTS = 20


def comment_url(comment_id: int) -> str:
    try:
        return reverse("discussion:permalink", args=[comment_id])
    except NoReverseMatch:  # until the discussion app names its permalink route
        return f"/c/{comment_id}/"


@require_GET
def profile(request: HttpRequest, username: str) -> HttpResponse:
    user = User.objects.filter(username=username).first()
    if user is None:
        # Our own page rather than handler404, so the reader sees the site around it.
        return render(
            request, "accounts/profile_not_found.html", {"username": username}, status=404
        )
    from veche.discussion.models import AuthorTally, Comment, CommentStatus

    published = Comment.objects.filter(author=user, status=CommentStatus.PUBLISHED)
    # The discussion's stored tally, not a count of the author's comments.
    count = (
        AuthorTally.objects.filter(user=user, status=CommentStatus.PUBLISHED)
        .values_list("comments", flat=True)
        .first()
    )
    recent = published.select_related("thread").order_by("-created_at")[:RECENT_COMMENTS]
    return render(
        request,
        "accounts/profile.html",
        {
            "profile_user": user,
            "comment_count": count or 0,
            "recent_comments": [(c, comment_url(c.pk)) for c in recent],
        },
    )


@require_GET
def avatar(request: HttpRequest, username: str) -> HttpResponse:
    response = HttpResponse(identicon_svg(username), content_type="image/svg+xml")
    # The picture depends on the name alone, so it never changes.
    patch_cache_control(response, public=True, max_age=365 * 24 * 3600, immutable=True)
    return response


@login_required
@require_http_methods(["GET", "POST"])
def settings_view(request: HttpRequest) -> HttpResponse:
    user = request.user
    if request.method == "POST":
        form = DisplayNameForm(request.POST, user=user)
        if form.is_valid():
            user.display_name = form.cleaned_data["display_name"]
            user.save(update_fields=["display_name"])
            messages.success(request, "Your display name has been saved.")
            return redirect("accounts:settings")
        messages.error(request, "Your display name was not changed: see the form below.")
    else:
        form = DisplayNameForm(user=user, initial={"display_name": user.public_name})
    from allauth.mfa.models import Authenticator

    has_mfa = Authenticator.objects.filter(user=user, type=Authenticator.Type.TOTP).exists()
    from veche.accounts.personal_data import deletion_mode
    from veche.accounts.policy import participation_refusal

    refusal = participation_refusal(user)
    return render(request, "accounts/settings.html", {
        "form": form, "has_mfa": has_mfa,
        # A suspension, a ban or an unconfirmed address: say so where the reader looks.
        "participation_refusal": refusal[1] if refusal else "",
        "account_deletion_removes_comments": deletion_mode() == "remove",
    })


@login_required
@require_GET
def download_my_data(request: HttpRequest) -> HttpResponse:
    import json

    from django.core.serializers.json import DjangoJSONEncoder

    from veche.accounts.personal_data import user_data

    body = json.dumps(user_data(request.user), cls=DjangoJSONEncoder, indent=2,
                      ensure_ascii=False)
    response = HttpResponse(body, content_type="application/json; charset=utf-8")
    response["Content-Disposition"] = (
        f'attachment; filename="veche-data-{request.user.username}.json"'
    )
    patch_cache_control(response, private=True, no_store=True)
    return response


@login_required
@require_http_methods(["POST"])
def delete_my_account(request: HttpRequest) -> HttpResponse:
    from django.contrib.auth import logout

    from veche.accounts.personal_data import DeleteAccountForm, delete_account

    if not DeleteAccountForm(request.user, request.POST).is_valid():
        messages.error(request, "Your account was not deleted: the password is not right.")
        return redirect("accounts:settings")
    user = request.user
    logout(request)
    delete_account(user)
    messages.success(request, "Your account has been deleted.")
    return redirect("/")
