"""Text helpers shared by quoting and rendering."""

from __future__ import annotations

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
