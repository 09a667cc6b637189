"""The word lists compiled once per list version into set and regex lookups.

Posting never loops over entries: a comment's distinct words are reduced to keys
(lemmas/stems, each computed once and cached) and looked up in one dict per list kind
and language; wildcard and regex entries are joined into one alternation per kind and
language. The compiled lists are rebuilt only when the list's version changes.
"""

from __future__ import annotations

import re
from dataclasses import dataclass, field
from functools import lru_cache

from veche.moderation import versions
from veche.moderation.text import fold, unconfuse, word_keys, words

KINDS = ("banned", "suspect")
LANGS = ("en", "ru")
builds = 0  # how many times the lists were compiled (tests assert on it)


@dataclass(frozen=True)
class Entry:
    id: int
    kind: str
    pattern: str
    note: str


@dataclass(frozen=True)
class Hit:
    entry: Entry
    matched: str


@dataclass
class Matcher:
    """One kind of entries (banned or suspect) for one comment language."""

    words: dict[str, Entry] = field(default_factory=dict)
    # first word's key -> [(the other words' key sets, entry)]
    phrases: dict[str, list[tuple[tuple[frozenset[str], ...], Entry]]] = field(
        default_factory=dict
    )
    regex_parts: list[tuple[str, Entry]] = field(default_factory=list)
    regex: re.Pattern[str] | None = None

    def add_word(self, pattern: str, entry: Entry) -> None:
        tokens = words(pattern)
        if not tokens:
            return
        if len(tokens) == 1:
            for key in word_keys(tokens[0]):
                self.words.setdefault(key, entry)
            return
        rest = tuple(word_keys(t) for t in tokens[1:])
        for key in word_keys(tokens[0]):
            self.phrases.setdefault(key, []).append((rest, entry))

    def finish(self) -> None:
        if self.regex_parts:
            self.regex = re.compile("|".join(f"(?:{p})" for p, _ in self.regex_parts))

    def find(self, tokens: list[str], keys: list[frozenset[str]], text: str) -> Hit | None:
        for i, word_key_set in enumerate(keys):
            for key in word_key_set:
                entry = self.words.get(key)
                if entry is not None:
                    return Hit(entry, tokens[i])
                for rest, entry in self.phrases.get(key, ()):
                    following = keys[i + 1 : i + 1 + len(rest)]
                    if len(following) == len(rest) and all(
                        a & b for a, b in zip(rest, following, strict=True)
                    ):
                        return Hit(entry, " ".join(tokens[i : i + 1 + len(rest)]))
        if self.regex is not None:
            match = self.regex.search(text)
            if match is not None:
                # Rare path: find which entry it was, for the reason shown.
                for part, entry in self.regex_parts:
                    if re.search(part, match.group(0)):
                        return Hit(entry, match.group(0))
                return Hit(self.regex_parts[0][1], match.group(0))
        return None


def wildcard_regex(pattern: str) -> str:
    pieces = re.split(r"([*?])", pattern)
    out = []
    for piece in pieces:
        if piece == "*":
            out.append(r"\w*")
        elif piece == "?":
            out.append(r"\w")
        elif piece:
            out.append(re.escape(" ".join(unconfuse(w) for w in fold(piece).split(" "))))
    return r"(?<!\w)" + "".join(out) + r"(?!\w)"


def build(rows: list[tuple[int, str, str, str, str, str]]) -> dict[tuple[str, str], Matcher]:
    """rows: (id, kind, pattern, match_type, language, note) of the enabled entries."""
    global builds
    builds += 1
    matchers = {(kind, lang): Matcher() for kind in KINDS for lang in LANGS}
    for entry_id, kind, pattern, match_type, language, note in rows:
        entry = Entry(entry_id, kind, pattern, note)
        targets = LANGS if language == "any" else (language,)
        for lang in targets:
            matcher = matchers.get((kind, lang))
            if matcher is None:
                continue
            if match_type == "word":
                matcher.add_word(pattern, entry)
            elif match_type == "wildcard":
                matcher.regex_parts.append((wildcard_regex(pattern), entry))
            else:
                try:
                    re.compile(pattern)
                except re.error:
                    continue  # the admin validates; a bad row must not stop posting
                matcher.regex_parts.append((pattern, entry))
    for matcher in matchers.values():
        matcher.finish()
    return matchers


@lru_cache(maxsize=2)
def _compiled(version: int) -> dict[tuple[str, str], Matcher]:
    from veche.moderation.models import WordListEntry

    rows = list(
        WordListEntry.objects.filter(enabled=True)
        .order_by("pk")
        .values_list("id", "kind", "pattern", "match_type", "language", "note")
    )
    return build(rows)


def compiled() -> dict[tuple[str, str], Matcher]:
    return _compiled(versions.current(versions.WORDS))


def match(text: str, lang: str) -> list[Hit]:
    """The first hit of each kind (banned first) in the text, for its language."""
    tokens = words(text)
    distinct = {t: word_keys(t) for t in set(tokens)}  # each word reduced once
    keys = [distinct[t] for t in tokens]
    joined = " ".join(tokens)
    matchers = compiled()
    hits = []
    for kind in KINDS:
        hit = matchers[(kind, lang if lang in LANGS else "en")].find(tokens, keys, joined)
        if hit is not None:
            hits.append(hit)
    return hits


# --- The starter list -------------------------------------------------------------------
# A small, conservative list for a new site, installed once by `veche install-starter-words`
# (run by `veche demo`). Banned (reject): unambiguous slurs and obscene profanity a
# moderator would reject anyway. Suspect (hold): words that warrant a look but have
# innocent uses. Violence and dehumanisation without such words are the classifier's job.
# Word entries match every inflection (pymorphy3 lemmas, an English suffix stem);
# wildcards only on stems no ordinary word starts with: "заеб*", but no "*еба*" (it is in
# "колебания") and no "*хуй*" (in "застрахуй").

NOTE_OBSCENE = "obscene language"
NOTE_SLUR = "slur"
NOTE_LOOK = "worth a look"
NOTE_DEHUMANISING = "dehumanising word"

# (kind, pattern, match_type, language, note)
STARTER = [
    ("banned", "fuck", "word", "en", NOTE_OBSCENE),
    ("banned", "motherfucker", "word", "en", NOTE_OBSCENE),
    ("banned", "cunt", "word", "en", NOTE_OBSCENE),
    ("banned", "nigger", "word", "en", NOTE_SLUR),
    ("banned", "faggot", "word", "en", NOTE_SLUR),
    ("banned", "kike", "word", "en", NOTE_SLUR),
    ("banned", "wetback", "word", "en", NOTE_SLUR),
    ("banned", "raghead", "word", "en", NOTE_SLUR),
    ("suspect", "shit", "word", "en", NOTE_LOOK),
    ("suspect", "bitch", "word", "en", NOTE_LOOK),
    ("suspect", "bastard", "word", "en", NOTE_LOOK),
    ("suspect", "retard", "word", "en", NOTE_LOOK),
    ("suspect", "subhuman", "word", "en", NOTE_DEHUMANISING),
    ("suspect", "untermensch", "word", "en", NOTE_DEHUMANISING),
    ("banned", "хуй", "word", "ru", NOTE_OBSCENE),
    ("banned", "хуйня", "word", "ru", NOTE_OBSCENE),
    ("banned", "хуйло", "word", "ru", NOTE_OBSCENE),
    ("banned", "нахуй", "word", "ru", NOTE_OBSCENE),
    ("banned", "похуй", "word", "ru", NOTE_OBSCENE),
    ("banned", "охуеть", "word", "ru", NOTE_OBSCENE),
    ("banned", "охуел", "word", "ru", NOTE_OBSCENE),
    ("banned", "пизд*", "wildcard", "ru", NOTE_OBSCENE),
    ("banned", "распизд*", "wildcard", "ru", NOTE_OBSCENE),
    ("banned", "ебать", "word", "ru", NOTE_OBSCENE),
    ("banned", "ебан*", "wildcard", "ru", NOTE_OBSCENE),
    ("banned", "ебуч*", "wildcard", "ru", NOTE_OBSCENE),
    ("banned", "заеб*", "wildcard", "ru", NOTE_OBSCENE),
    ("banned", "выеб*", "wildcard", "ru", NOTE_OBSCENE),
    ("banned", "уеб*", "wildcard", "ru", NOTE_OBSCENE),
    ("banned", "долбоеб*", "wildcard", "ru", NOTE_OBSCENE),
    ("banned", "блядь", "word", "ru", NOTE_OBSCENE),
    ("banned", "пидор", "word", "ru", NOTE_SLUR),
    ("banned", "пидорас", "word", "ru", NOTE_SLUR),
    ("banned", "жид", "word", "ru", NOTE_SLUR),
    ("suspect", "мудак", "word", "ru", NOTE_LOOK),
    ("suspect", "мразь", "word", "ru", NOTE_LOOK),
    ("suspect", "ублюдок", "word", "ru", NOTE_LOOK),
    ("suspect", "говно", "word", "ru", NOTE_LOOK),
    ("suspect", "чурка", "word", "ru", NOTE_LOOK),
    ("suspect", "хач", "word", "ru", NOTE_LOOK),
    ("suspect", "хохол", "word", "ru", NOTE_LOOK),
    ("suspect", "недочеловек", "word", "ru", NOTE_DEHUMANISING),
]

# The marker row that says the starter list was installed once (a ListVersion name: the
# table is the moderation app's small key/number store, shared by every process).
STARTER_MARKER = "words-starter-installed"


def install_starter() -> int:
    """Add the starter entries once per site; return how many were added.

    Does nothing when it ran before (the marker row), even if moderators have since
    deleted the entries, or when the site already keeps a list of its own."""
    from django.db import transaction

    from veche.moderation.models import ListVersion, WordListEntry

    with transaction.atomic():
        _marker, created = ListVersion.objects.get_or_create(name=STARTER_MARKER,
                                                            defaults={"version": 1})
        if not created or WordListEntry.objects.exists():
            return 0
        WordListEntry.objects.bulk_create(
            WordListEntry(kind=kind, pattern=pattern, match_type=match_type,
                          language=language, note=note)
            for kind, pattern, match_type, language, note in STARTER
        )
        versions.bump(versions.WORDS)  # bulk_create sends no signal
    return len(STARTER)
