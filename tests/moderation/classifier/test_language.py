"""The language a text is scored in: Russian when at least half its letters are
Cyrillic, else English."""

from __future__ import annotations

import json
from pathlib import Path

import pytest

from veche.moderation.classifier.language import detect_lang

DATA = Path(__file__).resolve().parents[1] / "data"
RUSSIAN = set("абвгдеёжзийклмнопрстуфхцчшщъыьэюя")


def _by_each_letter(text: str) -> str:
    letters = [c for c in text.lower() if c.isalpha()]
    if not letters:
        return "en"
    return "ru" if sum(c in RUSSIAN for c in letters) * 2 >= len(letters) else "en"


@pytest.mark.parametrize(("text", "lang"), [
    ("", "en"), ("12345 !!!", "en"), ("Hello there", "en"), ("Привет всем", "ru"),
    ("ab вг", "ru"), ("abc вг", "en"), ("ЁЛКИ ab", "ru"), ("ΣΟΦΟΣ", "en"),
    ("Україна", "ru"),  # ї is not in the Russian alphabet, its other six letters are
])
def test_a_text_is_russian_when_half_its_letters_are(text, lang):
    assert detect_lang(text) == lang


def test_every_text_of_the_model_s_data_gets_the_letter_by_letter_answer():
    for path in sorted(DATA.glob("*.jsonl")):
        for line in path.open(encoding="utf-8"):
            text = json.loads(line)["text"]
            assert detect_lang(text) == _by_each_letter(text), text
