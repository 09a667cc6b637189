"""Search-engine metadata of an article page: canonical URL and schema.org JSON-LD.

Pure functions over already loaded objects: no queries, no request, easy to test.
"""

from __future__ import annotations

import json
from datetime import datetime, tzinfo
from typing import Any

from django.utils.safestring import SafeString, mark_safe

from veche.newsroom.models import Article

# Inside <script> the HTML parser ends the element at "</script" whatever JSON thinks;
# escaping <, > and & (as django.utils.html.json_script does) keeps user text inert.
# U+2028/2029 are escaped too, so the block stays valid if a consumer evaluates it as JS.
_SCRIPT_ESCAPES = {
    ord("<"): "\\u003C",
    ord(">"): "\\u003E",
    ord("&"): "\\u0026",
    0x2028: "\\u2028",
    0x2029: "\\u2029",
}


def canonical_url(site_url: str, article: Article) -> str:
    """The one address of the article: no ?page or ?sort, on the configured host."""
    return site_url.rstrip("/") + article.get_absolute_url()


def iso(moment: datetime | None, zone: tzinfo | None = None) -> str | None:
    """ISO 8601 to the second, with the offset of `zone` (readers' local time)."""
    if moment is None:
        return None
    moment = moment.replace(microsecond=0)
    return (moment.astimezone(zone) if zone else moment).isoformat()


def article_jsonld(
    article: Article,
    *,
    url: str,
    publication_name: str,
    site_url: str,
    comment_count: int,
    comments: list[dict[str, Any]] | None = None,
    zone: tzinfo | None = None,
) -> dict[str, Any]:
    """A schema.org NewsArticle, with the discussion's comments as Comment items."""
    data: dict[str, Any] = {
        "@context": "https://schema.org",
        "@type": "NewsArticle",
        "headline": article.title,
        "description": article.lead,
        "author": {"@type": "Person", "name": article.author.name},
        "datePublished": iso(article.published_at, zone),
        "dateModified": iso(article.updated_at or article.published_at, zone),
        "publisher": {"@type": "Organization", "name": publication_name, "url": site_url},
        "mainEntityOfPage": {"@type": "WebPage", "@id": url},
        "url": url,
        "inLanguage": article.language,
        "commentCount": comment_count,
    }
    author_url = article.author.get_absolute_url()
    data["author"]["url"] = site_url.rstrip("/") + author_url
    if article.section is not None:  # callers select_related it: no query here
        data["articleSection"] = article.section.name
    if comments:
        data["comment"] = comments
    return data


def jsonld_script(data: dict[str, Any]) -> SafeString:
    """A <script type="application/ld+json"> data block; browsers never execute it,
    so it passes a CSP without 'unsafe-inline'."""
    payload = json.dumps(data, ensure_ascii=False, separators=(",", ":"))
    payload = payload.translate(_SCRIPT_ESCAPES)
    return mark_safe(f'<script type="application/ld+json">{payload}</script>')  # noqa: S308
