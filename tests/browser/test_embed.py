"""The embed on another site: a static blog page on http://blog.test:<port>/ embeds the
discussion served by Veche at http://veche.test:<live port>/ (Chromium maps both names
to 127.0.0.1). A reader signs in through the pop-up, or the blog signs its user in by
SSO; they post and reply in the frame; the comments show through the API and on
Veche's own page of the thread, and the blog's listing gets comment counts."""

from __future__ import annotations

import shutil
import tempfile
import threading
import time
from functools import partial
from http.server import SimpleHTTPRequestHandler, ThreadingHTTPServer
from pathlib import Path
from urllib.parse import urlsplit

import pytest
from playwright.sync_api import expect

from tests.browser.conftest import CHROMIUM, CHROMIUM_ARGS
from veche.api.models import AllowedSite
from veche.api.sso import sign_sso
from veche.discussion.models import Comment, Thread

PASSWORD = "pw-Secret-123"
HOST_PAGE = """<!doctype html>
<html lang="en"><head><meta charset="utf-8"><title>Post 42 on the blog</title></head>
<body>
<h1>Post 42</h1>
<ul>
  <li><a href="/post/42">Post 42</a> <span id="count42" data-veche-count="/post/42"></span></li>
  <li><a href="/post/7">Post 7</a> <span id="count7" data-veche-count="/post/7"></span></li>
</ul>
<div id="veche-thread"></div>
<script src="{veche}/embed.js" data-veche-uri="/post/42" {sso} async></script>
</body></html>
"""


class QuietHandler(SimpleHTTPRequestHandler):
    def log_message(self, *args) -> None:
        pass


@pytest.fixture
def blog():
    """A static site on 127.0.0.1:<port>, reached as http://blog.test:<port>."""
    root = Path(tempfile.mkdtemp(prefix="veche-blog-"))
    server = ThreadingHTTPServer(("127.0.0.1", 0), partial(QuietHandler, directory=str(root)))
    thread = threading.Thread(target=server.serve_forever, daemon=True)
    thread.start()
    try:
        yield root, f"http://blog.test:{server.server_address[1]}"
    finally:
        server.shutdown()
        server.server_close()
        shutil.rmtree(root, ignore_errors=True)


@pytest.fixture
def veche(live_server, settings):
    settings.ALLOWED_HOSTS = [*settings.ALLOWED_HOSTS, "veche.test"]
    settings.VECHE_NEW_USER_PREMOD_COUNT = 0
    return f"http://veche.test:{urlsplit(live_server.url).port}"


@pytest.fixture
def chromium(_playwright):
    """A browser of this test's own, resolving blog.test and veche.test to loopback."""
    profile = tempfile.mkdtemp(prefix="veche-embed-chromium-")
    context = _playwright.chromium.launch_persistent_context(
        profile,
        executable_path=str(CHROMIUM),
        headless=True,
        args=[*CHROMIUM_ARGS,
              "--host-resolver-rules=MAP blog.test 127.0.0.1, MAP veche.test 127.0.0.1"],
    )
    context.set_default_timeout(15_000)
    try:
        yield context
    finally:
        context.close()
        shutil.rmtree(profile, ignore_errors=True)


def write_page(root: Path, veche: str, sso: str = "") -> None:
    attr = f'data-veche-sso="{sso}"' if sso else ""
    (root / "index.html").write_text(HOST_PAGE.format(veche=veche, sso=attr))


def test_popup_sign_in_post_and_reply(chromium, blog, veche, make_user, client):
    root, blog_url = blog
    AllowedSite.objects.create(name="The blog", origin=blog_url)
    make_user("alice", password=PASSWORD)
    write_page(root, veche)
    page = chromium.new_page()
    errors: list[str] = []
    page.on("console", lambda m: errors.append(m.text) if m.type == "error" else None)
    page.goto(blog_url + "/")

    frame = page.frame_locator("iframe[data-veche]")
    expect(frame.get_by_role("heading", name="Comments")).to_be_visible()
    expect(frame.get_by_text("No comments yet.")).to_be_visible()
    expect(page.locator("#count42")).to_have_text("0 comments")

    with page.expect_popup() as popup_info:
        frame.get_by_role("button", name="Sign in to comment").click()
    popup = popup_info.value
    popup.wait_for_load_state()
    assert "/accounts/login/" in popup.url
    popup.fill("input[name=login]", "alice")
    popup.fill("input[name=password]", PASSWORD)
    with popup.expect_event("close"):
        popup.press("input[name=password]", "Enter")

    # The pop-up handed the frame a bearer token by postMessage (its opener survived).
    expect(frame.locator("#v-who")).to_have_text("Signed in as alice")
    frame.get_by_label("Your comment").fill("Hello from the **blog**")
    frame.get_by_role("button", name="Post comment").click()
    first = frame.locator("li.v-c").first
    expect(first.locator(".v-text")).to_contain_text("Hello from the blog")
    expect(first.locator("strong")).to_have_text("blog")

    first.get_by_role("button", name="Reply to alice").click()
    reply_box = frame.get_by_label("Your reply")
    expect(reply_box).to_be_focused()  # keyboard users land in the reply form
    reply_box.fill("And a reply")
    frame.get_by_role("button", name="Post reply").click()
    expect(first.locator(".v-replies .v-text")).to_have_text("And a reply")

    thread = Thread.objects.get(target_key=f"url:{blog_url}/post/42")
    root_comment = Comment.objects.get(thread=thread, parent=None)
    reply = Comment.objects.get(thread=thread, parent=root_comment)
    assert root_comment.author.username == "alice" and reply.author.username == "alice"

    # Through the API...
    data = client.get(f"/api/v1/threads/{thread.pk}/comments", HTTP_HOST="veche.test").json()
    [api_root] = data["comments"]
    assert "Hello from the" in api_root["html"]
    assert api_root["replies"][0]["html"].strip() == "<p>And a reply</p>"
    # ...and on Veche's own page of the thread.
    own = chromium.new_page()
    own.goto(f"{veche}/t/{thread.pk}/")
    expect(own.locator(f"#c{reply.pk}")).to_contain_text("And a reply")
    expect(own.locator(f"#c{root_comment.pk}")).to_contain_text("Hello from the blog")

    # The frame keeps growing with its content: no inner scrollbar.
    height = page.locator("iframe[data-veche]").evaluate("f => f.getBoundingClientRect().height")
    inner = frame.locator("html").evaluate("h => h.scrollHeight")
    assert abs(height - inner) <= 2
    page.reload()
    expect(page.locator("#count42")).to_have_text("2 comments")
    expect(page.locator("#count7")).to_have_text("0 comments")
    assert not [e for e in errors if "Content Security Policy" in e], errors


def test_sso_user_posts_from_the_blog(chromium, blog, veche):
    root, blog_url = blog
    site = AllowedSite.objects.create(name="The blog", origin=blog_url)
    token = sign_sso(site.sso_secret, {"id": "42", "username": "bloggy", "name": "Blog Reader",
                                       "email": "bloggy@blog.test", "exp": int(time.time()) + 600})
    write_page(root, veche, sso=token)
    page = chromium.new_page()
    page.goto(blog_url + "/")
    frame = page.frame_locator("iframe[data-veche]")
    expect(frame.locator("#v-who")).to_have_text("Signed in as Blog Reader")
    frame.get_by_label("Your comment").fill("Signed in by my blog")
    frame.get_by_role("button", name="Post comment").click()
    expect(frame.locator("li.v-c .v-author").first).to_have_text("Blog Reader")
    comment = Comment.objects.get(body_markdown="Signed in by my blog")
    assert comment.author.username == f"site:{site.pk}:42"
    assert not comment.author.has_usable_password()


def test_frame_refuses_a_site_not_allowed(chromium, blog, veche):
    root, blog_url = blog
    AllowedSite.objects.create(name="Another blog", origin="http://other.test")
    write_page(root, veche)
    page = chromium.new_page()
    with page.expect_response(lambda r: "/embed/thread" in r.url) as answer:
        page.goto(blog_url + "/")
    # Refused, and the refusal itself may not be framed (frame-ancestors 'none').
    assert answer.value.status == 403
    assert "frame-ancestors 'none'" in answer.value.headers["content-security-policy"]
    assert not Thread.objects.filter(target_key__startswith="url:").exists()
