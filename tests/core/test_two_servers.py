"""Two ``veche serve`` processes sharing one PostgreSQL database and one Redis.

The deployment past one machine: each server is its own process (here on its own port),
both read DATABASE_URL and REDIS_URL (cache and, through it, sessions: cached_db), and
both get the same VECHE_SECRET_KEY. A reader signed in through one is signed in on the
other; a comment posted through one is on the other's pages at once, including pages
that the other had in its (shared) page cache.

Nothing here touches pytest-django's test database: the servers are separate processes,
so they get a database of their own, created here and dropped afterwards.
"""

from __future__ import annotations

import contextlib
import json
import os
import re
import secrets
import socket
import subprocess
import sys
import time
import uuid
from collections.abc import Iterator
from pathlib import Path
from urllib.parse import urlsplit, urlunsplit

import httpx
import pytest

from tests.core.processes import stop

pytestmark = [pytest.mark.postgres, pytest.mark.redis, pytest.mark.timeout(300)]

CLI = [sys.executable, "-m", "veche.cli"]
HTTP_TIMEOUT = 10
START_DEADLINE = 90
USERNAME = "twoserver"
PASSWORD = "pw-Two-Servers-42"
# Not inherited from the environment: the servers' settings come from this test alone.
SCRUBBED = {"DATABASE_URL", "REDIS_URL", "DJANGO_SETTINGS_MODULE", "DJANGO_ALLOW_ASYNC_UNSAFE"}

SETUP_CODE = f"""
import json
from datetime import timedelta
from django.utils import timezone
from allauth.account.models import EmailAddress
from veche.accounts.models import User
from veche.newsroom.actions import save_article
from veche.newsroom.models import Article, ArticleStatus, Author

author = Author.objects.create(name="Desk", slug="desk")
article = save_article(Article(
    title="Two servers, one discussion", slug="two-servers", lead="A lead.",
    body_markdown="The body.", author=author, status=ArticleStatus.PUBLISHED,
    published_at=timezone.now() - timedelta(hours=1),
))
user = User.objects.create_user(
    username={USERNAME!r}, email="twoserver@example.org", password={PASSWORD!r}
)
EmailAddress.objects.create(user=user, email=user.email, verified=True, primary=True)
print("RESULT " + json.dumps({{"url": article.get_absolute_url(),
                              "thread": article.thread_id}}))
"""


def free_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return sock.getsockname()[1]


def admin_conninfo() -> str:
    """The PostgreSQL server of this run (DATABASE_URL), on its maintenance database."""
    parts = urlsplit(os.environ["DATABASE_URL"])
    return urlunsplit(parts._replace(path="/postgres"))


def database_url(name: str) -> str:
    parts = urlsplit(os.environ["DATABASE_URL"])
    return urlunsplit(parts._replace(path=f"/{name}"))


@contextlib.contextmanager
def fresh_database() -> Iterator[str]:
    """A new, empty PostgreSQL database (its URL), dropped on the way out."""
    import psycopg
    from psycopg import sql

    name = f"veche_two_{os.getpid()}_{uuid.uuid4().hex[:6]}"
    with psycopg.connect(admin_conninfo(), autocommit=True, connect_timeout=5) as conn:
        conn.execute(sql.SQL("CREATE DATABASE {}").format(sql.Identifier(name)))
    try:
        yield database_url(name)
    finally:
        with psycopg.connect(admin_conninfo(), autocommit=True, connect_timeout=5) as conn:
            conn.execute(
                sql.SQL("DROP DATABASE IF EXISTS {} WITH (FORCE)").format(sql.Identifier(name))
            )


def run(env: dict[str, str], cwd: Path, *args: str) -> str:
    done = subprocess.run(  # noqa: S603 - our own argv
        [*CLI, *args], env=env, cwd=cwd, capture_output=True, text=True, timeout=180
    )
    assert done.returncode == 0, f"veche {' '.join(args)}:\n{done.stdout}\n{done.stderr}"
    return done.stdout


def wait_for_health(servers: list[tuple[str, subprocess.Popen, Path]]) -> None:
    """Poll every server's /health until all answer ok (or one dies, or time runs out)."""
    deadline = time.monotonic() + START_DEADLINE
    waiting = list(servers)
    while waiting:
        base, process, log = waiting[0]
        try:
            response = httpx.get(base + "/health", timeout=5)
            if response.status_code == 200 and response.json().get("status") == "ok":
                waiting.pop(0)
                continue
        except (httpx.HTTPError, ValueError):
            pass
        if process.poll() is not None or time.monotonic() > deadline:
            raise AssertionError(f"{base} did not come up:\n{log.read_text()}")
        time.sleep(0.3)


@pytest.fixture
def two_servers(redis_url: str, tmp_path: Path) -> Iterator[dict]:
    if not os.environ.get("DATABASE_URL", "").startswith(("postgres://", "postgresql://")):
        pytest.skip("needs PostgreSQL (runs in scripts/test-postgres)")
    import redis

    prefix = f"veche-two-{uuid.uuid4().hex[:12]}"
    env = {
        key: value
        for key, value in os.environ.items()
        if key not in SCRUBBED and not key.startswith("VECHE_")
    }
    env.update(
        REDIS_URL=redis_url,
        VECHE_REDIS_PREFIX=prefix,
        VECHE_TESTING="1",
        VECHE_DEBUG="0",
        VECHE_VAR_DIR=str(tmp_path / "var"),
        VECHE_SECRET_KEY=secrets.token_urlsafe(50),
        VECHE_POST_RATE="",
        VECHE_POST_RATE_IP="",
        VECHE_NEW_USER_PREMOD_COUNT="0",
        PYTHONUNBUFFERED="1",
    )
    processes: list[subprocess.Popen] = []
    try:
        with fresh_database() as db_url:
            env["DATABASE_URL"] = db_url
            try:
                run(env, tmp_path, "migrate", "--noinput", "-v0")
                out = run(env, tmp_path, "shell", "--no-imports", "-c", SETUP_CODE)
                data = json.loads(out.split("RESULT ", 1)[1])
                servers = []
                for name in ("a", "b"):
                    port = free_port()
                    log = tmp_path / f"serve-{name}.log"
                    with log.open("w") as stream:
                        processes.append(
                            subprocess.Popen(  # noqa: S603 - our own argv
                                [*CLI, "serve", "--port", str(port), "--workers", "1",
                                 "--no-background", "--no-collectstatic"],
                                env=env, cwd=tmp_path, stdout=stream, stderr=subprocess.STDOUT,
                            )
                        )
                    servers.append((f"http://127.0.0.1:{port}", processes[-1], log))
                wait_for_health(servers)
                yield {"a": servers[0][0], "b": servers[1][0], "prefix": prefix, **data}
            finally:  # the servers go before their database does
                for process in processes:
                    stop(process)
    finally:
        client = redis.Redis.from_url(redis_url, socket_timeout=5)
        keys = list(client.scan_iter(match=f"{prefix}:*", count=500))
        if keys:
            client.delete(*keys)
        client.close()


def form_token(html: str) -> str:
    match = re.search(r'name="csrfmiddlewaretoken" value="([^"]+)"', html)
    assert match, "no CSRF token in the page"
    return match.group(1)


def redis_keys(redis_url: str, pattern: str) -> list[bytes]:
    import redis

    client = redis.Redis.from_url(redis_url, socket_timeout=5)
    try:
        return list(client.scan_iter(match=pattern, count=500))
    finally:
        client.close()


def post_comment(client: httpx.Client, base: str, url: str, thread: int, text: str) -> None:
    """Post through the article page's own form, as a browser would."""
    page = client.get(base + url)
    assert page.status_code == 200
    assert f'action="/t/{thread}/post/"' in page.text
    response = client.post(
        f"{base}/t/{thread}/post/",
        data={"body": text, "csrfmiddlewaretoken": form_token(page.text)},
        headers={"Referer": base + url},
    )
    assert response.status_code == 302, response.text[:2000]
    assert re.fullmatch(r"/c/\d+/", response.headers["location"])


def test_a_comment_posted_through_one_server_shows_on_the_other_at_once(
    two_servers, redis_url
):
    a, b, prefix = two_servers["a"], two_servers["b"], two_servers["prefix"]
    url, thread = two_servers["url"], two_servers["thread"]
    anonymous = {"timeout": HTTP_TIMEOUT, "follow_redirects": False}

    # 1. Server B stores the anonymous page in the shared cache, then serves it from there.
    first = httpx.get(b + url, **anonymous)
    assert first.status_code == 200 and first.headers["x-veche-cache"] == "miss"
    second = httpx.get(b + url, **anonymous)
    assert second.status_code == 200 and second.headers["x-veche-cache"] == "hit"
    old_etag = second.headers["etag"]
    assert old_etag == first.headers["etag"]
    assert redis_keys(redis_url, f"{prefix}:*veche:page:v1:*"), "the page is not in Redis"
    unchanged = httpx.get(b + url, headers={"If-None-Match": old_etag}, **anonymous)
    assert unchanged.status_code == 304

    # 2. Sign in through server A; the same session cookie is good on server B.
    with (
        httpx.Client(base_url=a, timeout=HTTP_TIMEOUT) as on_a,
        httpx.Client(base_url=b, timeout=HTTP_TIMEOUT) as on_b,
    ):
        login = on_a.get("/accounts/login/")
        assert login.status_code == 200
        signed_in = on_a.post(
            "/accounts/login/",
            data={"login": USERNAME, "password": PASSWORD,
                  "csrfmiddlewaretoken": form_token(login.text)},
            headers={"Referer": a + "/accounts/login/"},
        )
        assert signed_in.status_code == 302, signed_in.text[:2000]
        session = on_a.cookies["sessionid"]
        assert redis_keys(redis_url, f"{prefix}:*django.contrib.sessions.cached_db{session}"), (
            "the session is not in Redis"
        )
        on_b.cookies.set("sessionid", session)
        settings_page = on_b.get("/settings/")
        assert settings_page.status_code == 200, settings_page.headers.get("location")
        assert USERNAME in settings_page.text

        # 3. A comment through server A...
        text = f"Posted through A {uuid.uuid4().hex[:8]}"
        post_comment(on_a, a, url, thread, text)

        # 4. ...is on server B's anonymous page at once: its cached copy is stale.
        after = httpx.get(b + url, **anonymous)
        assert after.status_code == 200 and text in after.text
        assert after.headers["x-veche-cache"] == "miss"
        assert after.headers["etag"] != old_etag
        revalidated = httpx.get(b + url, headers={"If-None-Match": old_etag}, **anonymous)
        assert revalidated.status_code == 200 and text in revalidated.text

        # And the other way round: A's cached page, a comment through B (same session).
        httpx.get(a + url, **anonymous)
        cached_on_a = httpx.get(a + url, **anonymous)
        assert cached_on_a.headers["x-veche-cache"] == "hit"
        reply_text = f"Posted through B {uuid.uuid4().hex[:8]}"
        post_comment(on_b, b, url, thread, reply_text)
        on_a_now = httpx.get(a + url, headers={"If-None-Match": cached_on_a.headers["etag"]},
                             **anonymous)
        assert on_a_now.status_code == 200
        assert reply_text in on_a_now.text and text in on_a_now.text
