"""State changes of accounts."""

from __future__ import annotations

import re
import unicodedata

from django.db import transaction

from veche.accounts.models import User

USERNAME_UNSAFE = re.compile(r"[^\w.@+-]+")


def username_from_name(name: str) -> str:
    """A valid Django username for a display name ("Same lech" -> "Same_lech")."""
    name = unicodedata.normalize("NFKC", name).strip()
    return USERNAME_UNSAFE.sub("_", name).strip("_")[:150] or "reader"


def find_user_by_name(name: str) -> User | None:
    return User.objects.filter(username__iexact=username_from_name(name)).first()


@transaction.atomic
def create_imported_user(name: str, *, source: str, email: str = "") -> User:
    """An unclaimed account for a name found in an import: it cannot sign in, and its
    name stays reserved. Importing the same name again returns the same account."""
    existing = find_user_by_name(name)
    if existing is not None:
        return existing
    user = User(
        username=username_from_name(name),
        display_name=name.strip()[:150],
        claim_email=email,
        is_imported=True,
        imported_from=source[:100],
    )
    user.set_unusable_password()
    user.save()
    return user


# Names that would pass for the site speaking; compared case-insensitively.
RESERVED_NAMES = frozenset({"admin", "moderator", "veche", "root", "support", "staff"})


def name_refusal(name: str, *, exclude_user_id: int | None = None) -> str | None:
    """Why a new user name (or display name) may not be taken, or None if it may."""
    candidate = username_from_name(name)
    if name.strip().casefold() in RESERVED_NAMES or candidate.casefold() in RESERVED_NAMES:
        return "That name is reserved. Please choose another."
    imported = User.objects.filter(is_imported=True, username__iexact=candidate)
    if exclude_user_id is not None:
        imported = imported.exclude(pk=exclude_user_id)
    if imported.exists():
        return (
            "That name belongs to an imported account and stays reserved for its "
            "owner. Please choose another name."
        )
    return None
