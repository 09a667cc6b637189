"""How comment text is turned into HTML and shown."""

from __future__ import annotations

import pytest
from django.contrib.auth.models import AnonymousUser
from django.test import RequestFactory

from tests.discussion.factories import add_comment, make_thread
from veche.core.markup import render_comment_markdown
from veche.core.presentation import present_html
from veche.discussion import actions
from veche.discussion.web import render_discussion


def test_markdown_subset_and_safe_links():
    html = render_comment_markdown(
        "*em* **strong** [link](https://example.org)\n\n- item\n\n> quoted\n\n"
        "`code`\n\n# not a heading"
    )
    assert "<em>em</em>" in html and "<strong>strong</strong>" in html
    assert 'rel="nofollow ugc noopener"' in html
    assert "<li>item</li>" in html and "<blockquote>" in html and "<code>code</code>" in html
    assert "<h1>" not in html


@pytest.mark.parametrize(
    "attack",
    [
        "<script>alert(1)</script>",
        '<img src=x onerror="alert(1)">',
        "[click](javascript:alert(1))",
        '<a href="https://x" onclick="alert(1)">x</a>',
    ],
)
def test_raw_html_and_script_urls_never_survive(attack):
    html = render_comment_markdown(attack)
    assert "<script" not in html and "<img" not in html
    assert 'href="javascript' not in html and "<a " not in html


def test_smileys_become_emoji_at_render_time_but_not_in_code(settings):
    stored = render_comment_markdown("Ha :laughing: `:laughing:`")
    assert ":laughing:" in stored  # stored HTML does not depend on the smiley set
    shown = present_html(stored)
    assert "\U0001f606" in shown and "<code>:laughing:</code>" in shown
    settings.VECHE_SMILEYS = {":laughing:": "LOL"}
    assert "Ha LOL" in present_html(stored)


@pytest.mark.django_db
def test_quote_of_a_deleted_comment_no_longer_shows_its_text(make_user):
    thread = make_thread()
    nexus, reader = make_user("NEXUS"), make_user("reader")
    source = add_comment(thread, nexus, "Secret words here")
    add_comment(thread, reader, "Reply", quoted_comment=source, quoted_text="Secret words")
    request = RequestFactory().get("/")
    request.user = AnonymousUser()
    before = render_discussion(request, thread).html
    assert "Quote: " in before and "Secret words" in before
    actions.delete_comment(user=nexus, comment_id=source.pk)
    after = render_discussion(request, thread).html
    assert "Secret words" not in after
    assert "no longer available" in after


@pytest.mark.django_db
def test_jsonld_nests_replies_and_skips_hidden_comments(make_user):
    thread = make_thread()
    a, b = make_user("a"), make_user("b")
    root = add_comment(thread, a, "root text")
    reply = add_comment(thread, b, "reply text", root)
    add_comment(thread, a, "reply to reply", reply)
    actions.delete_comment(user=b, comment_id=reply.pk)
    request = RequestFactory().get("/")
    request.user = AnonymousUser()
    [item] = render_discussion(request, thread).jsonld_comments
    assert item["author"]["name"] == "a" and item["text"] == "root text"
    assert [c["text"] for c in item["comment"]] == ["reply to reply"]
