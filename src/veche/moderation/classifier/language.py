"""Which of the model's languages a text is in. Its own module, without numpy: the web
workers ask it for every post, and numpy is the scorer's alone (~14 MB a process)."""

from __future__ import annotations

_cyrillic = set("абвгдеёжзийклмнопрстуфхцчшщъыьэюя")


def detect_lang(text: str) -> str:
    """"ru" when at least half the letters are Cyrillic, else "en"."""
    letters = [c for c in (text or "").lower() if c.isalpha()]
    if not letters:
        return "en"
    return "ru" if sum(c in _cyrillic for c in letters) * 2 >= len(letters) else "en"
