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

The imported address lives in User.claim_email, not User.email, so allauth's unique
address rule does not stop its owner from signing up with it.
"""

from __future__ import annotations

from typing import Any

from django.db import transaction

from veche.accounts.models import User


@transaction.atomic
def claim_imported_accounts(user: User, email: str) -> list[User]:
    """Move every imported account with this address into `user`; the ones merged."""
    from veche.discussion import actions as discussion

    claimed = list(
        User.objects.select_for_update()
        .filter(is_imported=True, is_active=True, claim_email__iexact=email.strip())
        .exclude(pk=user.pk)
    )
    for imported in claimed:
        discussion.do_reassign_author(imported, user)
        imported.is_active = False
        imported.claim_email = ""
        imported.imported_from = f"{imported.imported_from} (claimed by #{user.pk})"[:100]
        imported.save(update_fields=["is_active", "claim_email", "imported_from"])
    return claimed


def on_email_confirmed(sender: Any, request: Any = None, email_address: Any = None,
                       **kwargs: Any) -> None:
    if email_address is not None and email_address.user_id:
        claim_imported_accounts(email_address.user, email_address.email)


def connect() -> None:
    """Called from AccountsConfig.ready()."""
    from allauth.account.signals import email_confirmed

    email_confirmed.connect(on_email_confirmed, dispatch_uid="veche.accounts.claims")
