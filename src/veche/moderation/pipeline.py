"""The content checks as plain functions over text, shared by posting and evaluation.

content_verdicts() is what the classifier's evaluation command scores the light checks
with; the posting checks in moderation.checks call the same functions.
"""

from __future__ import annotations

from veche.discussion.hooks import Verdict
from veche.moderation.checks import links, words
from veche.moderation.text import detect_language


def content_verdicts(text: str, lang: str | None = None) -> list[Verdict]:
    """Word lists, link count and blocked domains on a text; [] when it is clean."""
    lang = lang or detect_language(text)
    return [*words.verdicts(text, lang), *links.verdicts(text)]
