"""Who may take part in discussions (comment, reply, quote, vote)."""

from __future__ import annotations

from collections.abc import Callable, Mapping
from typing import Any

from veche.accounts.facts import Fact, column, participant_facts, participant_id, table
from veche.accounts.session_user import session_user_of

# Other apps' reasons to refuse (moderation's suspensions and bans). A provider gets a
# signed-in, verified user and the facts read about them (accounts.facts) and returns
# (code, message) or None. Its `annotations` add what it needs to that one query, so a
# refusal costs no query of its own in the common case.
Refusal = Callable[[Any, Mapping[str, Any]], "tuple[str, str] | None"]
Annotations = Callable[[Any], dict[str, Fact]]  # user -> {fact name: (SQL, params)}
_refusals: list[tuple[Refusal, Annotations | None]] = []

VERIFIED = "accounts_verified_email"


def register_refusal(provider: Refusal, annotations: Annotations | None = None) -> Refusal:
    if all(p is not provider for p, _ in _refusals):
        _refusals.append((provider, annotations))
    return provider


def participation_annotations(user: Any) -> dict[str, Fact]:
    """What participation_refusal needs to know about `user`, as facts of their row."""
    from allauth.account.models import EmailAddress

    verified = (
        f"EXISTS(SELECT 1 FROM {table(EmailAddress)} e WHERE e.{column(EmailAddress, 'user')}"  # noqa: S608
        f" = {participant_id()} AND e.{column(EmailAddress, 'verified')})"
    )
    out: dict[str, Fact] = {VERIFIED: (verified, [])}
    for _, annotate in _refusals:
        if annotate is not None:
            out.update(annotate(user))
    return out


def _refusal_without_query(user: Any) -> tuple[str, str] | None:
    if user is None or not getattr(user, "is_authenticated", False):
        return "not_signed_in", "Sign in to take part in the discussion."
    if not user.is_active:
        return "inactive", "This account is disabled."
    if getattr(user, "is_imported", False):
        return "imported_account", "This imported account has not been claimed yet."
    return None


def participation_refusal(
    user: Any, facts: Mapping[str, Any] | None = None
) -> tuple[str, str] | None:
    """None when the user may take part, else (code, message) saying why not.

    `facts`: accounts.facts.participant_facts() already read with
    participation_annotations() among its facts (posting reads them with its own);
    None reads them now.
    """
    refusal = _refusal_without_query(user)
    if refusal is not None:
        return refusal
    if facts is None:
        facts = participant_facts(user, participation_annotations(user))
    if not facts.get(VERIFIED):
        return (
            "email_not_verified",
            "Confirm your e-mail address first: follow the link we mailed you.",
        )
    for provider, _ in _refusals:
        refusal = provider(user, facts)
        if refusal is not None:
            return refusal
    return None


def may_need_facts(user: Any) -> bool:
    """False when the refusal is known without reading the database. A user not loaded
    yet whose session names them (accounts.session_user) may: their row comes with the
    facts, and participation_refusal() asks the rest then."""
    unloaded = session_user_of(user)
    if unloaded is not None and unloaded.session_pk() is not None:
        return True
    return _refusal_without_query(user) is None
