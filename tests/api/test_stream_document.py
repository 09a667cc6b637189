"""The whole-thread document (veche.api.stream) is written by hand for speed; it must be
byte for byte what the dict path (serialize.comment_out + DjangoJSONEncoder) gives, for
every kind of comment and viewer, and must read the thread in a fixed number of queries.
"""

from __future__ import annotations

import json
from datetime import timedelta

import pytest
from django.contrib.auth.models import Group
from django.core.serializers.json import DjangoJSONEncoder

from tests.discussion.factories import add_comment, grow_thread, make_thread
from veche.api import stream_sql
from veche.api.serialize import comment_out, thread_out
from veche.api.stream import document
from veche.discussion import actions
from veche.discussion.models import Comment, CommentStatus
from veche.discussion.selectors import Viewer, iter_whole_thread
from veche.moderation.models import DesignatedOrganisation

pytestmark = pytest.mark.django_db
encoder = DjangoJSONEncoder(ensure_ascii=False, separators=(",", ":"))


def reference(thread, viewer: Viewer) -> bytes:
    """The document as the dict path writes it (the code this module replaced)."""
    items = []
    for c, shown in iter_whole_thread(thread, viewer=viewer):
        if c.quotes_target:
            quote_visible = bool(c.quoted_text)
        else:
            quote_visible = c.quoted_comment_id is not None and (
                c.quoted_comment.status == CommentStatus.PUBLISHED
            )
        item = comment_out(c, shown=shown, quote_visible=shown and quote_visible)
        item["depth"] = c.depth
        del item["replies"], item["more_replies"], item["number"]
        items.append(encoder.encode(item))
    head = '{"thread":' + encoder.encode(thread_out(thread)) + ',"comments":['
    return (head + ",".join(items) + "]}").encode()


def varied_thread(make_user):
    """Every case the document distinguishes, in one thread."""
    thread = make_thread()
    alice, bob = make_user("alice"), make_user("bob", display_name='Bob "B" <b>')
    carol = make_user("carol")
    DesignatedOrganisation.objects.create(name="Acme Front", forms="Acme Front\nAFR")
    root = add_comment(thread, alice, "Plain root :smile: with the Acme Front mentioned")
    reply = add_comment(thread, bob, "A reply with `:wink: in code` and ünïcödé \u2028", root)
    add_comment(thread, carol, "Quoting a comment", reply, quoted_comment=reply,
                quoted_text="A reply")
    add_comment(thread, carol, "Quoting the article", root, quotes_target=True,
                quoted_text="from the article")
    add_comment(thread, carol, "A target quote without text", quotes_target=True)
    pending = add_comment(thread, bob, "Secret held comment", status=CommentStatus.PENDING)
    add_comment(thread, alice, "Reply under a held comment", pending)
    add_comment(thread, carol, "Quotes the held one", quoted_comment=pending,
                quoted_text="held")
    add_comment(thread, bob, "Secret held leaf", status=CommentStatus.PENDING)
    gone = add_comment(thread, alice, "To be deleted, with a reply")
    add_comment(thread, bob, "Reply to the deleted one", gone)
    actions.delete_comment(user=alice, comment_id=gone.pk)
    spam = add_comment(thread, bob, "Spam with reply", status=CommentStatus.SPAM)
    add_comment(thread, carol, "Reply to spam", spam)
    add_comment(thread, alice, "Rejected leaf", status=CommentStatus.REJECTED)
    add_comment(thread, None, "A guest wrote this, AFR too")
    edited = add_comment(thread, alice, "Edited comment")
    Comment.objects.filter(pk=edited.pk).update(
        edited_at=edited.created_at.replace(microsecond=0) + timedelta(minutes=1)
    )
    Comment.objects.filter(pk=reply.pk).update(upvotes=3, downvotes=5, score=-2)
    # Fractions the database prints short ("…:05.12", "…:05.0005"): the document keeps
    # milliseconds, as the encoder does.
    Comment.objects.filter(pk=root.pk).update(
        created_at=root.created_at.replace(microsecond=120000))
    Comment.objects.filter(pk=gone.pk).update(
        created_at=gone.created_at.replace(microsecond=500))
    grow_thread(thread, [alice, bob, carol], 30, seed=3)
    thread.refresh_from_db()
    return thread, bob


def moderator_of(make_user):
    user = make_user("mod")
    user.groups.add(Group.objects.get_or_create(name="moderator")[0])
    return user


def test_same_bytes_as_the_dict_path_for_every_viewer(make_user):
    thread, bob = varied_thread(make_user)
    moderator = moderator_of(make_user)
    for viewer in (Viewer(), Viewer.of(bob), Viewer.of(moderator)):
        ours = b"".join(document(thread, viewer))
        assert ours == reference(thread, viewer), viewer
    everything = json.loads(b"".join(document(thread, Viewer.of(moderator))))["comments"]
    assert len(everything) == Comment.objects.filter(thread=thread).count()


def test_same_bytes_when_read_a_few_comments_at_a_time(make_user, monkeypatch):
    """Each batch goes on from the last path of the one before: nothing is lost or
    repeated at the seams, placeholders and quotes included."""
    thread, bob = varied_thread(make_user)
    grow_thread(thread, [bob, make_user("dave")], 25, seed=4)
    moderator = moderator_of(make_user)
    monkeypatch.setattr(stream_sql, "FETCH", 3)
    for viewer in (Viewer(), Viewer.of(bob), Viewer.of(moderator)):
        assert b"".join(document(thread, viewer)) == reference(thread, viewer), viewer


def test_the_next_batch_is_asked_for_before_this_one_goes_out(make_user, monkeypatch):
    """So that on PostgreSQL (pipeline mode) the database reads it meanwhile."""
    from django.db import connection

    thread = make_thread()
    grow_thread(thread, [make_user("a"), make_user("b")], 20, seed=6)
    monkeypatch.setattr(stream_sql, "FETCH", 4)
    monkeypatch.setattr(stream_sql, "FIRST_FETCH", 4)
    asked = []

    def count(execute, sql, params, many, context):
        if sql.startswith("WITH r "):
            asked.append(sql)
        return execute(sql, params, many, context)

    seen = []
    with connection.execute_wrapper(count):
        for batch in stream_sql.iter_rows(thread, Viewer()):
            seen.append((len(batch), len(asked)))
    # 20 comments in batches of 4: while batch k goes out, batch k + 1 is asked for;
    # the last full batch asks for one that turns out empty.
    assert seen == [(4, k + 2) for k in range(5)]
    assert len(asked) == 6


def test_what_each_reader_sees(make_user):
    thread, bob = varied_thread(make_user)
    anonymous = json.loads(b"".join(document(thread, Viewer())))["comments"]
    texts = " ".join(c["html"] for c in anonymous)
    for hidden in ("Secret", "Spam", "Rejected", "To be deleted"):
        assert hidden not in texts
    assert "Reply under a held comment" in texts  # its parent is a placeholder
    placeholders = {c["status"] for c in anonymous if c["author"] is None}
    assert placeholders == {"removed", "deleted"}
    quotes = [c["quote"] for c in anonymous if c["quote"]]
    assert [q["text"] for q in quotes] == ["A reply", "from the article"]  # not the held one
    assert "(banned in the Russian Federation)" in texts and "\U0001f604" in texts
    own = json.loads(b"".join(document(thread, Viewer.of(bob))))["comments"]
    mine = [c for c in own if c["status"] == "pending"]
    assert {c["html"] for c in mine} == {"<p>Secret held comment</p>", "<p>Secret held leaf</p>"}


def test_a_guests_held_comment_is_hidden_from_anonymous_readers(make_user):
    thread = make_thread()
    add_comment(thread, None, "guest secret", status=CommentStatus.PENDING)
    add_comment(thread, make_user(), "visible")
    comments = json.loads(b"".join(document(thread, Viewer())))["comments"]
    assert [c["html"] for c in comments] == ["<p>visible</p>"]


def test_a_signed_in_reader_sees_their_held_comment_over_http(client, make_user):
    thread = make_thread()
    author = make_user("author")
    add_comment(thread, author, "mine, held", status=CommentStatus.PENDING)
    assert b"mine, held" not in b"".join(client.get(f"/t/{thread.pk}/comments.json")
                                         .streaming_content)
    client.force_login(author)
    response = client.get(f"/t/{thread.pk}/comments.json")
    data = json.loads(b"".join(response.streaming_content))
    assert [c["html"] for c in data["comments"]] == ["<p>mine, held</p>"]
    assert response["Cache-Control"] == "private, no-cache"


def test_pieces_are_large_and_add_up(make_user):
    thread = make_thread()
    grow_thread(thread, [make_user("a"), make_user("b")], 60, seed=9)
    whole = b"".join(document(thread, Viewer()))
    pieces = list(document(thread, Viewer(), piece=2000))
    assert len(pieces) > 3
    assert all(len(p) >= 2000 for p in pieces[:-1])
    assert b"".join(pieces) == whole


def test_query_count_does_not_grow_with_the_thread(make_user, django_assert_num_queries):
    people = [make_user("a"), make_user("b")]
    small, big = make_thread("test:small"), make_thread("test:big")
    grow_thread(small, people, 5, seed=1)
    grow_thread(big, people, 80, seed=2)
    for thread in (small, big):
        thread.refresh_from_db()
        # The rows, their authors (one query each per 500 comments); thread_out: none.
        with django_assert_num_queries(2):
            pieces = list(document(thread, Viewer(), piece=500))
        assert len(json.loads(b"".join(pieces))["comments"]) in (5, 80)


@pytest.mark.django_db(transaction=True)
def test_same_bytes_outside_a_transaction_for_every_viewer(make_user, monkeypatch):
    """Outside a transaction, as a request reads (on PostgreSQL, in pipeline mode)."""
    thread, bob = varied_thread(make_user)
    moderator = moderator_of(make_user)
    monkeypatch.setattr(stream_sql, "FETCH", 3)
    monkeypatch.setattr(stream_sql, "FIRST_FETCH", 2)
    for viewer in (Viewer(), Viewer.of(bob), Viewer.of(moderator)):
        assert b"".join(document(thread, viewer)) == reference(thread, viewer), viewer


def test_each_batch_is_read_in_index_order_without_a_sort(make_user):
    """The batch query walks the (thread, path) index: no sort of the batch's rows,
    which with the bodies in them had been a fifth of SQLite's time."""
    from django.db import connection

    thread = make_thread()
    grow_thread(thread, [make_user("a"), make_user("b")], 12, seed=8)
    asked = []

    def keep(execute, sql, params, many, context):
        if sql.startswith("WITH r "):
            asked.append((sql, params))
        return execute(sql, params, many, context)

    with connection.execute_wrapper(keep):
        pieces = b"".join(document(thread, Viewer()))
    assert len(json.loads(pieces)["comments"]) == 12
    sql, params = asked[0]
    with connection.cursor() as cursor:
        if connection.vendor == "sqlite":
            cursor.execute("EXPLAIN QUERY PLAN " + sql, params)
            plan = " | ".join(row[3] for row in cursor.fetchall())
            assert "comment_thread_path" in plan, plan
            assert "TEMP B-TREE" not in plan and "CO-ROUTINE" not in plan, plan
        else:
            cursor.execute("SET LOCAL enable_seqscan = off")
            cursor.execute("EXPLAIN " + sql, params)
            plan = " | ".join(row[0] for row in cursor.fetchall())
            assert "comment_thread_path" in plan, plan
            assert "Sort" not in plan, plan


@pytest.mark.django_db(transaction=True)
def test_a_document_left_half_read_leaves_no_read_open(make_user, monkeypatch, tmp_path):
    """A reader who goes away mid-document: the statement asked for next is closed, so
    no read stays open on the connection: the thread can be written to (an
    in-memory database locks a table being read) and a checkpoint can empty the log."""
    from django.db import connection

    thread = make_thread()
    author = make_user("a")
    grow_thread(thread, [author], 30, seed=5)
    monkeypatch.setattr(stream_sql, "FETCH", 5)
    monkeypatch.setattr(stream_sql, "FIRST_FETCH", 5)
    pieces = document(thread, Viewer(), piece=10)
    next(pieces)
    next(pieces)
    pieces.close()
    add_comment(thread, author, "written after the reader left")
    if connection.vendor == "sqlite":
        with connection.cursor() as cursor:
            cursor.execute("PRAGMA wal_checkpoint(TRUNCATE)")
            busy, _, _ = cursor.fetchone()
        assert busy == 0
    assert Comment.objects.filter(thread=thread).count() == 31


def test_comment_html_is_escaped_as_the_standard_encoder_escapes_it():
    from json.encoder import encode_basestring

    import orjson

    awkward = [
        "".join(map(chr, range(0x20))),  # every control character
        '"quoted" \\ back\\slash / slash \x7f DEL',
        "\u2028 line and paragraph \u2029 separators, \ufeff BOM",
        "ünïcödé, кириллица, 😀 (astral), \U0010ffff",
        "",
    ]
    for text in awkward:
        # The document's writer, orjson, relies on this.
        assert orjson.dumps(text).decode() == encode_basestring(text), text


@pytest.mark.parametrize(("stored", "written"), [
    ("2026-11-25 08:00:00", '"2026-11-25T08:00:00Z"'),  # no fraction: none written
    ("2026-11-25 08:00:00.123456", '"2026-11-25T08:00:00.123Z"'),  # cut, not rounded
    ("2026-11-25 08:00:00.12", '"2026-11-25T08:00:00.120Z"'),  # PostgreSQL trims zeros
    ("2026-11-25 08:00:00.0005", '"2026-11-25T08:00:00.000Z"'),
])
def test_times_are_written_as_the_standard_encoder_writes_them(stored, written):
    from datetime import UTC, datetime

    from veche.api.stream import _time

    assert f'"{_time(stored)}"' == written
    as_datetime = datetime.fromisoformat(stored).replace(tzinfo=UTC)
    assert encoder.encode(as_datetime) == written
