"""Whole-thread documents as an anonymous reader sees them are kept as a file per thread
version: later readers (signed in too, unless they are moderators or have comments held)
get the same bytes without the thread being read again, a change shows at once, and
nothing half written is ever served."""

from __future__ import annotations

import json

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext

from tests.discussion.factories import add_comment, grow_thread, make_thread
from veche.api import document_files
from veche.discussion.models import CommentStatus

pytestmark = pytest.mark.django_db


@pytest.fixture(autouse=True)
def var_dir(settings, tmp_path):
    settings.VAR_DIR = tmp_path
    return tmp_path


def files() -> list[str]:
    folder = document_files.folder()
    return sorted(p.name for p in folder.iterdir()) if folder.exists() else []


def get(client, thread, **headers):
    response = client.get(f"/t/{thread.pk}/comments.json", headers=headers)
    body = b"".join(response.streaming_content) if response.streaming else response.content
    return response, body


def comment_reads(client, thread) -> tuple[int, bytes]:
    with CaptureQueriesContext(connection) as ctx:
        _, body = get(client, thread)
    return sum('FROM "discussion_comment"' in q["sql"] for q in ctx.captured_queries), body


def test_the_second_reader_gets_the_same_bytes_from_the_file(client, make_user):
    thread = make_thread()
    grow_thread(thread, [make_user("a"), make_user("b")], 30, seed=3)
    first_reads, first = comment_reads(client, thread)
    assert first_reads >= 1 and len(files()) == 1
    again_reads, again = comment_reads(client, thread)
    assert again_reads == 0 and again == first
    assert len(json.loads(again)["comments"]) == 30


def test_a_change_shows_at_once_and_replaces_the_old_file(client, make_user):
    thread = make_thread()
    author = make_user("a")
    root = add_comment(thread, author, "the first word")
    get(client, thread)
    (old,) = files()
    add_comment(thread, author, "a fresh reply", root)
    thread.refresh_from_db()
    _, body = get(client, thread)
    assert [c["html"] for c in json.loads(body)["comments"]] == [
        "<p>the first word</p>", "<p>a fresh reply</p>"]
    assert len(files()) == 1 and files() != [old]


def test_an_etag_lets_a_reader_revalidate(client, make_user):
    thread = make_thread()
    add_comment(thread, make_user("a"), "cached")
    response, _ = get(client, thread)
    assert response["Cache-Control"] == "public, max-age=0, must-revalidate"
    assert "Cookie" in response["Vary"]
    etag = response["ETag"]
    again, body = get(client, thread, if_none_match=etag)
    assert again.status_code == 304 and body == b""
    add_comment(thread, make_user("b"), "changed")
    thread.refresh_from_db()
    changed, _ = get(client, thread, if_none_match=etag)
    assert changed.status_code == 200 and changed["ETag"] != etag


def test_a_signed_in_readers_document_is_their_own_and_never_kept(client, make_user):
    thread = make_thread()
    author = make_user("author")
    add_comment(thread, author, "held for review", status=CommentStatus.PENDING)
    client.force_login(author)
    response, body = get(client, thread)
    assert b"held for review" in body and response["Cache-Control"] == "private, no-cache"
    assert files() == []
    client.logout()
    _, anonymous = get(client, thread)
    assert b"held for review" not in anonymous


def test_a_signed_in_reader_with_nothing_held_shares_the_anonymous_file(client, make_user):
    thread = make_thread()
    reader = make_user("reader")
    add_comment(thread, reader, "published for all")
    add_comment(thread, make_user("other"), "someone else's, held",
                status=CommentStatus.PENDING)
    _, anonymous = get(client, thread)
    client.force_login(reader)
    with CaptureQueriesContext(connection) as ctx:
        _, body = get(client, thread)
    assert body == anonymous
    # From the file: the comments' texts are not read; one look for the reader's held ones.
    assert not any('"body_html"' in q["sql"] for q in ctx.captured_queries)
    response, _ = get(client, thread)
    assert response["Cache-Control"] == "private, no-cache"
    revalidated, _ = get(client, thread, if_none_match=response["ETag"])
    assert revalidated.status_code == 304
    assert revalidated["Cache-Control"] == "private, no-cache"


def test_a_moderators_document_is_built_with_every_held_comment(client, make_user,
                                                                 settings):
    from django.contrib.auth.models import Group

    settings.VECHE_MFA_REQUIRED = False  # not what this test is about

    moderator = make_user("mod")
    moderator.groups.add(Group.objects.get_or_create(name="moderator")[0])
    thread = make_thread()
    add_comment(thread, make_user("a"), "held for review", status=CommentStatus.PENDING)
    get(client, thread)
    client.force_login(moderator)
    response, body = get(client, thread)
    assert b"held for review" in body and response["Cache-Control"] == "private, no-cache"
    assert "ETag" not in response


def test_a_reader_who_leaves_early_leaves_no_file(client, make_user):
    thread = make_thread()
    grow_thread(thread, [make_user("a")], 40, seed=5)
    response = client.get(f"/t/{thread.pk}/comments.json")
    pieces = iter(response.streaming_content)
    next(pieces)
    response.close()  # the server closes the iterator when the client goes
    assert files() == []
    assert not any(document_files.folder().glob(".*.tmp"))


def test_the_folder_stays_within_its_budget(client, make_user, settings):
    author = make_user("a")
    threads = [make_thread(f"test:budget:{i}") for i in range(4)]
    for thread in threads:
        grow_thread(thread, [author], 20, seed=1)
    get(client, threads[0])
    one = (document_files.folder() / files()[0]).stat().st_size
    settings.VECHE_THREAD_JSON_FILES_BYTES = int(one * 2.5)  # room for two
    for thread in threads[1:]:
        get(client, thread)
    assert len(files()) == 2
    kept = {name.split("_")[0] for name in files()}
    assert kept == {str(threads[2].pk), str(threads[3].pk)}  # the oldest went first


def test_without_a_budget_every_document_is_built(client, make_user, settings):
    settings.VECHE_THREAD_JSON_FILES_BYTES = 0
    thread = make_thread()
    add_comment(thread, make_user("a"), "built each time")
    first_reads, _ = comment_reads(client, thread)
    again_reads, _ = comment_reads(client, thread)
    assert first_reads >= 1 and again_reads >= 1 and files() == []
