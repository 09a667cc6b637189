"""Who may take part in discussions (comment, reply, quote, vote)."""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

# Other apps' reasons to refuse (moderation's suspensions and bans); each gets a
# signed-in, verified user and returns (code, message) or None.
Refusal = Callable[[Any], "tuple[str, str] | None"]
_refusals: list[Refusal] = []


def register_refusal(provider: Refusal) -> Refusal:
    if provider not in _refusals:
        _refusals.append(provider)
    return provider


def participation_refusal(user: Any) -> tuple[str, str] | None:
    """None when the user may take part, else (code, message) saying why not."""
    if user is None or not getattr(user, "is_authenticated", False):
        return "not_signed_in", "Sign in to take part in the discussion."
    if not user.is_active:
        return "inactive", "This account is disabled."
    if getattr(user, "is_imported", False):
        return "imported_account", "This imported account has not been claimed yet."
    from allauth.account.models import EmailAddress

    if not EmailAddress.objects.filter(user=user, verified=True).exists():
        return (
            "email_not_verified",
            "Confirm your e-mail address first: follow the link we mailed you.",
        )
    for provider in _refusals:
        refusal = provider(user)
        if refusal is not None:
            return refusal
    return None
