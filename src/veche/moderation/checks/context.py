"""Per-draft facts several checks need, computed once per draft: the author's stats
(trust level, user mode, new-account and history checks), whether they moderate, and
the text's language.

Posting reads the stats and the moderator role in its one query of the author's row
(annotations() is registered as a discussion fact source, so they arrive in
Draft.facts); a draft without facts (an edit) reads them here, once.
"""

from __future__ import annotations

from typing import Any

from veche.accounts.facts import PARTICIPANT, Fact, as_datetime, column, participant_id, table
from veche.discussion.hooks import Draft
from veche.discussion.models import CommentStatus

BAD = (CommentStatus.REJECTED, CommentStatus.SPAM, CommentStatus.REMOVED)
PUBLISHED, REJECTED, UPVOTES = "mod_published", "mod_rejected", "mod_upvotes"
JOINED, PINNED, PREMOD, IN_GROUP = "mod_joined", "mod_pinned", "mod_premod", "mod_in_group"


def annotations(author: Any, body_markdown: str, editing: Any) -> dict[str, Fact]:
    """The author's stats (as selectors.user_stats counts them) and moderator role."""
    from django.contrib.auth import get_user_model
    from django.contrib.auth.models import Group

    from veche.accounts.models import Role
    from veche.discussion.models import AuthorTally
    from veche.moderation.models import UserModeration

    user = get_user_model()
    me = participant_id()
    # The discussion's per-status tallies: an index lookup, not a count of comments.
    tallies = (f"FROM {table(AuthorTally)} t WHERE t.{column(AuthorTally, 'user')} = {me}"
               f" AND t.{column(AuthorTally, 'status')}")
    count, upvotes = column(AuthorTally, "comments"), column(AuthorTally, "upvotes")
    settings_of = (f"FROM {table(UserModeration)} m"
                   f" WHERE m.{column(UserModeration, 'user')} = {me}")
    links = user.groups.through
    in_group = (
        f"EXISTS(SELECT 1 FROM {table(links)} ug INNER JOIN {table(Group)} g"  # noqa: S608
        f" ON g.{column(Group, 'id')} = ug.{column(links, 'group')}"
        f" WHERE ug.{column(links, 'user')} = {me} AND g.{column(Group, 'name')} = %s)"
    )
    published = CommentStatus.PUBLISHED.value
    return {
        PUBLISHED: (f"SELECT COALESCE(SUM(t.{count}), 0) {tallies} = %s", [published]),
        REJECTED: (f"SELECT COALESCE(SUM(t.{count}), 0) {tallies} IN (%s, %s, %s)",
                   [b.value for b in BAD]),
        UPVOTES: (f"SELECT SUM(t.{upvotes}) {tallies} = %s", [published]),
        JOINED: (f"{PARTICIPANT}.{column(user, 'date_joined')}", []),
        PINNED: (f"SELECT m.{column(UserModeration, 'trust_level')} {settings_of}", []),
        PREMOD: (f"SELECT m.{column(UserModeration, 'always_premoderate')} {settings_of}", []),
        IN_GROUP: (in_group, [Role.MODERATOR.value]),
    }


def _memo(draft: Draft, name: str, compute: Any) -> Any:
    # Draft is a plain dataclass; the memo lives on it for the other checks.
    key = f"_veche_{name}"
    if not hasattr(draft, key):
        setattr(draft, key, compute())
    return getattr(draft, key)


def _has_facts(draft: Draft) -> bool:
    return bool(draft.facts) and PUBLISHED in draft.facts


def is_moderator(draft: Draft) -> bool:
    def compute() -> bool:
        if _has_facts(draft):
            return bool(getattr(draft.author, "is_superuser", False) or draft.facts[IN_GROUP])
        return bool(getattr(draft.author, "is_moderator", False))

    return _memo(draft, "moderator", compute)


def stats(draft: Draft):
    from veche.moderation.selectors import UserStats, user_stats

    def compute():
        if _has_facts(draft):
            f = draft.facts
            return UserStats(as_datetime(f[JOINED]), f[PUBLISHED], f[REJECTED],
                             f[UPVOTES] or 0, f[PINNED], bool(f[PREMOD]))
        return user_stats([draft.author.pk]).get(draft.author.pk)

    return _memo(draft, "stats", compute)


def trust(draft: Draft) -> int:
    from veche.moderation.selectors import level_of

    return _memo(draft, "trust", lambda: level_of(stats(draft)) if stats(draft) else 0)


def language(draft: Draft) -> str:
    from veche.moderation.text import detect_language

    return _memo(draft, "lang", lambda: detect_language(draft.body_markdown))
