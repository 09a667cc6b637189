"""Text helpers shared by quoting and rendering."""

from __future__ import annotations

import hashlib
import html
import re

TAG = re.compile(r"<[^>]+>")
SPACE = re.compile(r"\s+")
PUNCT_FOLD = str.maketrans({"“": '"', "”": '"', "«": '"', "»": '"', "’": "'", "‘": "'"})


def plain_text(body_html: str) -> str:
    return html.unescape(TAG.sub(" ", body_html))


def normalise_for_match(text: str) -> str:
    """Case, spacing and typographic quotes folded, so a quote matches its source."""
    return SPACE.sub(" ", text.translate(PUNCT_FOLD)).strip().casefold()


def body_digest(body_markdown: str) -> int:
    """A 64-bit digest of a comment's text, kept in its row (Comment.body_digest), so
    that the same text by the same author is found through an index instead of by
    reading every comment the author wrote that day. 0 for no text (an erased one)."""
    if not body_markdown:
        return 0
    digest = hashlib.blake2b(body_markdown.encode(), digest_size=8).digest()
    return int.from_bytes(digest, "big", signed=True)
