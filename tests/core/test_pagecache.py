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
from veche.core import pageclock
from veche.core.pagecache import LocalPages, Page, PageCache, local_pages
from veche.discussion import actions
from veche.discussion.models import Comment, CommentStatus
from veche.newsroom.actions import save_article
from veche.newsroom.models import ArticleStatus

pytestmark = pytest.mark.django_db(transaction=True)


class FakeClock:
    """A clock the test moves by hand."""

    def __init__(self) -> None:
        self.value: str | None = "t1"

    def read(self) -> str | None:
        return self.value


@pytest.fixture(autouse=True)
def _clean_cache():
    cache.clear()  # locmem in tests: this process only
    local_pages.clear()
    pageclock.use(pageclock.NullClock())  # every hit asks the database, unless a test says
    yield
    pageclock.use(None)
    local_pages.clear()
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
    local_pages.clear()
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


# --------------------------------------------------------------------------- change clock


def test_a_quiet_clock_spares_the_database_and_a_moved_one_asks_it(article_with_comments):
    article, authors = article_with_comments
    clock = FakeClock()
    pageclock.use(clock)
    client = Client()
    url = article.get_absolute_url()
    client.get(url)
    with CaptureQueriesContext(connection) as ctx:
        status, headers, _ = client.get(url)
        _, h304, _ = client.get(url, if_none_match=headers["etag"])
        head_status, _, head_body = client.get(url, method="HEAD")
    assert status == 200 and headers["x-veche-cache"] == "hit"
    assert h304["x-veche-cache"] == "hit"
    assert head_status == 200 and head_body == b""
    assert len(ctx.captured_queries) == 0
    clock.value = "t2"  # something was committed somewhere
    with CaptureQueriesContext(connection) as ctx:
        _, headers, _ = client.get(url)
        client.get(url)
    assert headers["x-veche-cache"] == "hit"
    assert len(ctx.captured_queries) == 1  # confirmed once at t2, then trusted again
    # A change the clock announces is on the next page.
    _post(article, authors[0])
    clock.value = "t3"
    _, headers, body = client.get(url)
    assert headers["x-veche-cache"] == "miss" and b"brand new remark" in body


def test_a_page_is_rechecked_however_quiet_the_clock(article_with_comments, monkeypatch):
    from veche.core import pagecache

    article, authors = article_with_comments
    pageclock.use(FakeClock())
    client = Client()
    url = article.get_absolute_url()
    client.get(url)
    monkeypatch.setattr(pagecache, "RECHECK_SECONDS", 0.0)
    # A write no clock saw (as from a psql session) is found by the recheck.
    _post(article, authors[0])
    _, headers, body = client.get(url)
    assert headers["x-veche-cache"] == "miss" and b"brand new remark" in body


def test_inside_a_transaction_no_clock_is_trusted():
    from django.db import transaction

    pageclock.use(FakeClock())
    assert pageclock.read() == "t1"
    with transaction.atomic():
        # This thread's own uncommitted changes: no clock can have seen them.
        assert pageclock.read() is None


def test_sqlite_clock_moves_on_commits_of_other_connections_only(tmp_path):
    import sqlite3

    path = tmp_path / "clock.sqlite3"
    writer = sqlite3.connect(path, isolation_level=None)
    writer.execute("PRAGMA journal_mode=WAL")
    writer.execute("CREATE TABLE t (x)")
    clock = pageclock.SQLiteClock(str(path))
    first = clock.read()
    assert first is not None and clock.read() == first
    writer.execute("BEGIN")
    writer.execute("INSERT INTO t VALUES (1)")
    assert clock.read() == first  # not committed yet
    writer.execute("COMMIT")
    second = clock.read()
    assert second != first and clock.read() == second
    # Another thread has a connection (and values) of its own.
    import threading

    seen: list[str | None] = []
    thread = threading.Thread(target=lambda: seen.append(clock.read()))
    thread.start()
    thread.join(10)
    assert seen and seen[0] is not None and seen[0] != second
    writer.close()


def test_only_writes_that_pages_may_show_are_announced():
    assert pageclock.is_write('UPDATE "discussion_thread" SET "version" = 2')
    assert pageclock.is_write('INSERT INTO "discussion_comment" ("body") VALUES (%s)')
    assert pageclock.is_write('  DELETE FROM "newsroom_article" WHERE id = 1')
    assert not pageclock.is_write('SELECT "version" FROM "discussion_thread"')
    assert not pageclock.is_write('SAVEPOINT "s1"')
    assert not pageclock.is_write('UPDATE "django_session" SET "session_data" = %s')
    assert not pageclock.is_write('UPDATE "django_tasks_database_dbtaskresult" SET x = 1')


@pytest.mark.redis
def test_redis_clock_moves_after_each_committed_write(redis_url, article_with_comments):
    import uuid

    from django.db import transaction

    article, authors = article_with_comments
    clock = pageclock.RedisClock(redis_url, f"veche-test-{uuid.uuid4().hex[:12]}")
    pageclock.use(clock)
    pageclock.announce_writes(connection)
    try:
        before = clock.read()
        assert before is not None and clock.read() == before
        list(Comment.objects.filter(thread=article.thread)[:5])  # reads announce nothing
        assert clock.read() == before
        with transaction.atomic():
            _post(article, authors[0])
            assert clock.read() == before  # not before the commit
        after_commit = clock.read()
        assert after_commit != before
        article.title = "Autocommit edit"
        save_article(article)
        assert clock.read() != after_commit
    finally:
        connection.execute_wrappers.remove(pageclock._announce_writes)
        clock.client().delete(clock.key)


# --------------------------------------------------------------------------- local pages


def _page(key: str, size: int) -> Page:
    return Page(key, {"status": "200 OK", "headers": [], "body": b"x" * size,
                      "token": "t", "validator": "v", "arg": "a"})


def test_local_pages_stay_within_their_bytes_least_recently_used_out():
    pages = LocalPages(max_bytes=3 * (1000 + 1024))
    for key in "abc":
        pages.put(_page(key, 1000))
    assert len(pages) == 3
    assert pages.get("a") is not None  # now the most recently used
    pages.put(_page("d", 1000))
    assert pages.get("b") is None and pages.get("a") is not None
    assert pages.bytes <= pages.max_bytes and len(pages) == 3
    pages.put(_page("huge", 10_000))  # larger than the whole budget: not kept
    assert pages.get("huge") is None and len(pages) == 3
    pages.put(_page("a", 2000))  # replacing a page counts its new size only
    assert pages.bytes <= pages.max_bytes
    assert pages.bytes == sum(size for _, size, _ in pages._items.values())
