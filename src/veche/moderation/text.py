"""Normalising comment text for matching: what a reader sees, not how it was typed.

casefold + NFKC, zero-width characters and soft hyphens dropped, leetspeak digits read
as letters, and Latin/Cyrillic look-alikes mapped to the script the rest of the word is
written in ("nаpalm" with a Cyrillic "а" reads as "napalm"; "пpивет" with a Latin "p"
as "привет"). Words are then reduced to a key: a pymorphy3 lemma for Russian, a crude
suffix stem for English, so one list entry matches every inflection.
"""

from __future__ import annotations

import re
import unicodedata
from functools import lru_cache

ZERO_WIDTH = dict.fromkeys(map(ord, "\u200b\u200c\u200d\u2060\ufeff\u00ad"), None)
# Latin letter -> Cyrillic look-alike, and the reverse.
LAT_TO_CYR = {
    "a": "а", "e": "е", "o": "о", "p": "р", "c": "с", "x": "х", "y": "у",
    "k": "к", "m": "м", "t": "т", "b": "в", "h": "н",
}  # fmt: skip
CYR_TO_LAT = {cyr: lat for lat, cyr in LAT_TO_CYR.items()}
CYR_TO_LAT["ё"] = "e"
LEET = {"0": "o", "3": "e", "1": "i", "4": "a", "@": "a"}
TO_LATIN = str.maketrans({**CYR_TO_LAT, **LEET})
TO_CYRILLIC = str.maketrans({**LAT_TO_CYR, **{d: LAT_TO_CYR.get(c, c) for d, c in LEET.items()}})
WORD = re.compile(r"[\w@]+")
CYRILLIC = re.compile(r"[а-яё]")
LATIN = re.compile(r"[a-z]")
HAS_LETTER = re.compile(r"[^\W\d_]")


def fold(text: str) -> str:
    """casefold, NFKC and no invisible characters; keeps spacing and punctuation."""
    return unicodedata.normalize("NFKC", text).translate(ZERO_WIDTH).casefold()


# Words repeat from comment to comment: each is worked out once (two regular-expression
# passes and a translation for unconfuse, a stem and a set for word_keys), a third of a
# post's word-list check. Bounded: a few MB at most.
WORDS_KEPT = 16_384


@lru_cache(maxsize=WORDS_KEPT)
def unconfuse(word: str) -> str:
    """One folded word in a single script (the one most of its letters are in)."""
    if not HAS_LETTER.search(word):
        return word  # a number stays a number
    cyr = len(CYRILLIC.findall(word))
    lat = len(LATIN.findall(word))
    if cyr > lat:
        return word.translate(TO_CYRILLIC).replace("ё", "е")
    return word.translate(TO_LATIN)


def normalise(text: str) -> str:
    """The whole text folded and unconfused word by word, words joined by spaces."""
    return " ".join(words(text))


def words(text: str) -> list[str]:
    return [unconfuse(w) for w in WORD.findall(fold(text))]


def detect_language(text: str) -> str:
    """"ru" when most letters are Cyrillic, else "en"."""
    folded = fold(text)
    cyr = len(CYRILLIC.findall(folded))
    lat = len(LATIN.findall(folded))
    return "ru" if cyr > lat else "en"


@lru_cache(maxsize=1)
def morph():
    import pymorphy3

    return pymorphy3.MorphAnalyzer(lang="ru")


@lru_cache(maxsize=200_000)
def ru_lemmas(word: str) -> frozenset[str]:
    """Every normal form pymorphy3 sees for a word ("уничтожим" -> {"уничтожить"})."""
    return frozenset(p.normal_form.replace("ё", "е") for p in morph().parse(word)[:3]) | {word}


EN_SUFFIXES = (
    "ingly", "edly", "ings", "ing", "ies", "ied", "ers", "er", "est", "ed", "es", "ly", "'s", "s",
)  # fmt: skip


@lru_cache(maxsize=200_000)
def en_stem(word: str) -> str:
    """A crude, consistent English stem: killing/killed/kills/kill -> "kil"."""
    for suffix in EN_SUFFIXES:
        if word.endswith(suffix) and len(word) - len(suffix) >= 3:
            word = word[: -len(suffix)]
            if suffix in ("ies", "ied"):
                word += "y"
            break
    if word.endswith("e") and len(word) > 3:
        word = word[:-1]  # bomb/bombe, hate/hating -> hat
    if len(word) > 3 and word[-1] == word[-2]:
        word = word[:-1]  # stopped -> stopp -> stop
    return word


@lru_cache(maxsize=WORDS_KEPT)
def word_keys(word: str) -> frozenset[str]:
    """The keys a normalised word is matched by, by its script."""
    if CYRILLIC.search(word):
        return ru_lemmas(word)
    return frozenset({word, en_stem(word)})
