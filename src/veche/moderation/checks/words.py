"""The banned (reject) and suspect (hold) word lists."""

from __future__ import annotations

from veche.discussion.hooks import HOLD, REJECT, Draft, Verdict
from veche.moderation import wordlists
from veche.moderation.checks.context import language

NAME = "word_list"


def verdicts(text: str, lang: str) -> list[Verdict]:
    out = []
    for hit in wordlists.match(text, lang):
        banned = hit.entry.kind == "banned"
        what = hit.entry.note or ("banned expression" if banned else "suspect expression")
        out.append(
            Verdict(
                REJECT if banned else HOLD,
                f"{what}: “{hit.matched}”"
                + (" — this is not allowed here." if banned else ""),
                NAME,
                details={"entry": hit.entry.id, "pattern": hit.entry.pattern,
                         "kind": hit.entry.kind},
            )
        )
    return out


def check(draft: Draft) -> Verdict | None:
    found = verdicts(draft.body_markdown, language(draft))
    return max(found, key=lambda v: v.action == REJECT) if found else None
