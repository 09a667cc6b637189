"""Site-wide presentation applied to stored comment HTML at render time.

Stored HTML is rendered once from Markdown and never changes with site settings.
Transforms that can change later (smiley codes now, legal labels later) run when the
comment is shown, over text nodes only, so a settings change never leaves stale HTML.
Each transform is a plain regular-expression pass: microseconds per comment.

Rendered comment trees are cached (veche.discussion.web), so the presentation has a
version: presentation_version() changes whenever a transform's output could, from the
smiley table and from what each transform's owner registers
(register_presentation_version), and it is part of those caches' keys.
"""

from __future__ import annotations

import re
import zlib
from collections.abc import Callable
from functools import lru_cache

from django.conf import settings

TAG_SPLIT = re.compile(r"(<[^>]+>)")
Transform = Callable[[str], str]
_extra_transforms: list[Transform] = []
_version_providers: list[Callable[[], object]] = []


def register_text_transform(transform: Transform) -> None:
    """Add a transform of visible text (e.g. legal labels); applied after smileys."""
    _extra_transforms.append(transform)


def register_presentation_version(provider: Callable[[], object]) -> None:
    """Add a function giving the current version of a transform's data (e.g. the list of
    organisations the legal labels name); its value goes into presentation_version()."""
    if provider not in _version_providers:
        _version_providers.append(provider)


def presentation_version() -> str:
    """A short token that changes when the presented form of stored HTML could change."""
    smileys = getattr(settings, "VECHE_SMILEYS", {})
    parts = [str(_smiley_token(tuple(sorted(smileys.items()))))]
    parts += [str(provider()) for provider in _version_providers]
    return ".".join(parts)


@lru_cache(maxsize=8)
def _smiley_token(items: tuple[tuple[str, str], ...]) -> int:
    return zlib.crc32(repr(items).encode("utf-8"))


@lru_cache(maxsize=8)
def _smiley_pattern(items: tuple[tuple[str, str], ...]) -> tuple[re.Pattern[str], dict]:
    table = dict(items)
    pattern = re.compile("|".join(re.escape(code) for code in sorted(table, key=len, reverse=True)))
    return pattern, table


def replace_smileys(text: str) -> str:
    smileys = getattr(settings, "VECHE_SMILEYS", {})
    if not smileys or ":" not in text:
        return text
    pattern, table = _smiley_pattern(tuple(sorted(smileys.items())))
    return pattern.sub(lambda m: table[m.group(0)], text)


def map_text_nodes(html: str, transform: Transform) -> str:
    """Apply `transform` to the text between tags of sanitised HTML, outside code."""
    parts = TAG_SPLIT.split(html)
    in_code = 0
    for i, part in enumerate(parts):
        if not part:
            continue
        if part.startswith("<"):
            lowered = part[:6].lower()
            if lowered.startswith(("<code", "<pre")):
                in_code += 1
            elif lowered.startswith(("</code", "</pre")):
                in_code = max(0, in_code - 1)
            continue
        if not in_code:
            parts[i] = transform(part)
    return "".join(parts)


def present_html(html: str) -> str:
    """Apply the presentation transforms to the text nodes of sanitised HTML."""
    transforms: list[Transform] = [replace_smileys, *_extra_transforms]

    def apply_all(text: str) -> str:
        for transform in transforms:
            text = transform(text)
        return text

    return map_text_nodes(html, apply_all)
