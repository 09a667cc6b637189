"""The anonymous full-page cache (veche.core.pagecache) through the real WSGI stack."""

from __future__ import annotations

import io
from wsgiref.util import setup_testing_defaults

import pytest
from django.core.cache import cache
from django.core.handlers.wsgi import WSGIHandler
from django.db import connection
from django.test.utils import CaptureQueriesContext

from tests.discussion.factories import grow_thread
from tests.newsroom.factories import make_article
from veche.core.pagecache import PageCache
from veche.discussion import actions
from veche.discussion.models import Comment, CommentStatus
from veche.newsroom.actions import save_article
from veche.newsroom.models import ArticleStatus

pytestmark = pytest.mark.django_db(transaction=True)


@pytest.fixture(autouse=True)
def _clean_cache():
    cache.clear()  # locmem in tests: this process only
    yield
    cache.clear()


class Client:
    def __init__(self) -> None:
        self.app = PageCache(WSGIHandler())

    def get(self, path: str, method: str = "GET", **headers: str):
        path, _, query = path.partition("?")
        environ: dict = {
            "REQUEST_METHOD": method,
            "PATH_INFO": path,
            "QUERY_STRING": query,
            "SERVER_NAME": "127.0.0.1",
            "HTTP_HOST": "127.0.0.1",
            "wsgi.input": io.BytesIO(b""),
        }
        setup_testing_defaults(environ)
        for name, value in headers.items():
            environ["HTTP_" + name.upper()] = value
        seen: dict = {}

        def start_response(status, response_headers, exc_info=None):
            seen["status"] = int(status.split()[0])
            seen["headers"] = {k.lower(): v for k, v in response_headers}
            return lambda data: None

        result = self.app(environ, start_response)
        try:
            body = b"".join(result)
        finally:
            if hasattr(result, "close"):
                result.close()
        return seen["status"], seen["headers"], body


@pytest.fixture
def article_with_comments(make_user):
    authors = [make_user(f"pc{i}") for i in range(3)]
    article = make_article("Cached talk")
    grow_thread(article.thread, authors, 12, seed=5)
    return article, authors


def test_second_anonymous_view_is_served_from_the_cache(article_with_comments):
    article, _ = article_with_comments
    client = Client()
    status, headers, first = client.get(article.get_absolute_url())
    assert status == 200 and headers["x-veche-cache"] == "miss"
    assert "x-veche-page-cache" not in headers  # the private mark never leaves
    assert headers["cache-control"] == "public, max-age=0, must-revalidate"
    assert "Cookie" in headers["vary"] and "Accept-Language" in headers["vary"]
    assert headers["etag"].startswith('"') and headers["last-modified"]
    assert "set-cookie" not in headers
    with CaptureQueriesContext(connection) as ctx:
        status, headers2, second = client.get(article.get_absolute_url())
    assert status == 200 and headers2["x-veche-cache"] == "hit"
    assert second == first
    assert headers2["etag"] == headers["etag"]
    assert len(ctx.captured_queries) == 1  # the version check, nothing else


def test_every_visible_change_shows_at_once(article_with_comments):
    article, authors = article_with_comments
    client = Client()
    url = article.get_absolute_url()
    _, headers, before = client.get(url)
    client.get(url)
    comment = _post(article, authors[0])
    _status, after_headers, after = client.get(url)
    assert after_headers["x-veche-cache"] == "miss"
    assert b"brand new remark" in after and b"brand new remark" not in before
    assert after_headers["etag"] != headers["etag"]
    # A moderator removing it: the next page no longer has the text.
    actions.do_set_status(Comment.objects.get(pk=comment.pk), CommentStatus.REMOVED)
    _, _, removed = client.get(url)
    assert b"brand new remark" not in removed
    # A vote changes the score shown.
    target = Comment.objects.filter(thread=article.thread, status="published").exclude(
        author=authors[1]
    ).first()
    _, etag_headers, _ = client.get(url)
    actions.vote_comment(user=authors[1], comment_id=target.pk, value=1)
    _, voted_headers, _ = client.get(url)
    assert voted_headers["x-veche-cache"] == "miss"
    assert voted_headers["etag"] != etag_headers["etag"]


def _post(article, user):
    from veche.core.markup import render_comment_markdown

    text = "A brand new remark"
    return actions.do_create_comment(
        thread=article.thread,
        author=user,
        author_name=user.public_name,
        body_markdown=text,
        body_html=render_comment_markdown(text),
    )


def test_article_edit_and_unpublishing_show_at_once(article_with_comments):
    article, _ = article_with_comments
    client = Client()
    url = article.get_absolute_url()
    client.get(url)
    article.title = "Retitled talk"
    save_article(article)
    status, headers, body = client.get(url)
    assert headers["x-veche-cache"] == "miss" and b"Retitled talk" in body
    article.status = ArticleStatus.DRAFT
    save_article(article)
    status, headers, _ = client.get(url)
    assert status == 404


def test_conditional_requests_get_304(article_with_comments):
    article, _ = article_with_comments
    client = Client()
    url = article.get_absolute_url()
    _, headers, _ = client.get(url)
    etag = headers["etag"]
    # From the cache.
    status, h304, body = client.get(url, if_none_match=etag)
    assert status == 304 and body == b"" and h304["etag"] == etag
    assert h304["x-veche-cache"] == "hit"
    # From Django when the cache has nothing (another worker, a cleared cache).
    cache.clear()
    status, h304, body = client.get(url, if_none_match=f'"other", {etag}')
    assert status == 304 and body == b"" and h304["etag"] == etag
    status, _, _ = client.get(url, if_none_match='"stale"')
    assert status == 200
    # If-Modified-Since alone: later than the page's date only.
    _, headers, _ = client.get(url)
    status, _, _ = client.get(url, if_modified_since="Fri, 01 Jan 2100 00:00:00 GMT")
    assert status == 304
    status, _, _ = client.get(url, if_modified_since=headers["last-modified"])
    assert status == 200


def test_readers_with_a_session_or_messages_are_never_served_a_stored_page(
    article_with_comments, make_user
):
    article, _ = article_with_comments
    client = Client()
    url = article.get_absolute_url()
    client.get(url)
    status, headers, body = client.get(url, cookie="sessionid=whatever")
    assert status == 200 and "x-veche-cache" not in headers
    status, headers, _ = client.get(url, cookie="messages=abc")
    assert "x-veche-cache" not in headers
    # The anonymous page carries no token of anyone's.
    _, _, body = client.get(url)
    assert b"csrfmiddlewaretoken" not in body and b"client_token" not in body


def test_signed_in_pages_are_private(client, article_with_comments, make_user):
    article, _ = article_with_comments
    client.force_login(make_user("signedin"))
    response = client.get(article.get_absolute_url())
    assert response.status_code == 200
    assert "private" in response["Cache-Control"] and "ETag" not in response


def test_languages_are_kept_apart(article_with_comments):
    article, _ = article_with_comments
    client = Client()
    url = article.get_absolute_url()
    _, en, _ = client.get(url, accept_language="en")
    _, ru, _ = client.get(url, accept_language="ru")
    assert ru["x-veche-cache"] == "miss"
    assert en["content-language"] == "en" and ru["content-language"] == "ru"
    assert en["etag"] != ru["etag"]
    _, ru2, _ = client.get(url, accept_language="ru")
    assert ru2["x-veche-cache"] == "hit" and ru2["content-language"] == "ru"


def test_head_and_other_pages_pass_through(article_with_comments):
    article, _ = article_with_comments
    client = Client()
    url = article.get_absolute_url()
    client.get(url)
    status, headers, body = client.get(url, method="HEAD")
    assert status == 200 and body == b"" and headers["x-veche-cache"] == "hit"
    status, headers, _ = client.get("/")
    assert status == 200 and "x-veche-cache" not in headers


def test_disabled_by_setting(article_with_comments, settings):
    settings.VECHE_PAGE_CACHE = False
    article, _ = article_with_comments
    client = Client()
    client.get(article.get_absolute_url())
    _, headers, _ = client.get(article.get_absolute_url())
    assert "x-veche-cache" not in headers
