"""Readers whose comments are mostly rejected have their new ones held."""

from __future__ import annotations

from veche.discussion.hooks import HOLD, Draft, Verdict
from veche.discussion.models import CommentStatus
from veche.moderation import conf
from veche.moderation.checks.context import stats

BAD = (CommentStatus.REJECTED, CommentStatus.SPAM, CommentStatus.REMOVED)


def reject_share(user_id: int) -> tuple[int, float]:
    """(comments judged, share of them rejected/spam/removed); own deletions don't count."""
    from veche.moderation.selectors import user_stats

    found = user_stats([user_id]).get(user_id)
    total = found.judged if found else 0
    return total, (found.rejected / total if total else 0.0)


def check(draft: Draft) -> Verdict | None:
    facts = stats(draft)
    if facts is None:
        return None
    total = facts.judged
    share = facts.rejected / total if total else 0.0
    if total < conf.history_min_comments() or share < conf.history_reject_share():
        return None
    return Verdict(
        HOLD,
        f"History: {share:.0%} of this reader's {total} comments were rejected.",
        "history",
        score=share,
    )
