"""A person claims the imported account that carries their e-mail address.

When someone verifies an address (allauth's email_confirmed) and an imported account
(User.is_imported) has the same address, that account's comments and votes move to
the person's account in one transaction, and the imported account is deactivated:
it keeps is_imported (so its name stays reserved: nobody else can post under it), loses
the address (so it cannot be claimed twice), and records who claimed it.

The comments keep their author_name: it is the name they were posted under, so the
discussion reads as it did; the link to the account (Comment.author) is what moves.
Votes move too, except where the person already voted on the same comment (theirs is
kept) or where the vote is on what is now their own comment (it is withdrawn); the
comments' counters are recomputed for those.

Note: with ACCOUNT_UNIQUE_EMAIL, allauth refuses a new sign-up or a new address that
equals an existing User.email, and create_imported_user stores the address there; see
the report for the consequences.
"""

from __future__ import annotations

from typing import Any

from django.db import transaction
from django.db.models import F

from veche.accounts.models import User


@transaction.atomic
def claim_imported_accounts(user: User, email: str) -> list[User]:
    """Move every imported account with this address into `user`; the ones merged."""
    from veche.discussion.models import Comment, Thread, Vote

    claimed = list(
        User.objects.select_for_update()
        .filter(is_imported=True, is_active=True, email__iexact=email.strip())
        .exclude(pk=user.pk)
    )
    for imported in claimed:
        thread_ids = set(
            Comment.objects.filter(author=imported).values_list("thread_id", flat=True)
        )
        Comment.objects.filter(author=imported).update(author=user)
        votes = Vote.objects.filter(user=imported)
        dropped = votes.filter(comment__author=user) | votes.filter(
            comment__votes__user=user
        )
        touched = set(dropped.values_list("comment_id", flat=True))
        dropped_ids = list(dropped.values_list("pk", flat=True))
        Vote.objects.filter(pk__in=dropped_ids).delete()
        Vote.objects.filter(user=imported).update(user=user)
        for comment_id in touched:
            recount_votes(comment_id)
        thread_ids |= set(
            Comment.objects.filter(pk__in=touched).values_list("thread_id", flat=True)
        )
        Thread.objects.filter(pk__in=thread_ids).update(version=F("version") + 1)
        imported.is_active = False
        imported.email = ""
        imported.imported_from = f"{imported.imported_from} (claimed by #{user.pk})"[:100]
        imported.save(update_fields=["is_active", "email", "imported_from"])
    return claimed


def recount_votes(comment_id: int) -> None:
    """Set a comment's vote counters from its Vote rows (same formula as vote_comment)."""
    from veche.discussion.actions import wilson_lower_bound
    from veche.discussion.models import Comment, Vote

    up = Vote.objects.filter(comment_id=comment_id, value=1).count()
    down = Vote.objects.filter(comment_id=comment_id, value=-1).count()
    Comment.objects.filter(pk=comment_id).update(
        upvotes=up, downvotes=down, score=up - down, wilson=wilson_lower_bound(up, down)
    )


def on_email_confirmed(sender: Any, request: Any = None, email_address: Any = None,
                       **kwargs: Any) -> None:
    if email_address is not None and email_address.user_id:
        claim_imported_accounts(email_address.user, email_address.email)


def connect() -> None:
    """Called from AccountsConfig.ready()."""
    from allauth.account.signals import email_confirmed

    email_confirmed.connect(on_email_confirmed, dispatch_uid="veche.accounts.claims")
