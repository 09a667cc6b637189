"""The JSON-LD builder is pure: built on unsaved objects, no database."""

from __future__ import annotations

import json
from datetime import UTC, datetime
from zoneinfo import ZoneInfo

from veche.newsroom import seo
from veche.newsroom.models import Article, Author, Section

PUBLISHED = datetime(2017, 12, 5, 12, 0, tzinfo=UTC)


def article(**fields) -> Article:
    author = Author(name="Oleg Chuvakin", slug="oleg")
    fields.setdefault("section", Section(name="Analysis", slug="analysis"))
    return Article(
        title="Caliphate is closer", slug="caliphate", lead="The lead.", author=author,
        published_at=PUBLISHED, updated_at=datetime(2017, 12, 6, tzinfo=UTC), **fields,
    )


def build(item: Article, **kwargs):
    defaults = dict(
        url="https://news.example.org/articles/caliphate/",
        publication_name="Military Review",
        site_url="https://news.example.org",
        comment_count=3,
    )
    return seo.article_jsonld(item, **{**defaults, **kwargs})


def test_news_article_fields():
    data = build(article(), zone=ZoneInfo("Europe/Moscow"))
    assert data["@context"] == "https://schema.org"
    assert data["@type"] == "NewsArticle"
    assert data["headline"] == "Caliphate is closer"
    assert data["description"] == "The lead."
    assert data["author"] == {
        "@type": "Person", "name": "Oleg Chuvakin",
        "url": "https://news.example.org/authors/oleg/",
    }
    assert data["datePublished"] == "2017-12-05T15:00:00+03:00"
    assert data["dateModified"] == "2017-12-06T03:00:00+03:00"
    assert data["publisher"]["@type"] == "Organization"
    assert data["publisher"]["name"] == "Military Review"
    assert data["mainEntityOfPage"] == {
        "@type": "WebPage", "@id": "https://news.example.org/articles/caliphate/",
    }
    assert data["commentCount"] == 3
    assert data["articleSection"] == "Analysis"
    assert "comment" not in data  # no empty list when the page has no comments


def test_comments_are_attached_as_given():
    comments = [{"@type": "Comment", "author": {"@type": "Person", "name": "stas"},
                 "text": "Hi", "comment": [{"@type": "Comment", "text": "Re"}]}]
    assert build(article(), comments=comments)["comment"] == comments


def test_no_section_no_article_section():
    assert "articleSection" not in build(article(section=None))


def test_script_block_cannot_be_closed_by_user_text():
    nasty = "</script><script>alert(1)</script> & <!--"
    block = seo.jsonld_script({"headline": nasty, "line": "a\u2028b"})
    assert block.startswith('<script type="application/ld+json">')
    inner = block.removeprefix('<script type="application/ld+json">').removesuffix("</script>")
    assert "<" not in inner and ">" not in inner and "&" not in inner
    assert "\u2028" not in inner
    assert json.loads(inner) == {"headline": nasty, "line": "a\u2028b"}


def test_canonical_url_ignores_trailing_slash_of_site_url():
    assert (seo.canonical_url("https://x.org/", article())
            == "https://x.org/articles/caliphate/")
