"""`veche export` then `veche import` into an empty database gives the same site."""

from __future__ import annotations

import json
from datetime import UTC, datetime
from io import StringIO

import pytest
from django.core.management import call_command
from django.core.management.base import CommandError

from tests.discussion.factories import add_comment, make_thread
from tests.newsroom.factories import make_article, make_section
from veche.accounts.models import User
from veche.discussion import actions
from veche.discussion.models import Comment, CommentRevision, CommentStatus, Thread, Vote
from veche.importers.detect import detect_format

pytestmark = pytest.mark.django_db(transaction=True)

# Fields that differ between two exports of the same site.
VOLATILE_HEADER_FIELDS = {"exported_at"}


def export() -> list[str]:
    out = StringIO()
    call_command("export", stdout=out)
    return out.getvalue().splitlines()


def comparable(lines: list[str]) -> list[str]:
    header = json.loads(lines[0])
    for name in VOLATILE_HEADER_FIELDS:
        header.pop(name)
    return [json.dumps(header, sort_keys=True), *lines[1:]]


def build_site(make_user):
    alice = make_user("alice", display_name="Alice A.")
    bob = make_user("bob")
    carol = make_user("carol", verified=False)
    section = make_section("City")
    article = make_article("Bridge closed", slug="bridge-closed", section=section)
    thread = Thread.objects.get(pk=article.thread_id)
    other = make_thread("url:https://old.example/post/1", title="Old post")
    root = add_comment(thread, alice, "Root *one*")
    reply = add_comment(thread, bob, "A reply", parent=root)
    deep = add_comment(thread, alice, "Deeper", parent=reply)
    add_comment(thread, None, "Guest here", parent=deep)
    for status in ("pending", "rejected", "spam", "deleted", "removed"):
        if status == "pending":
            add_comment(thread, bob, "Held", parent=root, status=status)
            continue
        comment = add_comment(thread, bob, f"Will be {status}", parent=root)
        actions.do_set_status(comment, status)
    add_comment(other, carol, "On the old post", external_id="disqus:1")
    actions.edit_comment(user=alice, comment_id=root.pk, body="Root *one*, edited")
    actions.vote_comment(user=bob, comment_id=root.pk, value=1)
    actions.vote_comment(user=alice, comment_id=reply.pk, value=-1)
    return thread


def test_round_trip_reproduces_the_site(make_user, tmp_path):
    build_site(make_user)
    assert CommentRevision.objects.count() == 1
    assert Vote.objects.count() == 2
    first = export()
    header = json.loads(first[0])
    assert header["type"] == "veche-export" and header["version"] == 1
    assert all('"password"' not in line for line in first)
    models = [json.loads(line)["model"] for line in first[1:]]
    assert models.index("accounts.user") < models.index("newsroom.author")
    assert models.index("discussion.thread") < models.index("newsroom.article")
    assert set(CommentStatus.values) <= {
        json.loads(line)["fields"]["status"] for line in first[1:]
        if json.loads(line)["model"] == "discussion.comment"
    }

    path = tmp_path / "site.jsonl"
    path.write_text("\n".join(first) + "\n")
    assert detect_format(path) == "jsonl"
    call_command("flush", interactive=False, verbosity=0)
    assert Comment.objects.count() == 0 and User.objects.count() == 0

    call_command("import", str(path), "--no-progress", stdout=StringIO())
    second = export()
    assert comparable(second) == comparable(first)
    # Passwords are not carried over; new rows get keys after the imported ones.
    assert not User.objects.get(username="alice").has_usable_password()
    fresh = make_thread("test:after-import")
    assert fresh.pk > Thread.objects.exclude(pk=fresh.pk).order_by("-pk").first().pk


def test_refuses_a_non_empty_database(make_user, tmp_path):
    build_site(make_user)
    path = tmp_path / "site.jsonl"
    path.write_text("\n".join(export()) + "\n")
    comments = Comment.objects.count()
    with pytest.raises(CommandError, match="only be imported into an empty database"):
        call_command("import", str(path), "--no-progress", stdout=StringIO())
    assert Comment.objects.count() == comments


def test_bad_line_is_named_and_nothing_stored(make_user, tmp_path):
    build_site(make_user)
    lines = export()
    call_command("flush", interactive=False, verbosity=0)
    lines[5] = lines[5][:-10]
    path = tmp_path / "broken.jsonl"
    path.write_text("\n".join(lines) + "\n")
    with pytest.raises(CommandError, match="line 6: not JSON"):
        call_command("import", str(path), "--no-progress", stdout=StringIO())
    assert User.objects.count() == 0


def test_times_keep_their_microseconds_through_the_round_trip(make_user, tmp_path):
    thread = build_site(make_user)
    root = Comment.objects.get(thread=thread, seq=1)
    # 400 µs into a whole second was written ".000" by one export and without a
    # fraction by the next, and the microseconds were lost either way.
    edited_at = datetime(2026, 3, 4, 5, 6, 7, 400, tzinfo=UTC)
    created_at = datetime(2026, 3, 4, 5, 0, 0, 123456, tzinfo=UTC)
    Comment.objects.filter(pk=root.pk).update(edited_at=edited_at, created_at=created_at)
    first = export()
    path = tmp_path / "site.jsonl"
    path.write_text("\n".join(first) + "\n")
    call_command("flush", interactive=False, verbosity=0)

    call_command("import", str(path), "--no-progress", stdout=StringIO())

    again = Comment.objects.get(pk=root.pk)
    assert (again.edited_at, again.created_at) == (edited_at, created_at)
    assert comparable(export()) == comparable(first)
