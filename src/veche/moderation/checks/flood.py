"""Posting and editing rate limits per user and per IP address (429 past the limit)."""

from __future__ import annotations

import math
from typing import Any

from veche.discussion.hooks import Draft, Verdict
from veche.moderation import conf, ratelimit
from veche.moderation.checks.context import is_moderator, trust


def _windows(kind: str, author_pk: Any, ip_address: str | None
             ) -> list[tuple[str, str, int, int | None]] | None:
    """The (kind, who, seconds, fixed limit) windows an attempt counts in (the account's
    limit, None here, depends on the author's trust), or None without a limit."""
    limit = conf.rate(kind)
    if limit is None:
        return None
    windows: list[tuple[str, str, int, int | None]] = [(kind, f"u{author_pk}", limit[1], None)]
    ip_limit = conf.parse_rate(conf.get(f"VECHE_{kind.upper()}_RATE_IP", None)) or limit
    if ip_address and kind == "post":
        windows.append((kind, f"ip{ip_address}", ip_limit[1], ip_limit[0]))
    return windows


def start(early: Draft) -> ratelimit.Counting | None:
    """Posting's count, sent to Redis before the author's facts are read (the round trip
    overlaps theirs): a moderator's attempts count too, and are never held to it."""
    windows = _windows("post", early.author.pk, early.ip_address)
    if windows is None:
        return None
    return ratelimit.start_counting([(kind, who, seconds) for kind, who, seconds, _ in windows])


def check(draft: Draft) -> Verdict | None:
    counted = draft.started.get(check)
    if is_moderator(draft):
        if counted is not None:
            counted.abandon()
        return None
    kind = "edit" if draft.editing is not None else "post"
    windows = _windows(kind, draft.author.pk, draft.ip_address)
    if windows is None:
        return None
    count, _ = conf.rate(kind)
    allowed = max(1, math.floor(count * conf.rate_multiplier(trust(draft))))
    message = (
        "You are editing too often." if kind == "edit" else "You are posting too fast."
    )
    limits = [
        ratelimit.Limit(k, who, allowed if fixed is None else fixed, seconds,
                        message if fixed is None else "Too many comments from your network.")
        for k, who, seconds, fixed in windows
    ]
    # Every attempt counts against the address as well as the account.
    ratelimit.hit_all(limits, counted)
    return None


def vote_guard(action: str, user) -> None:
    """Votes per user per window (VECHE_VOTE_RATE), registered as a discussion guard."""
    if action != "vote" or getattr(user, "is_moderator", False):
        return
    limit = conf.rate("vote")
    if limit is None:
        return
    ratelimit.hit("vote", f"u{user.pk}", limit[0], limit[1], message="You are voting too fast.")
