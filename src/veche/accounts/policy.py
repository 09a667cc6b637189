"""Who may take part in discussions (comment, reply, quote, vote)."""

from __future__ import annotations

from typing import Any


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
    return None
