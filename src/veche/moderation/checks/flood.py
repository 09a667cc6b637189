"""Posting and editing rate limits per user and per IP address (429 past the limit)."""

from __future__ import annotations

import math

from veche.discussion.hooks import Draft, Verdict
from veche.moderation import conf, ratelimit
from veche.moderation.checks.context import is_moderator, trust


def check(draft: Draft) -> Verdict | None:
    if is_moderator(draft):
        return None
    kind = "edit" if draft.editing is not None else "post"
    limit = conf.rate(kind)
    if limit is None:
        return None
    count, seconds = limit
    allowed = max(1, math.floor(count * conf.rate_multiplier(trust(draft))))
    message = (
        "You are editing too often." if kind == "edit" else "You are posting too fast."
    )
    limits = [ratelimit.Limit(kind, f"u{draft.author.pk}", allowed, seconds, message)]
    ip_limit = conf.parse_rate(conf.get(f"VECHE_{kind.upper()}_RATE_IP", None)) or limit
    if draft.ip_address and kind == "post":
        limits.append(ratelimit.Limit(
            kind, f"ip{draft.ip_address}", ip_limit[0], ip_limit[1],
            "Too many comments from your network.",
        ))
    # Every attempt counts against the address as well as the account.
    ratelimit.hit_all(limits)
    return None


def vote_guard(action: str, user) -> None:
    """Votes per user per window (VECHE_VOTE_RATE), registered as a discussion guard."""
    if action != "vote" or getattr(user, "is_moderator", False):
        return
    limit = conf.rate("vote")
    if limit is None:
        return
    ratelimit.hit("vote", f"u{user.pk}", limit[0], limit[1], message="You are voting too fast.")
