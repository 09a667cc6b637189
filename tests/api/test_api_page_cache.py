"""The API's thread page for anonymous readers is written once per thread version
(veche.api.page_cache): the next anonymous reader gets the same bytes without the
comments being read, and any change a reader could see shows at once."""

from __future__ import annotations

import json

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext

from tests.api.test_stream_document import moderator_of, varied_thread
from veche.discussion import actions
from veche.discussion.models import Comment

pytestmark = pytest.mark.django_db


def page(client, thread, query="", **extra):
    response = client.get(f"/api/v1/threads/{thread.pk}/comments{query}", **extra)
    assert response.status_code == 200
    return response


def comment_queries(queries) -> list[str]:
    table = Comment._meta.db_table
    return [q["sql"] for q in queries if f'FROM "{table}"' in q["sql"]]


def test_the_second_anonymous_reader_gets_the_same_bytes_without_reading_comments(
    client, make_user
):
    thread, _ = varied_thread(make_user)
    first = page(client, thread).content
    with CaptureQueriesContext(connection) as queries:
        second = page(client, thread).content
    assert second == first
    assert comment_queries(queries.captured_queries) == []
    assert len(queries.captured_queries) == 1  # the thread's row, for its version


def test_the_cached_page_is_the_page_built_for_the_request(client, make_user, settings):
    settings.VECHE_PAGE_SIZE = 5  # several pages, cut subtrees among them
    thread, _ = varied_thread(make_user)
    for query in ("", "?page=2", "?page=3", "?sort=newest", "?sort=best&page=2"):
        settings.VECHE_API_PAGE_CACHE = True
        page(client, thread, query)  # stores it
        cached = page(client, thread, query).content
        settings.VECHE_API_PAGE_CACHE = False
        built = page(client, thread, query).content
        assert cached == built, query


def test_a_new_comment_an_edit_and_a_vote_show_at_once(client, make_user):
    thread, _ = varied_thread(make_user)
    alice = make_user("erin")
    page(client, thread)
    new = actions.post_comment(author=alice, thread=thread, body="Fresh news here").comment
    assert b"Fresh news here" in page(client, thread).content
    actions.edit_comment(user=alice, comment_id=new.pk, body="Corrected news here")
    body = page(client, thread).content
    assert b"Corrected news here" in body and b"Fresh news here" not in body
    actions.vote_comment(user=make_user("fred"), comment_id=new.pk, value=1)
    shown = {c["id"]: c for c in json.loads(page(client, thread).content)["comments"]}
    assert shown[new.pk]["upvotes"] == 1


def test_signed_in_readers_and_moderators_get_their_own_page(client, make_user, bearer):
    thread, bob = varied_thread(make_user)
    anonymous = page(client, thread).content
    page(client, thread)
    mine = page(client, thread, HTTP_AUTHORIZATION=bearer(bob)["HTTP_AUTHORIZATION"]).content
    assert b"Secret held" in mine and b"Secret held" not in anonymous
    moderator = moderator_of(make_user)
    theirs = page(client, thread, **bearer(moderator)).content
    assert b"Spam with reply" in theirs and b"Spam with reply" not in anonymous
    voter = make_user("gina")
    target = Comment.objects.filter(thread=thread, body_markdown__startswith="Plain root").get()
    actions.vote_comment(user=voter, comment_id=target.pk, value=1)
    page(client, thread)  # the new version, stored for anonymous readers
    votes = {c["id"]: c["my_vote"]
             for c in json.loads(page(client, thread, **bearer(voter)).content)["comments"]}
    assert votes[target.pk] == 1
    anonymous_votes = {c["id"]: c["my_vote"]
                       for c in json.loads(page(client, thread).content)["comments"]}
    assert anonymous_votes[target.pk] == 0


def test_a_page_past_the_end_is_not_stored_under_its_number(client, make_user, settings):
    settings.VECHE_PAGE_SIZE = 5
    thread, _ = varied_thread(make_user)
    last = json.loads(page(client, thread, "?page=999").content)
    assert last["page"] == last["page_count"] < 999
    with CaptureQueriesContext(connection) as queries:
        again = json.loads(page(client, thread, "?page=999").content)
    assert again == last
    assert comment_queries(queries.captured_queries) != []


def test_the_thread_part_is_current_when_the_comments_come_from_the_cache(
    client, make_user
):
    thread, _ = varied_thread(make_user)
    assert json.loads(page(client, thread).content)["thread"]["accepts_comments"] is True
    page(client, thread)
    actions.update_thread(thread, is_open=False)
    assert json.loads(page(client, thread).content)["thread"]["accepts_comments"] is False
