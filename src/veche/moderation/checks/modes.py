"""Pre-moderation modes that are not the thread's own (discussion honours that one):
the site default, a user marked "always pre-moderate", and new accounts."""

from __future__ import annotations

from veche.discussion.hooks import HOLD, Draft, Verdict
from veche.moderation import conf
from veche.moderation.checks.context import is_moderator, stats

# Article threads get the site/section/article mode written into Thread.moderation_mode
# by newsroom.actions.sync_article_thread, so the site default here covers the others.
MANAGED_PREFIXES = ("newsroom.article:",)


def site_mode(draft: Draft) -> Verdict | None:
    if conf.moderation_mode() != "pre" or is_moderator(draft):
        return None
    if draft.thread.target_key.startswith(MANAGED_PREFIXES):
        return None
    return Verdict(HOLD, "Comments on this site are reviewed before they appear.", "site_mode")


def user_mode(draft: Draft) -> Verdict | None:
    facts = stats(draft)
    if facts is not None and facts.always_premoderate:
        return Verdict(HOLD, "This account is pre-moderated.", "user_mode")
    return None


def new_user(draft: Draft) -> Verdict | None:
    needed = conf.new_user_premod_count()
    if needed <= 0 or draft.editing is not None:
        return None
    facts = stats(draft)
    if facts is None or facts.pinned:  # a moderator vouched for the account
        return None
    published = facts.published
    if published >= needed or is_moderator(draft):
        return None
    return Verdict(
        HOLD,
        f"New account: its first {needed} comments are reviewed "
        f"({published} approved so far).",
        "new_user",
    )
