"""A held comment by a guest (no account) is for moderators only: no anonymous reader
is its author, even though neither has a user id."""

from __future__ import annotations

import pytest
from django.test import RequestFactory

from tests.discussion.factories import add_comment, make_thread
from veche.discussion.models import CommentStatus
from veche.discussion.selectors import Viewer
from veche.discussion.web import render_discussion

pytestmark = pytest.mark.django_db


def test_anonymous_readers_do_not_see_a_guests_held_comment():
    thread = make_thread("test:guest-held")
    add_comment(thread, None, "published by a guest")
    held = add_comment(thread, None, "held guest secret", status=CommentStatus.PENDING)

    assert not Viewer().sees_text(held)
    assert Viewer(is_moderator=True).sees_text(held)
    request = RequestFactory().get("/")
    from django.contrib.auth.models import AnonymousUser

    request.user = AnonymousUser()
    html = str(render_discussion(request, thread))
    assert "published by a guest" in html
    assert "held guest secret" not in html
