"""Legal labels: " (banned in the Russian Federation)" after the first mention of a
designated organisation in each comment and article, added at render time only.

All organisations' forms compile into one regex (one named group per organisation),
rebuilt when the list's version changes. Russian one-word forms are expanded to every
inflection with pymorphy3; multi-word forms to each grammatical case.
"""

from __future__ import annotations

import html
import logging
import re
from contextlib import contextmanager
from contextvars import ContextVar
from functools import lru_cache

from veche.core.presentation import map_text_nodes, present_html
from veche.moderation import versions

logger = logging.getLogger(__name__)
_seen: ContextVar[set[str] | None] = ContextVar("veche_legal_seen", default=None)
CYRILLIC = re.compile(r"[а-яё]", re.IGNORECASE)
CASES = ("nomn", "gent", "datv", "accs", "ablt", "loct")
ACRONYM = re.compile(r"^[A-ZА-ЯЁ]{1,5}$")


def inflections(form: str) -> set[str]:
    if not CYRILLIC.search(form) or ACRONYM.match(form):
        return {form}
    from veche.moderation.text import morph

    analyzer = morph()
    words = form.split()
    out = {form}
    if len(words) == 1:
        parsed = analyzer.parse(form)[0]
        out |= {f.word for f in parsed.lexeme}
        return out
    parses = [analyzer.parse(w)[0] for w in words]
    for case in CASES:
        inflected = [p.inflect({case}) for p in parses]
        if all(inflected):
            out.add(" ".join(i.word for i in inflected))
    return out


def _alternative(form: str) -> str:
    escaped = r"\s+".join(re.escape(w) for w in form.split())
    # Acronyms match only in capitals: "IG" is a label, "ig" is not.
    return f"(?-i:{escaped})" if ACRONYM.match(form) else escaped


@lru_cache(maxsize=2)
def _compiled(version: int) -> tuple[re.Pattern[str] | None, dict[str, str]]:
    from veche.moderation.models import DesignatedOrganisation

    groups, labels = [], {}
    for org in DesignatedOrganisation.objects.filter(enabled=True).order_by("pk"):
        forms: set[str] = set()
        for form in org.form_list() or [org.name]:
            forms |= inflections(form)
        name = f"o{org.pk}"
        alternation = "|".join(_alternative(f) for f in sorted(forms, key=len, reverse=True))
        groups.append(f"(?P<{name}>{alternation})")
        labels[name] = html.escape(org.label)
    if not groups:
        return None, {}
    pattern = re.compile(r"(?<!\w)(?:" + "|".join(groups) + r")(?!\w)", re.IGNORECASE)
    return pattern, labels


def compiled() -> tuple[re.Pattern[str] | None, dict[str, str]]:
    try:
        return _compiled(versions.current(versions.LABELS))
    except Exception as error:  # rendering without a database (or while it is down)
        logger.warning("legal labels unavailable: %s", error)
        return None, {}


def label_text(text: str) -> str:
    """The registered text transform: labels mentions in one text node. Inside a
    label_scope() only the first mention per organisation in the scope is labelled."""
    pattern, labels = compiled()
    if pattern is None:
        return text
    seen = _seen.get()
    if seen is None:
        seen = set()  # no scope: first mention per text node

    def label(match: re.Match[str]) -> str:
        org = match.lastgroup
        if org in seen:
            return match.group(0)
        seen.add(org)
        return f"{match.group(0)} ({labels[org]})"

    return pattern.sub(label, text)


@contextmanager
def label_scope():
    token = _seen.set(set())
    try:
        yield
    finally:
        _seen.reset(token)


def present_comment(body_html: str) -> str:
    """present_html for one comment, with labels counted per comment."""
    with label_scope():
        return present_html(body_html)


def label_html(body_html: str) -> str:
    """Only the legal labels over sanitised HTML's text nodes (articles)."""
    pattern, _ = compiled()
    if pattern is None:
        return body_html
    with label_scope():
        return map_text_nodes(body_html, label_text)
