"""The editors' admin saves through newsroom.actions."""

from __future__ import annotations

from datetime import timedelta

import pytest
from django.utils import timezone

from tests.newsroom.factories import make_article, make_author, make_publication, make_section
from veche.core.site import current_publication
from veche.newsroom.models import Article, ArticleStatus, Publication

pytestmark = pytest.mark.django_db


def article_form(**overrides) -> dict:
    data = {
        "title": "From the desk",
        "slug": "from-the-desk",
        "lead": "Lead.",
        "body_markdown": "Some *emphasis* and <script>x</script>.",
        "language": "en",
        "status": ArticleStatus.PUBLISHED,
        "published_at_0": "",
        "published_at_1": "",
        "comments_open": "on",
    }
    data.update(overrides)
    return data


def test_admin_add_renders_body_and_creates_thread(admin_client, no_mfa):
    author = make_author()
    section = make_section()
    response = admin_client.post(
        "/admin/newsroom/article/add/",
        article_form(author=author.pk, section=section.pk),
    )
    assert response.status_code == 302, response.content.decode()[:2000]
    article = Article.objects.get(slug="from-the-desk")
    assert "<em>emphasis</em>" in article.body_html
    assert "<script>" not in article.body_html
    assert article.thread is not None
    assert article.thread.url == "/articles/from-the-desk/"
    assert article.thread.is_open
    # "Published" with no time given goes live now.
    assert article.is_live


def test_admin_change_keeps_thread_in_step(admin_client, no_mfa):
    article = make_article("Old title")
    thread_id = article.thread_id
    response = admin_client.post(
        f"/admin/newsroom/article/{article.pk}/change/",
        article_form(
            title="New title", slug=article.slug, author=article.author_id,
            body_markdown="Changed **body**", comments_open="",
            published_at_0=timezone.localtime(article.published_at).strftime("%Y-%m-%d"),
            published_at_1=timezone.localtime(article.published_at).strftime("%H:%M:%S"),
        ),
    )
    assert response.status_code == 302, response.content.decode()[:2000]
    article.refresh_from_db()
    assert article.thread_id == thread_id
    assert article.body_html == "<p>Changed <strong>body</strong></p>"
    assert article.thread.title == "New title"
    assert not article.thread.is_open


def test_admin_scheduled_article_stays_hidden(admin_client, client, no_mfa):
    author = make_author()
    when = timezone.localtime(timezone.now() + timedelta(days=2))
    admin_client.post("/admin/newsroom/article/add/", article_form(
        author=author.pk, status=ArticleStatus.SCHEDULED,
        published_at_0=when.strftime("%Y-%m-%d"), published_at_1=when.strftime("%H:%M:%S"),
    ))
    article = Article.objects.get(slug="from-the-desk")
    assert article.status == ArticleStatus.SCHEDULED and not article.is_live
    assert client.get(article.get_absolute_url()).status_code == 404


def test_admin_publish_action(admin_client, no_mfa):
    draft = make_article(status=ArticleStatus.DRAFT)
    response = admin_client.post("/admin/newsroom/article/", {
        "action": "publish_now", "_selected_action": [draft.pk],
    })
    assert response.status_code == 302
    draft.refresh_from_db()
    assert draft.is_live


def test_admin_close_comments_action(admin_client, no_mfa):
    article = make_article()
    admin_client.post("/admin/newsroom/article/", {
        "action": "close_comments", "_selected_action": [article.pk],
    })
    article.refresh_from_db()
    assert not article.comments_open and not article.thread.is_open


def test_admin_publication_save_forgets_cached_masthead(admin_client, no_mfa):
    publication = make_publication("Old name")
    assert current_publication()["name"] == "Old name"  # now cached
    response = admin_client.post(
        f"/admin/newsroom/publication/{publication.pk}/change/",
        {"name": "New name", "tagline": "", "time_zone": "Europe/Moscow", "language": "en"},
    )
    assert response.status_code == 302
    assert Publication.objects.get().name == "New name"
    assert current_publication()["name"] == "New name"


def test_admin_lists_render(admin_client, no_mfa):
    make_article(section=make_section())
    for model in ["article", "section", "tag", "author", "publication"]:
        assert admin_client.get(f"/admin/newsroom/{model}/").status_code == 200, model
    assert admin_client.get("/admin/newsroom/article/add/").status_code == 200
