"""A check's slow part starts as soon as posting knows the text, and runs while posting
reads the author's facts; what a refused post started is abandoned, never left half
read."""

from __future__ import annotations

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext

from tests.discussion.factories import make_thread
from veche.discussion import actions, hooks
from veche.discussion.errors import ActionError


class _Handle:
    def __init__(self, text: str, queries_before: int) -> None:
        self.text, self.queries_before = text, queries_before
        self.finished = self.abandoned = False

    def result(self) -> str:
        self.finished = True
        return self.text

    def abandon(self) -> None:
        if not self.finished:
            self.abandoned = True


@pytest.fixture
def slow_check():
    seen: dict = {"handles": [], "results": []}
    queries = CaptureQueriesContext(connection)

    def start(early: hooks.Draft) -> _Handle:
        assert early.thread is None and early.facts is None  # neither is read yet
        handle = _Handle(early.body_markdown, len(queries.captured_queries))
        seen["handles"].append(handle)
        return handle

    def check(draft: hooks.Draft) -> hooks.Verdict | None:
        seen["results"].append(draft.started[check].result())
        return None

    with queries, hooks.checks_registered(check):
        hooks.register_check(check, start=start)
        yield seen, queries


def test_the_slow_part_starts_before_the_authors_facts_are_read(db, make_user, slow_check):
    seen, queries = slow_check
    thread, author = make_thread(), make_user()
    before_post = len(queries.captured_queries)
    result = actions.post_comment(author=author, thread=thread, body="Early text.")
    assert result.created
    (handle,) = seen["handles"]
    assert handle.queries_before == before_post  # nothing read from the database before it
    assert len(queries.captured_queries) > before_post
    assert seen["results"] == ["Early text."]
    assert handle.finished and not handle.abandoned


def test_a_refused_post_abandons_what_it_started(db, make_user, slow_check):
    seen, _ = slow_check
    thread = make_thread()
    actions.update_thread(thread, is_open=False)
    with pytest.raises(ActionError):
        actions.post_comment(author=make_user(), thread=thread, body="Too late.")
    (handle,) = seen["handles"]
    assert handle.abandoned and seen["results"] == []


def test_nothing_starts_for_an_invalid_body_or_a_guest(db, make_user, slow_check):
    seen, _ = slow_check
    thread = make_thread()
    with pytest.raises(ActionError):
        actions.post_comment(author=make_user(), thread=thread, body="   ")
    from django.contrib.auth.models import AnonymousUser

    with pytest.raises(ActionError):
        actions.post_comment(author=AnonymousUser(), thread=thread, body="Hello.")
    assert seen["handles"] == []
