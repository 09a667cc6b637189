"""RSS, Atom and the sitemap: valid XML, live articles only, absolute site URLs."""

from __future__ import annotations

from datetime import timedelta
from xml.etree import ElementTree

import pytest
from django.utils import timezone

from tests.newsroom.factories import make_article, make_author, make_publication, make_section
from veche.newsroom.models import ArticleStatus

pytestmark = pytest.mark.django_db

ATOM = "{http://www.w3.org/2005/Atom}"
SITEMAP = "{http://www.sitemaps.org/schemas/sitemap/0.9}"


def parse_xml(content: bytes) -> ElementTree.Element:
    # Our own server's output in a test, not untrusted input; a parse error fails it.
    return ElementTree.fromstring(content)  # noqa: S314


@pytest.fixture
def articles(site_url):
    make_publication("The Daily Veche", tagline="All the news")
    live = make_article("Live one", lead="Lead of the live one.", section=make_section())
    draft = make_article("Draft one", status=ArticleStatus.DRAFT, section=make_section())
    future = make_article("Future one", status=ArticleStatus.SCHEDULED,
                          published_at=timezone.now() + timedelta(days=1))
    return live, draft, future


def test_rss(client, articles, site_url):
    live, _, _ = articles
    response = client.get("/feeds/rss/")
    assert response.status_code == 200
    channel = parse_xml(response.content).find("channel")
    assert channel.findtext("title") == "The Daily Veche"
    assert channel.findtext("link") == f"{site_url}/"
    items = channel.findall("item")
    assert [i.findtext("title") for i in items] == ["Live one"]
    assert items[0].findtext("description") == "Lead of the live one."
    assert items[0].findtext("link") == f"{site_url}{live.get_absolute_url()}"


def test_atom(client, articles, site_url):
    live, _, _ = articles
    response = client.get("/feeds/atom/")
    assert response.status_code == 200
    feed = parse_xml(response.content)
    assert feed.tag == f"{ATOM}feed"
    assert feed.findtext(f"{ATOM}subtitle") == "All the news"
    entries = feed.findall(f"{ATOM}entry")
    assert [e.findtext(f"{ATOM}title") for e in entries] == ["Live one"]
    assert entries[0].findtext(f"{ATOM}summary") == "Lead of the live one."
    assert entries[0].find(f"{ATOM}link").get("href") == f"{site_url}{live.get_absolute_url()}"
    assert entries[0].findtext(f"{ATOM}author/{ATOM}name") == live.author.name


def test_sitemap_lists_live_articles_and_their_sections_and_authors(client, articles, site_url):
    live = articles[0]
    make_author("Nobody")  # no live article: not in the sitemap
    response = client.get("/sitemap.xml")
    assert response.status_code == 200
    root = parse_xml(response.content)
    locs = {u.findtext(f"{SITEMAP}loc") for u in root.findall(f"{SITEMAP}url")}
    assert locs == {
        f"{site_url}{live.get_absolute_url()}",
        f"{site_url}{live.section.get_absolute_url()}",
        f"{site_url}{live.author.get_absolute_url()}",
    }
