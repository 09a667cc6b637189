"""GET /api/v1/threads/<id>/comments is rendered without ninja's response validation
(for speed); its bytes must be those of the validated CommentPage."""

from __future__ import annotations

import pytest
from django.test import RequestFactory

from tests.api.test_stream_document import moderator_of, varied_thread
from veche.api.api import api
from veche.api.schemas import CommentPage
from veche.api.serialize import comment_out, thread_out
from veche.discussion.selectors import Viewer, get_thread_page

pytestmark = pytest.mark.django_db


def one_by_one(node) -> dict:
    """node_out as it was: each comment on its own, no shared per-response work."""
    return comment_out(
        node.comment, shown=node.shown, number=node.number, my_vote=node.my_vote,
        quote_visible=node.shown and node.quote_visible,
        replies=[one_by_one(child) for child in node.children],
        more_replies=node.more_replies, continues=node.continues,
    )


def validated(thread, viewer: Viewer, page: int) -> bytes:
    result = get_thread_page(thread, viewer=viewer, page=page)
    data = {"thread": thread_out(thread), "sort": result.sort, "page": result.number,
            "page_count": result.page_count,
            "comments": [one_by_one(root) for root in result.roots]}
    dumped = CommentPage.model_validate(data).model_dump()
    content = api.renderer.render(RequestFactory().get("/"), dumped, response_status=200)
    return content.encode() if isinstance(content, str) else content


def test_bytes_are_the_validated_pages(client, make_user, settings, bearer):
    settings.VECHE_PAGE_SIZE = 20  # several pages, one ending in a cut subtree
    thread, bob = varied_thread(make_user)
    moderator = moderator_of(make_user)
    seen: dict = {}
    for user in (None, bob, moderator):
        auth = bearer(user) if user is not None else {}
        seen[user] = b""
        for page in (1, 2, 3):
            response = client.get(f"/api/v1/threads/{thread.pk}/comments?page={page}", **auth)
            assert response.status_code == 200
            assert response["Content-Type"] == "application/json; charset=utf-8"
            assert response.content == validated(thread, Viewer.of(user), page), (user, page)
            seen[user] += response.content
    assert b"Secret held" not in seen[None] and b"Secret held" in seen[bob]
    assert b"Spam with reply" in seen[moderator] and b"Spam with reply" not in seen[bob]
