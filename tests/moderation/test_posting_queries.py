"""Posting reads the author once: participation (verified address, sanctions), the
checks' facts (stats, moderator role, duplicates) and the double-submit token come in one
query of the author's row, and the insert holds the thread for two statements."""

from __future__ import annotations

import json
import re
from datetime import timedelta

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.utils import timezone

from tests.discussion.factories import add_comment
from veche.discussion import actions as discussion
from veche.discussion.errors import ActionError
from veche.discussion.hooks import _companion_sources
from veche.discussion.models import Comment, CommentStatus
from veche.moderation import actions
from veche.moderation.models import Sanction, SanctionKind


def _post(user, thread, body, **kw):
    with CaptureQueriesContext(connection) as queries:
        result = discussion.post_comment(author=user, thread=thread, body=body, **kw)
    return result, [q["sql"] for q in queries.captured_queries]


def _statements(sqls: list[str]) -> list[str]:
    # The test's own transaction turns the durable block into a savepoint.
    return [s for s in sqls if not s.startswith(("SAVEPOINT", "RELEASE SAVEPOINT"))]


def test_a_published_post_takes_one_read_and_two_writes_per_recorder(thread, make_user,
                                                                       settings):
    settings.VECHE_LIST_VERSION_TTL = 3600  # the word lists' version: no re-read
    user = make_user()
    add_comment(thread, user, "an older comment")
    _post(make_user(), thread, "Warms the per-process word lists.")
    result, sqls = _post(user, thread, "A fresh opinion on the matter.", client_token="tok-1")
    assert result.created and result.comment.status == CommentStatus.PUBLISHED
    classifier_row = any(s.__module__.endswith("classifier.checks")
                         for s in _companion_sources)
    # Before: 12 statements (address, 2 × sanction, token, group, stats, duplicate,
    # thread lock, insert, thread counters) plus the classifier's update_or_create.
    # Now, on PostgreSQL: the read, then one statement (the thread's counters, the
    # insert, the author's tally, the classifier's row). Elsewhere: the read, the
    # thread's counters, the insert, the tally (one upsert), the classifier's row.
    statements = _statements(sqls)
    if connection.vendor == "postgresql":
        assert len(statements) == 2, [s[:60] for s in statements]
        assert classifier_row == ("classifier_classifierstate" in statements[1])
    else:
        assert len(statements) == 4 + classifier_row, [s[:60] for s in statements]
    writes = [s for s in statements if not s.startswith("SELECT")]
    assert sum("discussion_authortally" in s for s in writes) == 1, writes
    reads = [s for s in statements if s.startswith("SELECT")]
    assert len(reads) == 1
    for table in ("account_emailaddress", "moderation_sanction", "auth_group",
                  "discussion_comment", "discussion_authortally"):
        assert table in reads[0]
    thread.refresh_from_db()
    assert (thread.next_seq, thread.comment_count) == (4, 3)


def test_a_reply_updates_parent_and_root_in_one_statement(thread, make_user):
    user, other = make_user(), make_user()
    root = add_comment(thread, other, "root")
    child = add_comment(thread, other, "child", parent=root)
    result, sqls = _post(user, thread, "A reply to the child.", parent_id=child.pk)
    writes = [s for s in _statements(sqls)
              if not s.startswith("SELECT") and "classifier_" not in s[:200]]
    if connection.vendor == "postgresql":
        # One statement: the thread (with its sequence), the insert, the tally, and
        # parent + root.
        assert len(writes) == 1, writes
        assert writes[0].count('UPDATE "discussion_comment"') == 1, writes
    else:
        updates = [s for s in writes if s.startswith("UPDATE")]
        assert len(updates) == 2  # the thread (with its sequence), then parent + root
    root.refresh_from_db()
    child.refresh_from_db()
    assert (root.reply_count, root.descendant_count) == (1, 2)
    assert (child.reply_count, child.descendant_count) == (1, 0)
    assert result.comment.path == child.path + result.comment.path[-6:]


def test_facts_in_the_one_query_still_refuse_and_hold(thread, make_user, moderator,
                                                       settings):
    settings.VECHE_NEW_USER_PREMOD_COUNT = 2
    newcomer = make_user()
    held, _ = _post(newcomer, thread, "My very first words here.")
    assert held.comment.status == CommentStatus.PENDING
    assert held.verdict.check == "new_user"
    # The same text again: the duplicate check sees the first one through the facts.
    again, _ = _post(newcomer, thread, "My very first words here.")
    assert "Duplicate" in " ".join(f.reason for f in again.comment.moderation_flags.all())
    # A moderator is not held as new.
    mod_post, _ = _post(moderator, thread, "A word from the moderators.")
    assert mod_post.comment.status == CommentStatus.PUBLISHED
    # A suspension refuses before anything is written.
    actions.suspend_user(newcomer, actor=moderator, reason="Flooding", days=1)
    with pytest.raises(ActionError) as refused:
        _post(newcomer, thread, "Something else entirely.")
    assert refused.value.code == "suspended" and "Flooding" in refused.value.message
    # An expired suspension does not.
    Sanction.objects.filter(user=newcomer, kind=SanctionKind.SUSPENSION).update(
        until=timezone.now() - timedelta(minutes=1))
    _post(newcomer, thread, "Back after the break.")


def test_a_repeated_token_returns_the_first_comment(thread, make_user):
    user = make_user()
    first, _ = _post(user, thread, "Posted once.", client_token="same")
    second, sqls = _post(user, thread, "Posted once.", client_token="same")
    assert not second.created and second.comment.pk == first.comment.pk
    assert all(not s.startswith(("INSERT", "UPDATE")) for s in sqls)
    assert Comment.objects.filter(author=user).count() == 1


def test_unverified_address_is_refused_before_an_empty_body(thread, make_user):
    user = make_user(verified=False)
    with pytest.raises(ActionError) as refused:
        _post(user, thread, "   ")
    assert refused.value.code == "email_not_verified"


def _facts_query(user, thread, body, token):
    """The SQL and parameters of posting's one query of the author's row."""
    seen = []

    def record(execute, sql, params, many, context):
        if "account_emailaddress" in sql:
            seen.append((sql, params))
        return execute(sql, params, many, context)

    with connection.execute_wrapper(record):
        discussion.post_comment(author=user, thread=thread, body=body, client_token=token)
    assert len(seen) == 1
    return seen[0]


def _comment_rows_read(plan: dict) -> int:
    """Rows of discussion_comment that the plan's nodes read (kept or filtered out)."""
    loops = plan.get("Actual Loops", 1)
    own = 0
    if plan.get("Relation Name") == "discussion_comment":
        own = (plan.get("Actual Rows", 0) + plan.get("Rows Removed by Filter", 0)) * loops
    return own + sum(_comment_rows_read(p) for p in plan.get("Plans", []))


def _assert_few_comment_rows_read(sql, params):
    """Posting's facts query reads at most the new comment's own row of
    discussion_comment, even in the generic plan a prepared statement runs; on SQLite,
    every look-up of a comment goes by the author's token, the author's text digest or
    the author's last day."""
    with connection.cursor() as cursor:
        if connection.vendor == "postgresql":
            cursor.execute("ANALYZE discussion_comment")
            # As a prepared statement runs it after a few executions: a generic plan,
            # which knows no parameter's value.
            numbers = iter(range(1, len(params) + 1))
            cursor.execute("PREPARE posting_facts AS "
                           + re.sub("%s", lambda _: f"${next(numbers)}", sql))
            cursor.execute("SET LOCAL plan_cache_mode = force_generic_plan")
            from psycopg.sql import Literal

            values = ", ".join(Literal(p).as_string(cursor.connection) for p in params)
            cursor.execute(f"EXPLAIN (ANALYZE, FORMAT JSON) EXECUTE posting_facts({values})")
            plan = cursor.fetchone()[0]
            plan = (plan if isinstance(plan, list) else json.loads(plan))[0]
            cursor.execute("DEALLOCATE posting_facts")
            # The new comment itself may be read (the token was just written); the
            # author's other comments must not be.
            assert _comment_rows_read(plan["Plan"]) <= 2, plan
        else:
            cursor.execute("ANALYZE")
            cursor.execute(f"EXPLAIN QUERY PLAN {sql}", params)
            steps = [row[-1] for row in cursor.fetchall()]
            on_comments = [s for s in steps if " c USING" in s or s.endswith(" c")]
            assert on_comments, steps
            assert all(("comment_author_recent" in s and "created_at>" in s)
                       or "comment_unique_client_token" in s
                       or ("comment_author_digest" in s and "body_digest=" in s)
                       for s in on_comments), (on_comments, steps)
            assert any("comment_author_digest" in s for s in on_comments), on_comments


def test_a_prolific_author_s_older_comments_are_not_read_when_posting(thread, make_user):
    """The token and duplicate look-ups read the author's token and last day only,
    however many comments the author wrote before."""
    user = make_user()
    for i in range(150):
        add_comment(thread, user, f"Older comment number {i}.", client_token=f"old-{i}")
    Comment.objects.filter(author=user).update(created_at=timezone.now() - timedelta(days=3))
    sql, params = _facts_query(user, thread, "Today's opinion, the first of the day.", "new-1")
    _assert_few_comment_rows_read(sql, params)


def test_a_prolific_author_s_comments_of_the_day_are_not_read_when_posting(thread,
                                                                          make_user):
    """The duplicate check finds the same text by its digest: an author who wrote 150
    comments today has none of them read to post the next one."""
    user = make_user()
    for i in range(150):
        add_comment(thread, user, f"Comment number {i} of a busy day.", client_token=f"d-{i}")
    sql, params = _facts_query(user, thread, "And one more of the same day.", "new-2")
    _assert_few_comment_rows_read(sql, params)


def test_posting_by_the_thread_s_id_reads_the_thread_with_the_facts(thread, make_user,
                                                                   settings):
    """The web view passes the thread's id: the thread's row comes in the one read of
    the author's facts, so a post costs no query for the thread of its own."""
    settings.VECHE_LIST_VERSION_TTL = 3600
    user = make_user()
    _post(make_user(), thread, "Warms the per-process word lists.")
    result, sqls = _post(user, thread.pk, "An opinion posted by the thread's id.",
                         client_token="by-id")
    assert result.created and result.comment.thread_id == thread.pk
    assert result.comment.thread.title == thread.title
    reads = [s for s in _statements(sqls) if s.startswith("SELECT")]
    assert len(reads) == 1 and "discussion_thread" in reads[0], reads


@pytest.mark.parametrize("signed_in", [True, False])
def test_a_missing_thread_id_is_not_found_before_any_refusal(thread, make_user, signed_in):
    from django.contrib.auth.models import AnonymousUser

    author = make_user() if signed_in else AnonymousUser()
    for body in ("A comment for nowhere.", "   "):
        with pytest.raises(ActionError) as refused:
            discussion.post_comment(author=author, thread=987654, body=body)
        assert refused.value.status == 404 and refused.value.code == "discussion_not_found"
    assert not Comment.objects.exists()


def test_the_facts_of_a_user_whose_row_is_gone_are_empty_beside_the_row(thread, make_user):
    from veche.accounts.facts import participant_facts_and_row
    from veche.accounts.policy import VERIFIED, participation_annotations
    from veche.discussion.models import Thread

    user = make_user()
    facts, found = participant_facts_and_row(user, participation_annotations(user),
                                             Thread, thread.pk)
    assert facts[VERIFIED] and found == thread and found.title == thread.title
    assert participant_facts_and_row(user, participation_annotations(user), Thread,
                                     987654) == ({}, None)
    annotations = participation_annotations(user)
    type(user).objects.filter(pk=user.pk).delete()  # the instance keeps its pk
    assert participant_facts_and_row(user, annotations, Thread, thread.pk) == ({}, thread)
