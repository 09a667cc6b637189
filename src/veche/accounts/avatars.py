"""Generated identicon avatars: no outside service, nothing user-given in the SVG."""

from __future__ import annotations

import hashlib

from veche.core.urlbuild import url_maker

GRID = 5
CELL = 10
PAD = 5


def _digest(name: str) -> bytes:
    # Case-folded so "Bob" and "bob" (one account to allauth) look the same.
    return hashlib.sha256(name.strip().casefold().encode("utf-8")).digest()


def identicon_svg(name: str) -> str:
    """A 5x5 horizontally mirrored grid; only numbers derived from the hash go in."""
    digest = _digest(name)
    hue = int.from_bytes(digest[:2], "big") % 360
    colour = f"hsl({hue},55%,50%)"
    size = GRID * CELL + 2 * PAD
    half = (GRID + 1) // 2
    bits = int.from_bytes(digest[2:6], "big")
    rects = []
    for col in range(half):
        for row in range(GRID):
            if not bits >> (col * GRID + row) & 1:
                continue
            for c in {col, GRID - 1 - col}:
                x, y = PAD + c * CELL, PAD + row * CELL
                rects.append(f'<rect x="{x}" y="{y}" width="{CELL}" height="{CELL}"/>')
    return (
        f'<svg xmlns="http://www.w3.org/2000/svg" viewBox="0 0 {size} {size}" '
        f'width="{size}" height="{size}" role="img">'
        f'<rect width="{size}" height="{size}" fill="#f0f0f0"/>'
        f'<g fill="{colour}">{"".join(rects)}</g></svg>'
    )


def avatar_url(username: str) -> str:
    # A "/" cannot travel in a <str:> path segment; any stand-in keeps it deterministic.
    name = username.replace("/", "_").strip() or "_"
    return url_maker("accounts:avatar")(name)
