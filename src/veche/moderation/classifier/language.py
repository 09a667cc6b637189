"""Which of the model's languages a text is in. Its own module, without numpy: the web
workers ask it for every post, and numpy is the scorer's alone (~14 MB a process)."""

from __future__ import annotations

import re

# The Russian alphabet in lower case: а-я (U+0430-U+044F) and ё.
_CYRILLIC = re.compile("[а-яё]")


def detect_lang(text: str) -> str:
    """"ru" when at least half the letters are Cyrillic, else "en"."""
    lowered = (text or "").lower()
    # Counted by C loops (a Python loop over the characters was ~40 µs a post).
    letters = sum(map(str.isalpha, lowered))
    if not letters:
        return "en"
    return "ru" if len(_CYRILLIC.findall(lowered)) * 2 >= letters else "en"
