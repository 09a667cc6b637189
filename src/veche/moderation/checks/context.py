"""Per-draft facts several checks need, computed once per draft: the author's stats
(one query serves trust level, user mode, new-account and history checks), whether
they moderate, and the text's language."""

from __future__ import annotations

from typing import Any

from veche.discussion.hooks import Draft


def _memo(draft: Draft, name: str, compute: Any) -> Any:
    # Draft is a plain dataclass; the memo lives on it for the other checks.
    key = f"_veche_{name}"
    if not hasattr(draft, key):
        setattr(draft, key, compute())
    return getattr(draft, key)


def is_moderator(draft: Draft) -> bool:
    return _memo(draft, "moderator", lambda: bool(getattr(draft.author, "is_moderator", False)))


def stats(draft: Draft):
    from veche.moderation.selectors import user_stats

    return _memo(draft, "stats", lambda: user_stats([draft.author.pk]).get(draft.author.pk))


def trust(draft: Draft) -> int:
    from veche.moderation.selectors import level_of

    return _memo(draft, "trust", lambda: level_of(stats(draft)) if stats(draft) else 0)


def language(draft: Draft) -> str:
    from veche.moderation.text import detect_language

    return _memo(draft, "lang", lambda: detect_language(draft.body_markdown))
