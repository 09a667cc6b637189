"""GET /t/<id>/comments.json: the whole thread, streamed, as the reader may see it."""

from __future__ import annotations

import json

import pytest

from tests.discussion.factories import add_comment, grow_thread, make_thread
from veche.discussion import actions
from veche.discussion.models import CommentStatus

pytestmark = pytest.mark.django_db


def fetch(client, thread):
    response = client.get(f"/t/{thread.pk}/comments.json")
    assert response.status_code == 200 and response.streaming
    return json.loads(b"".join(response.streaming_content))


def test_every_visible_comment_in_thread_order_with_parents(client, make_user):
    thread = make_thread()
    people = [make_user(f"p{i}") for i in range(4)]
    made = grow_thread(thread, people, 120, seed=5)
    data = fetch(client, thread)
    assert data["thread"]["id"] == thread.pk
    ids = [c["id"] for c in data["comments"]]
    assert ids == [c.pk for c in sorted(made, key=lambda c: c.path)]
    by_id = {c.pk: c for c in made}
    for item in data["comments"]:
        assert item["parent"] == by_id[item["id"]].parent_id
        assert item["depth"] == by_id[item["id"]].depth


def test_hidden_comments_are_placeholders_or_absent(client, make_user):
    thread = make_thread()
    author, other = make_user("author"), make_user("other")
    with_reply = add_comment(thread, author, "secret with reply")
    add_comment(thread, other, "the reply", with_reply)
    lonely = add_comment(thread, author, "secret alone")
    add_comment(thread, other, "held", status=CommentStatus.PENDING)
    for comment in (with_reply, lonely):
        actions.delete_comment(user=author, comment_id=comment.pk)
    data = fetch(client, thread)
    texts = [c["html"] for c in data["comments"]]
    assert texts == ["", "<p>the reply</p>"]
    assert data["comments"][0]["status"] == "deleted" and data["comments"][0]["author"] is None
    assert "secret" not in json.dumps(data)


def test_unknown_thread_is_404(client):
    assert client.get("/t/987654/comments.json").status_code == 404
