"""Migrations that change what rows hold: a database upgraded from before them ends
with the same rows a new one would have."""

from __future__ import annotations

import pytest
from django.db import connection
from django.db.migrations.executor import MigrationExecutor

from veche.discussion.text import body_digest

BEFORE = [("discussion", "0004_comment_root_path_index")]
AFTER = [("discussion", "0005_comment_body_digest")]


def _migrate(targets):
    executor = MigrationExecutor(connection)
    executor.loader.build_graph()
    executor.migrate(targets)
    return executor.loader.project_state(targets).apps


@pytest.fixture(autouse=True)
def _every_app_migrated_again_after():
    """Whatever a test took back (another app's migrations too), the tests after it
    find the whole schema."""
    yield
    _migrate(MigrationExecutor(connection).loader.graph.leaf_nodes())


@pytest.mark.django_db(transaction=True)
def test_comments_written_before_the_digest_get_theirs():
    old = _migrate(BEFORE)
    Thread = old.get_model("discussion", "Thread")
    Comment = old.get_model("discussion", "Comment")
    thread = Thread.objects.create(target_key="url:https://example.org/m", title="M")
    texts = ["An older comment.", "Another one, **with Markdown**.", ""]
    for seq, text in enumerate(texts, start=1):
        Comment.objects.create(thread=thread, seq=seq, path=f"{seq:06d}", author_name="Old",
                               body_markdown=text, body_html=f"<p>{text}</p>",
                               created_at="2026-01-01T00:00:00Z")
    new = _migrate(AFTER)
    digests = dict(new.get_model("discussion", "Comment").objects.values_list(
        "body_markdown", "body_digest"))
    assert digests == {text: body_digest(text) for text in texts}
    assert digests[""] == 0 and 0 not in (digests[t] for t in texts if t)
    with connection.cursor() as cursor:
        indexes = connection.introspection.get_constraints(cursor, "discussion_comment")
    assert "comment_author_digest" in indexes
    assert not any(info["index"] and info["columns"] == ["thread_id"]
                   for info in indexes.values())


@pytest.mark.django_db(transaction=True)
def test_a_writer_that_does_not_know_the_digest_can_still_insert():
    """The column has a database default: a server still running the code before the
    migration goes on posting while it runs (its rows get 0, as an erased text)."""
    new = _migrate(AFTER)
    Thread = new.get_model("discussion", "Thread")
    thread = Thread.objects.create(target_key="url:https://example.org/w", title="W")
    with connection.cursor() as cursor:
        cursor.execute(
            'INSERT INTO "discussion_comment" ("thread_id", "seq", "path", "depth",'
            ' "author_name", "body_markdown", "body_html", "quotes_target",'
            ' "quoted_text", "quoted_author_name", "status", "created_at", "upvotes",'
            ' "downvotes", "score", "wilson", "reply_count", "descendant_count",'
            ' "client_token", "external_id") VALUES (%s, 1, %s, 0, %s, %s, %s, %s, %s,'
            ' %s, %s, %s, 0, 0, 0, 0, 0, 0, %s, %s)',
            [thread.pk, "000001", "Old code", "text", "<p>text</p>", False, "", "",
             "published", "2026-01-01T00:00:00Z", "", ""])
    Comment = new.get_model("discussion", "Comment")
    assert Comment.objects.get(thread=thread).body_digest == 0


def _indexed_columns() -> dict[str, list[str]]:
    with connection.cursor() as cursor:
        found = connection.introspection.get_constraints(cursor, "discussion_comment")
    return {name: info["columns"] for name, info in found.items() if info["index"]}


@pytest.mark.django_db(transaction=True)
def test_the_index_migrations_go_both_ways_without_one_transaction():
    """0004 and 0005 build and drop their indexes outside a transaction (CONCURRENTLY on
    PostgreSQL); taken back and applied again, the indexes are what each step says."""
    _migrate([("discussion", "0003_comment_author_index_in_recent")])
    before = _indexed_columns()
    assert ["root_id"] in before.values() and ["thread_id"] in before.values()
    assert "comment_root_path" not in before and "comment_author_digest" not in before
    _migrate(AFTER)
    after = _indexed_columns()
    assert after["comment_root_path"] == ["root_id", "path"]
    assert after["comment_author_digest"] == ["author_id", "body_digest"]
    assert ["root_id"] not in after.values() and ["thread_id"] not in after.values()
