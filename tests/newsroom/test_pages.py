"""Reader pages: front page, article, section, author, 404."""

from __future__ import annotations

import re
from datetime import UTC, datetime, timedelta
from zoneinfo import ZoneInfo

import pytest
from django.template.loader import render_to_string
from django.utils import timezone

from tests.discussion.factories import add_comment
from tests.newsroom.factories import (
    make_article,
    make_author,
    make_publication,
    make_section,
    make_tag,
)
from tests.newsroom.helpers import jsonld, read_head
from veche.newsroom.models import ArticleStatus

pytestmark = pytest.mark.django_db

XSS_TITLE = "Bad </script><script>alert(1)</script> & <b>co</b>"


def test_front_page_lists_live_articles_with_comment_counts(client):
    section = make_section("World")
    live = make_article("Live story", section=section)
    add_comment(live.thread, None, "First!")
    add_comment(live.thread, None, "Second")
    make_article("Draft story", status=ArticleStatus.DRAFT)
    make_article(
        "Future story", status=ArticleStatus.SCHEDULED,
        published_at=timezone.now() + timedelta(days=1),
    )

    response = client.get("/")

    assert response.status_code == 200
    html = response.content.decode()
    assert "Live story" in html
    assert live.lead in html
    assert live.get_absolute_url() in html
    assert live.author.get_absolute_url() in html
    assert section.get_absolute_url() in html
    assert "2 comments" in html
    assert "Draft story" not in html
    assert "Future story" not in html


def test_front_page_dates_are_in_the_publication_time_zone(client):
    make_publication(time_zone="Asia/Tokyo")
    make_article("Tokyo", published_at=datetime(2024, 3, 1, 22, 30, tzinfo=UTC))
    html = client.get("/").content.decode()
    # 22:30 UTC is 07:30 the next morning in Tokyo.
    assert "2 March 2024, 07:30" in html
    assert 'datetime="2024-03-02T07:30:00+09:00"' in html


@pytest.mark.parametrize("count", [3, 25])
def test_front_page_query_count_does_not_grow_with_articles(
    client, django_assert_max_num_queries, count
):
    tag = make_tag()
    for _ in range(count):
        make_article(section=make_section(), tags=[tag])
    with django_assert_max_num_queries(4):
        response = client.get("/")
    assert response.status_code == 200


def test_front_page_pages_by_twenty(client):
    author = make_author()
    for i in range(25):
        make_article(f"Story {i:02d}", author=author,
                     published_at=timezone.now() - timedelta(hours=i + 1))
    first = client.get("/").content.decode()
    second = client.get("/?page=2").content.decode()
    assert "Story 00" in first and "Story 19" in first and "Story 20" not in first
    assert "Story 20" in second and "Story 24" in second and "Story 00" not in second
    assert client.get("/?page=junk").status_code == 200


def test_article_page_has_body_byline_and_discussion(client):
    make_publication("The Daily Veche")
    tag = make_tag("Afghanistan")
    article = make_article(
        "Caliphate is closer", body_markdown="## Heading\n\nSome **bold** text.",
        is_exclusive=True, section=make_section("Analysis"), tags=[tag],
    )

    response = client.get(article.get_absolute_url())

    assert response.status_code == 200
    html = response.content.decode()
    assert "<h2>Heading</h2>" in html and "<strong>bold</strong>" in html
    assert "Observed and commented on" in html
    assert article.author.name in html
    assert "especially for The Daily Veche" in html
    assert "Afghanistan" in html and "Analysis" in html
    assert 'id="comments"' in html  # the discussion section


def test_not_exclusive_article_has_no_especially_for(client):
    article = make_article(is_exclusive=False)
    assert "especially for" not in client.get(article.get_absolute_url()).content.decode()


def test_article_head_has_canonical_og_and_jsonld(client, site_url, fake_discussion):
    make_publication("The Daily Veche", time_zone="Asia/Tokyo")
    article = make_article("A headline", lead="The lead.")
    add_comment(article.thread, None, "A reader's view")

    response = client.get(article.get_absolute_url() + "?page=2&sort=newest")

    html = response.content.decode()
    head = read_head(html)
    canonical = f"{site_url}/articles/{article.slug}/"
    assert head.links["canonical"] == canonical
    assert head.meta["og:type"] == ["article"]
    assert head.meta["og:title"] == ["A headline"]
    assert head.meta["og:description"] == ["The lead."]
    assert head.meta["og:url"] == [canonical]
    assert head.meta["og:site_name"] == ["The Daily Veche"]
    tokyo = ZoneInfo("Asia/Tokyo")
    assert head.meta["article:published_time"] == [
        article.published_at.astimezone(tokyo).replace(microsecond=0).isoformat()
    ]
    assert head.meta["article:author"] == [f"{site_url}{article.author.get_absolute_url()}"]

    data = jsonld(html)
    assert data["@type"] == "NewsArticle"
    assert data["headline"] == "A headline"
    assert data["author"]["name"] == article.author.name
    published = article.published_at.replace(microsecond=0)
    assert datetime.fromisoformat(data["datePublished"]) == published
    assert data["publisher"] == {
        "@type": "Organization", "name": "The Daily Veche", "url": site_url,
    }
    assert data["mainEntityOfPage"]["@id"] == canonical
    assert data["commentCount"] == 1
    assert data["comment"][0]["text"] == "A reader's </script> view"
    assert "FAKE TREE" in html
    assert fake_discussion == [{
        "thread": article.thread, "page": 2, "sort": "newest",
        "base_url": article.get_absolute_url(), "tz": "Asia/Tokyo",
    }]


def test_unknown_sort_and_bad_page_reach_the_discussion_as_defaults(client, fake_discussion):
    article = make_article()
    response = client.get(article.get_absolute_url() + "?sort=bogus&page=abc")
    assert response.status_code == 200
    assert fake_discussion[0]["sort"] == "oldest" and fake_discussion[0]["page"] == 1


def test_title_with_script_is_escaped_in_html_and_jsonld(client):
    article = make_article(XSS_TITLE, lead=XSS_TITLE)
    html = client.get(article.get_absolute_url()).content.decode()
    assert "<script>alert(1)" not in html
    assert "</script><script>" not in html
    assert "&lt;/script&gt;&lt;script&gt;alert(1)" in html
    data = jsonld(html)  # still exactly one block: the title did not close it
    assert data["headline"] == XSS_TITLE
    assert data["description"] == XSS_TITLE


def test_unknown_article_is_404_with_our_template(client):
    make_publication("The Daily Veche")
    response = client.get("/articles/no-such-thing/")
    assert response.status_code == 404
    assert "404.html" in [t.name for t in response.templates]
    html = response.content.decode()
    assert "Page not found" in html and "The Daily Veche" in html


@pytest.mark.parametrize("path", ["/sections/nope/", "/authors/nope/", "/no/such/page/"])
def test_other_unknown_addresses_are_404(client, path):
    response = client.get(path)
    assert response.status_code == 404
    assert "Page not found" in response.content.decode()


def test_draft_is_404_for_readers_and_shown_to_staff(client, make_user, no_mfa):
    article = make_article("Secret draft", status=ArticleStatus.DRAFT)
    assert client.get(article.get_absolute_url()).status_code == 404

    reader = make_user()
    client.force_login(reader)
    assert client.get(article.get_absolute_url()).status_code == 404

    editor = make_user(is_staff=True)
    client.force_login(editor)
    response = client.get(article.get_absolute_url())
    assert response.status_code == 200
    html = response.content.decode()
    assert "Secret draft" in html
    assert "Draft: readers cannot see this article." in html
    assert 'name="robots" content="noindex, nofollow"' in html
    assert "no-store" in response["Cache-Control"]


def test_scheduled_article_is_hidden_until_its_time(client, make_user, no_mfa):
    future = make_article(
        "Tomorrow's news", status=ArticleStatus.SCHEDULED,
        published_at=timezone.now() + timedelta(hours=2),
    )
    past = make_article(
        "Yesterday's plan", status=ArticleStatus.SCHEDULED,
        published_at=timezone.now() - timedelta(minutes=5),
    )
    assert client.get(future.get_absolute_url()).status_code == 404
    assert client.get(past.get_absolute_url()).status_code == 200
    front = client.get("/").content.decode()
    assert "Yesterday&#x27;s plan" in front and "Tomorrow" not in front

    client.force_login(make_user(is_staff=True))
    html = client.get(future.get_absolute_url()).content.decode()
    assert "Scheduled: readers will see this article from" in html


def test_section_page_lists_its_live_articles(client):
    section = make_section("Sport", description="Games and results.")
    mine = make_article("In section", section=section)
    make_article("Elsewhere", section=make_section())
    make_article("Draft here", section=section, status=ArticleStatus.DRAFT)
    html = client.get(section.get_absolute_url()).content.decode()
    assert "Games and results." in html
    assert mine.title in html
    assert "Elsewhere" not in html and "Draft here" not in html


def test_author_page_shows_bio_and_live_articles(client):
    author = make_author("Oleg Chuvakin", bio="Writes about the East.")
    make_article("His piece", author=author)
    make_article("His draft", author=author, status=ArticleStatus.DRAFT)
    make_article("Someone else's")
    html = client.get(author.get_absolute_url()).content.decode()
    assert "Oleg Chuvakin" in html and "Writes about the East." in html
    assert "His piece" in html
    assert "His draft" not in html and "Someone else" not in html


def test_unknown_sort_and_page_do_not_break_the_article(client):
    article = make_article()
    response = client.get(article.get_absolute_url() + "?sort=bogus&page=abc")
    assert response.status_code == 200


def test_pages_carry_no_inline_script_or_style(client):
    article = make_article(section=make_section())
    add_comment(article.thread, None, "A comment")
    for path in ["/", article.get_absolute_url(), article.author.get_absolute_url(),
                 article.section.get_absolute_url(), "/nowhere/"]:
        html = client.get(path).content.decode()
        assert "style=" not in html, path
        for tag in re.findall(r"<script[^>]*>", html):
            assert "src=" in tag or "application/ld+json" in tag, (path, tag)


def test_500_page_renders_without_a_request_context():
    # Django's server_error renders it with no context processors and no database.
    html = render_to_string("500.html")
    assert "Something went wrong" in html and "/static/veche/site.css" in html
