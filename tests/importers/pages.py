"""The two page dumps the importer tests use, and what a reader counts in them by hand.

The numbers and trees below were written down from reading the files, not from running
the parser: they are the specification the parser and loader are held to.
Keys are "NAME@YYYY-MM-DD HH:MM" in the dump's own (local) time.
"""

from __future__ import annotations

from pathlib import Path

ROOT = Path(__file__).resolve().parents[2]
REFERENCE = ROOT / "demo" / "military-review-article.txt"
HARBOUR = Path(__file__).resolve().parent / "fixtures" / "harbour-gazette-ferry.txt"

ARTICLE = "ARTICLE"  # a quote of the article itself, not of a comment

# --- demo/military-review-article.txt ------------------------------------------------
# Replies are indented 2 spaces per level ("  1. NEXUS", "    1. stas", "      1. ...").

REF_TITLE = "“Caliphate” is getting closer to Russia"
REF_AUTHOR = "Oleg Chuvakin"
REF_BODY_PARAGRAPHS = 26  # lines 7, 9, ..., 57 (the lead is line 5)
REF_COMMENTS = 24
REF_TOP_LEVEL = 11
REF_MAX_DEPTH = 4  # Vadim237 (1.1.1.1.1) and Scopolamine 21:16 (4.1.1.1.1); 0 = top level
REF_USERS = 20  # Scopolamine has 3 comments, kenig1 and Nyrobsky 2 each

REF_PARENTS: dict[str, str | None] = {
    "NEXUS@2017-12-05 16:04": None,
    "stas@2017-12-05 17:15": "NEXUS@2017-12-05 16:04",
    "Grandfather@2017-12-05 17:33": "stas@2017-12-05 17:15",
    "Deniska999@2017-12-05 18:49": "Grandfather@2017-12-05 17:33",
    "Vadim237@2017-12-05 20:15": "Deniska999@2017-12-05 18:49",
    "RL@2017-12-06 14:38": "stas@2017-12-05 17:15",
    "Chertt@2017-12-05 21:24": "NEXUS@2017-12-05 16:04",
    "Nyrobsky@2017-12-06 00:54": "NEXUS@2017-12-05 16:04",
    "Same lech@2017-12-05 16:13": None,
    "solzh@2017-12-05 16:23": None,
    "Scopolamine@2017-12-05 17:48": None,
    "kenig1@2017-12-05 18:08": "Scopolamine@2017-12-05 17:48",
    "Scopolamine@2017-12-05 18:25": "kenig1@2017-12-05 18:08",
    "kenig1@2017-12-05 20:50": "Scopolamine@2017-12-05 18:25",
    "Scopolamine@2017-12-05 21:16": "kenig1@2017-12-05 20:50",
    # Line 128 "      2. Nyrobsky" is indented 6: the second reply to kenig1 18:08.
    "Nyrobsky@2017-12-06 00:56": "kenig1@2017-12-05 18:08",
    "Romey@2017-12-05 19:23": None,
    "Antares@2017-12-05 23:22": "Romey@2017-12-05 19:23",
    "bald@2017-12-05 22:57": None,
    "Nemesis@2017-12-05 23:04": None,
    "Anyone@2017-12-06 00:35": None,
    "M. Michelson@2017-12-06 05:37": None,
    "Krasnyiy komissar@2017-12-06 08:57": None,
    "serge siberian@2017-12-08 18:56": None,
}

REF_POSITIONS = {
    "1": "NEXUS@2017-12-05 16:04",
    "1.1.1.1.1": "Vadim237@2017-12-05 20:15",
    "1.1.2": "RL@2017-12-06 14:38",
    "1.3": "Nyrobsky@2017-12-06 00:54",
    "4.1.2": "Nyrobsky@2017-12-06 00:56",
    "5.1": "Antares@2017-12-05 23:22",
    "11": "serge siberian@2017-12-08 18:56",
}

REF_DESCENDANTS = {  # top-level comment -> size of its subtree below it
    "NEXUS@2017-12-05 16:04": 7,
    "Same lech@2017-12-05 16:13": 0,
    "solzh@2017-12-05 16:23": 0,
    "Scopolamine@2017-12-05 17:48": 5,
    "Romey@2017-12-05 19:23": 1,
    "bald@2017-12-05 22:57": 0,
    "Nemesis@2017-12-05 23:04": 0,
    "Anyone@2017-12-06 00:35": 0,
    "M. Michelson@2017-12-06 05:37": 0,
    "Krasnyiy komissar@2017-12-06 08:57": 0,
    "serge siberian@2017-12-08 18:56": 0,
}

# quoting comment -> (quoted comment or ARTICLE, start of the quote, the reply's full text
# or its start when it ends with "...")
REF_QUOTES: dict[str, tuple[str, str, str]] = {
    "NEXUS@2017-12-05 16:04": (
        ARTICLE,
        'One of the constant new "bridgeheads" has become Afghanistan',
        "And which is taught and covered by the United States. ...",
    ),
    "Grandfather@2017-12-05 17:33": (
        ARTICLE,
        "Caliphs are gradually approaching Russia",
        "We\u2019ll bomb ... and cho ...",
    ),
    "Anyone@2017-12-06 00:35": (
        ARTICLE,
        "... the caliphate not only changes its strategy",
        "I said for a long time - it wasn\u2019t figs that prevented IS ...",
    ),
    "Chertt@2017-12-05 21:24": (
        "NEXUS@2017-12-05 16:04",
        "Although the Russian Federation has clearly indicated",
        "One of the reasons for the military operation of the Russian Aerospace Forces ...",
    ),
    "Nyrobsky@2017-12-06 00:54": (
        "NEXUS@2017-12-05 16:04",
        "There will be Iraq and Libya the same Afghanistan.",
        "Iraq and Libya may be pacified because the forces that can be negotiated with, ...",
    ),
    "Nyrobsky@2017-12-06 00:56": (
        "kenig1@2017-12-05 18:08",
        "Why on earth would Shiite Iran invest in the Sunni Taliban? Rather, Pakistan.",
        "There is nothing to guess here, for the Taliban is a product of Pakistan.",
    ),
    "Antares@2017-12-05 23:22": (
        "Romey@2017-12-05 19:23",
        "What a caliphate !? We defeated him at distant approaches.",
        "Duc released about 90% (87,4% or 92 cannot agree), ...",
    ),
}

# --- tests/importers/fixtures/harbour-gazette-ferry.txt -------------------------------

HARBOUR_TITLE = "Ferry timetable to change after the bridge closure"
HARBOUR_PUBLICATION = "The Harbour Gazette"
HARBOUR_AUTHOR = "Marta Lindqvist"  # "Posted by ..."
HARBOUR_BODY_PARAGRAPHS = 3
HARBOUR_COMMENTS = 11
HARBOUR_TOP_LEVEL = 3
HARBOUR_MAX_DEPTH = 6  # seven levels: harbourcat ... Sigrid B 12:03 (1.1.1.1.1.1.1)
HARBOUR_USERS = 6

HARBOUR_PARENTS: dict[str, str | None] = {
    "harbourcat@2020-02-03 08:15": None,
    "Torvald@2020-02-03 09:02": "harbourcat@2020-02-03 08:15",
    "harbourcat@2020-02-03 09:30": "Torvald@2020-02-03 09:02",
    "Sigrid B@2020-02-03 10:05": "harbourcat@2020-02-03 09:30",
    "Torvald@2020-02-03 10:47": "Sigrid B@2020-02-03 10:05",
    "old skipper@2020-02-03 11:20": "Torvald@2020-02-03 10:47",
    "Sigrid B@2020-02-03 12:03": "old skipper@2020-02-03 11:20",
    "Nils-Erik@2020-02-03 13:30": "harbourcat@2020-02-03 08:15",
    "Ingrid S.@2020-02-03 14:12": None,
    "Nils-Erik@2020-02-04 07:45": "Ingrid S.@2020-02-03 14:12",
    "Torvald@2020-02-04 08:00": None,
}

HARBOUR_DESCENDANTS = {
    "harbourcat@2020-02-03 08:15": 7,
    "Ingrid S.@2020-02-03 14:12": 1,
    "Torvald@2020-02-04 08:00": 0,
}

HARBOUR_QUOTES: dict[str, tuple[str, str, str]] = {
    "harbourcat@2020-02-03 08:15": (
        ARTICLE,
        "... the last evening crossing carried fewer than twelve passengers on most nights",
        "Of course it did. They moved the departure to 22:40, after the last bus from town.",
    ),
    # "Quote: torvald", no blank line before the reply.
    "harbourcat@2020-02-03 09:30": (
        "Torvald@2020-02-03 09:02",
        "Nobody asked the night shift, that is the real scandal.",
        "They did ask. The survey closed in December and got thirty answers.",
    ),
    # Not the parent (Sigrid B), and not harbourcat's most recent comment (09:30).
    "Torvald@2020-02-03 10:47": (
        "harbourcat@2020-02-03 08:15",
        "They moved the departure to 22:40, after the last bus from town.",
        "This is exactly the point. Change the timetable, then count the passengers.",
    ),
    # A line of a numbered list in another subtree, no blank line before the reply.
    "Nils-Erik@2020-02-04 07:45": (
        "old skipper@2020-02-03 11:20",
        "a departure at 23:15, after the hospital shift ends;",
        "Worth raising on Thursday.",
    ),
    # Sigrid B's latest comment (12:03) does not contain it; her 10:05 one does.
    "Torvald@2020-02-04 08:00": (
        "Sigrid B@2020-02-03 10:05",
        "Thirty answers from an island of two thousand people is not a survey.",
        "Agreed, and I have written to the council.",
    ),
}

HARBOUR_MULTI_PARAGRAPH = (
    "Sigrid B@2020-02-03 10:05",
    "Thirty answers from an island of two thousand people is not a survey.\n\n"
    "It is a formality. Most of us learned about it from this newspaper.\n\n"
    "I would like to see the questions they asked.",
)
HARBOUR_LIST_COMMENT = (
    "old skipper@2020-02-03 11:20",
    "I ran that crossing for eleven years. Two things would fix it:\n"
    "1. a departure at 23:15, after the hospital shift ends;\n"
    "2. a bus that waits for the boat.",
)


def reply_matches(actual: str, expected: str) -> bool:
    """The whole reply, or its start when the expectation ends with "..."."""
    if expected.endswith(" ..."):
        return actual.startswith(expected[:-4])
    return actual == expected


def line_of(text: str, line: str) -> int:
    """The 1-based number of an exact line of a dump."""
    return text.split("\n").index(line) + 1
