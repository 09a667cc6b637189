"""Markdown to safe HTML: markdown-it-py renders, nh3 sanitises.

Comments get a small subset; articles (written by editors) a larger one. Raw HTML in
the source is never passed through: markdown-it escapes it, nh3 removes what remains.
"""

from __future__ import annotations

from functools import lru_cache

import nh3
from markdown_it import MarkdownIt

COMMENT_TAGS = {"p", "br", "em", "strong", "a", "ul", "ol", "li", "blockquote", "code", "pre"}
ARTICLE_TAGS = COMMENT_TAGS | {"h2", "h3", "h4", "hr", "img", "figure", "figcaption"}
LINK_REL = "nofollow ugc noopener"


@lru_cache(maxsize=1)
def _comment_parser() -> MarkdownIt:
    return (
        MarkdownIt("zero", {"breaks": True, "html": False, "linkify": False})
        .enable(["emphasis", "link", "list", "blockquote", "backticks", "fence", "code"])
        .enable(["newline", "escape", "entity"])
    )


@lru_cache(maxsize=1)
def _article_parser() -> MarkdownIt:
    return MarkdownIt("commonmark", {"html": False})


def _clean(html: str, tags: set[str]) -> str:
    return nh3.clean(
        html,
        tags=tags,
        attributes={"a": {"href", "title"}, "img": {"src", "alt", "title"}, "code": {"class"}},
        url_schemes={"http", "https", "mailto"},
        link_rel=LINK_REL,
    ).strip()


def render_comment_markdown(text: str) -> str:
    return _clean(_comment_parser().render(text), COMMENT_TAGS)


def render_article_markdown(text: str) -> str:
    return _clean(_article_parser().render(text), ARTICLE_TAGS)


def sanitize_html(html: str) -> str:
    """Clean HTML that arrives already rendered (imports) with the comment rules."""
    return _clean(html, COMMENT_TAGS)
