"""The full-page cache under ``veche serve`` with two worker processes on SQLite (no Redis).

Each worker keeps its own pages; a change committed by another process (here a
``veche shell``, as the job worker or an admin's command would) must show on the very
next page whichever worker answers: the workers learn of it from SQLite itself
(``PRAGMA data_version``), not from a message that could arrive late.
"""

from __future__ import annotations

import http.client
import json
import os
import socket
import subprocess
import sys
import time
from pathlib import Path

import pytest

from tests.core.processes import stop

pytestmark = pytest.mark.timeout(300)

CLI = [sys.executable, "-m", "veche.cli"]
SCRUBBED = {"DATABASE_URL", "REDIS_URL", "DJANGO_SETTINGS_MODULE", "DJANGO_ALLOW_ASYNC_UNSAFE"}
REQUESTS = 24  # new connections per look, so both workers answer some

SETUP_CODE = """
import json
from datetime import timedelta
from django.utils import timezone
from veche.accounts.models import User
from veche.newsroom.actions import save_article
from veche.newsroom.models import Article, ArticleStatus, Author

author = Author.objects.create(name="Desk", slug="desk")
article = save_article(Article(
    title="Workers and one database", slug="workers", lead="A lead.",
    body_markdown="The body.", author=author, status=ArticleStatus.PUBLISHED,
    published_at=timezone.now() - timedelta(hours=1),
))
User.objects.create_user(username="writer", email="writer@example.org", password="x-Pw-42")
print("RESULT " + json.dumps({"url": article.get_absolute_url()}))
"""

POST_CODE = """
from veche.accounts.models import User
from veche.core.markup import render_comment_markdown
from veche.discussion import actions
from veche.newsroom.models import Article

article = Article.objects.get(slug="workers")
user = User.objects.get(username="writer")
text = "Written by another process"
actions.do_create_comment(
    thread=article.thread, author=user, author_name=user.public_name,
    body_markdown=text, body_html=render_comment_markdown(text),
)
"""


def free_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return sock.getsockname()[1]


def run(env: dict[str, str], cwd: Path, *args: str) -> str:
    done = subprocess.run(  # noqa: S603 - our own argv
        [*CLI, *args], env=env, cwd=cwd, capture_output=True, text=True, timeout=180
    )
    assert done.returncode == 0, f"veche {' '.join(args)}:\n{done.stdout}\n{done.stderr}"
    return done.stdout


def fetch(port: int, path: str) -> tuple[int, str, bytes]:
    """One GET on a connection of its own (so the kernel may hand it to either worker)."""
    conn = http.client.HTTPConnection("127.0.0.1", port, timeout=10)
    try:
        conn.request("GET", path)
        response = conn.getresponse()
        return response.status, response.headers.get("X-Veche-Cache", ""), response.read()
    finally:
        conn.close()


def test_a_change_from_another_process_shows_on_every_worker_at_once(tmp_path: Path):
    env = {k: v for k, v in os.environ.items() if k not in SCRUBBED}
    env.update(
        VECHE_VAR_DIR=str(tmp_path / "var"),
        DATABASE_URL=f"sqlite:///{tmp_path / 'pages.sqlite3'}",
        VECHE_TESTING="1",
        VECHE_DEBUG="0",
        PYTHONUNBUFFERED="1",
    )
    run(env, tmp_path, "migrate", "--noinput", "-v0")
    out = run(env, tmp_path, "shell", "--no-imports", "-c", SETUP_CODE)
    url = json.loads(out.split("RESULT ", 1)[1])["url"]
    port = free_port()
    log = tmp_path / "serve.log"
    with log.open("w") as stream:
        process = subprocess.Popen(  # noqa: S603 - our own argv
            [*CLI, "serve", "--port", str(port), "--workers", "2", "--threads", "2",
             "--no-background", "--no-collectstatic"],
            env=env, cwd=tmp_path, stdout=stream, stderr=subprocess.STDOUT,
        )
    try:
        deadline = time.monotonic() + 90
        while True:
            try:
                if fetch(port, "/health")[0] == 200:
                    break
            except OSError:
                pass
            if process.poll() is not None or time.monotonic() > deadline:
                raise AssertionError(log.read_text())
            time.sleep(0.3)

        before = [fetch(port, url) for _ in range(REQUESTS)]
        assert all(status == 200 for status, _, _ in before)
        assert sum(cache == "hit" for _, cache, _ in before) >= REQUESTS - 2  # a miss a worker
        assert not any(b"Written by another process" in body for _, _, body in before)

        run(env, tmp_path, "shell", "--no-imports", "-c", POST_CODE)

        after = [fetch(port, url) for _ in range(REQUESTS)]
        stale = [cache for _, cache, body in after if b"Written by another process" not in body]
        assert not stale, f"{len(stale)} of {REQUESTS} pages were stale"
        assert any(cache == "hit" for _, cache, _ in after)  # the new page is cached again
    finally:
        stop(process)
    assert process.returncode == 0, log.read_text()
