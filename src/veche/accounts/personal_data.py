"""A reader's own data: download it, or delete the account.

Deleting, in one transaction:
* the reader's votes go, and the comments they were on get their counters recomputed;
* the reader's comments, as settings.VECHE_ACCOUNT_DELETION_COMMENTS says:
  "anonymise" (default): they stay, by "deleted user" (author=None);
  "remove": they become "deleted" placeholders (replies by others stay) with the text,
  quotes and earlier revisions erased, also by "deleted user";
  either way quotes of them elsewhere no longer carry the reader's name;
* the user row is deleted (e-mail addresses, second factors and sessions with it); if
  something still protects the row, it is deactivated and scrubbed instead.
"""

from __future__ import annotations

from typing import Any

from django.conf import settings
from django.db import transaction
from django.db.models import ProtectedError

from veche.accounts.models import User

DELETED_NAME = "deleted user"
MODES = ("anonymise", "remove")


def deletion_mode() -> str:
    mode = getattr(settings, "VECHE_ACCOUNT_DELETION_COMMENTS", "anonymise")
    if mode not in MODES:
        raise ValueError(f"VECHE_ACCOUNT_DELETION_COMMENTS must be one of {MODES}, not {mode!r}")
    return mode


def _iso(moment: Any) -> str | None:
    return moment.isoformat() if moment else None


def user_data(user: User) -> dict[str, Any]:
    """Everything the site keeps about the reader, as JSON-ready data."""
    from allauth.account.models import EmailAddress

    from veche.accounts.views import comment_url
    from veche.discussion.models import Comment, Vote

    comments = (
        Comment.objects.filter(author=user).select_related("thread").order_by("created_at", "pk")
    )
    votes = Vote.objects.filter(user=user).select_related("comment__thread").order_by("pk")
    return {
        "profile": {
            "username": user.username,
            "display_name": user.display_name,
            "public_name": user.public_name,
            "first_name": user.first_name,
            "last_name": user.last_name,
            "date_joined": _iso(user.date_joined),
            "last_login": _iso(user.last_login),
            "groups": sorted(user.groups.values_list("name", flat=True)),
        },
        "email_addresses": [
            {"email": e.email, "verified": e.verified, "primary": e.primary}
            for e in EmailAddress.objects.filter(user=user).order_by("pk")
        ],
        "comments": [
            {
                "id": c.pk,
                "url": comment_url(c.pk),
                "thread_title": c.thread.title,
                "thread_url": c.thread.url,
                "parent_id": c.parent_id,
                "status": c.status,
                "author_name": c.author_name,
                "created_at": _iso(c.created_at),
                "edited_at": _iso(c.edited_at),
                "body_markdown": c.body_markdown,
                "quoted_text": c.quoted_text,
                "ip_address": c.ip_address,
            }
            for c in comments.iterator(chunk_size=1000)
        ],
        "votes": [
            {
                "comment_id": v.comment_id,
                "thread_title": v.comment.thread.title,
                "thread_url": v.comment.thread.url,
                "value": v.value,
                "created_at": _iso(v.created_at),
            }
            for v in votes.iterator(chunk_size=1000)
        ],
    }


@transaction.atomic
def delete_account(user: User, *, mode: str | None = None) -> None:
    from veche.discussion import actions as discussion

    mode = mode or deletion_mode()
    if mode not in MODES:
        raise ValueError(f"unknown deletion mode {mode!r}")
    user = User.objects.select_for_update().get(pk=user.pk)
    discussion.do_withdraw_all_votes(user)
    discussion.do_detach_author(user, shown_name=DELETED_NAME, erase_text=mode == "remove")

    try:
        with transaction.atomic():
            user.delete()
    except ProtectedError:
        _scrub(user)


def _scrub(user: User) -> None:
    from allauth.account.models import EmailAddress

    EmailAddress.objects.filter(user=user).delete()
    user.username = f"deleted-{user.pk}"
    user.display_name = DELETED_NAME
    user.first_name = user.last_name = user.email = ""
    user.is_active = False
    user.set_unusable_password()
    user.save()
    user.groups.clear()


class DeleteAccountForm:
    """The password, to confirm deleting the account (a plain check, no Django form
    state is needed)."""

    def __init__(self, user: User, data: Any) -> None:
        self.user = user
        self.password = (data or {}).get("password", "")

    def is_valid(self) -> bool:
        return bool(self.password) and self.user.check_password(self.password)
