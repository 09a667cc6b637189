"""The article page with its discussion: bounded queries whatever the thread's size."""

from __future__ import annotations

import re

import pytest
from django.core.cache import cache
from django.db import connection
from django.test.utils import CaptureQueriesContext

from tests.discussion.factories import grow_thread
from tests.newsroom.factories import make_article

pytestmark = pytest.mark.django_db


def queries_for(client, url: str) -> tuple[int, str]:
    with CaptureQueriesContext(connection) as ctx:
        response = client.get(url)
    assert response.status_code == 200
    return len(ctx.captured_queries), response.content.decode()


@pytest.mark.parametrize("signed_in", [False, True])
def test_article_page_queries_do_not_grow_with_comments(client, make_user, signed_in, settings):
    # Cached list versions are re-read every 2 s by default; a slow request crossing
    # that boundary would add a query that has nothing to do with the thread's size.
    settings.VECHE_LIST_VERSION_TTL = 3600
    authors = [make_user(f"writer{i}") for i in range(6)]
    small, big = make_article("Small talk"), make_article("Big talk")
    grow_thread(small.thread, authors, 10, seed=7)
    grow_thread(big.thread, authors, 200, seed=7)
    if signed_in:
        client.force_login(make_user("viewer"))
    client.get(small.get_absolute_url())  # warm caches (masthead, sessions)
    counts = {}
    for state in ("rendered", "cached"):  # the tree rendered, then from its cache
        if state == "rendered":
            cache.clear()
            client.get("/")  # the masthead's cache again
        counts[state, "small"], small_html = queries_for(client, small.get_absolute_url())
        counts[state, "big"], big_html = queries_for(client, big.get_absolute_url())
        assert counts[state, "big"] == counts[state, "small"]
        assert len(re.findall(r'class="c c--d', small_html)) == 10
        assert len(re.findall(r'class="c c--d', big_html)) >= 150
    # From the cache the tree costs one query (the thread's version), plus the
    # reader's votes when signed in; nothing per comment.
    assert counts["cached", "big"] < counts["rendered", "big"]


def test_article_page_shows_the_register_notice_to_anonymous_readers(client):
    article = make_article("Notice")
    html = client.get(article.get_absolute_url()).content.decode()
    assert "to leave comments on the publication, you must" in html
    assert "I have an account?" in html and "Sign in" in html


def test_an_article_page_reads_the_masthead_once(client, monkeypatch):
    from veche.core import site

    article = make_article("Masthead once")
    client.get(article.get_absolute_url())  # the masthead is cached now
    reads: list[str] = []
    shared_get = site.cache.get

    def counting_get(key, *args, **kwargs):
        if key == site.CACHE_KEY:
            reads.append(key)
        return shared_get(key, *args, **kwargs)

    monkeypatch.setattr(site.cache, "get", counting_get)
    html = client.get(article.get_absolute_url()).content.decode()
    # The masthead, the dates' zone and the schema.org publisher share one read.
    assert len(reads) == 1
    assert site.current_publication()["name"] in html
