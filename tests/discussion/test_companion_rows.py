"""What the checks said about a new comment is stored with it (hooks.CompanionRow): on
PostgreSQL by the very statement that inserts the comment, with no transaction around
it; a row that cannot be stored leaves no comment behind."""

from __future__ import annotations

import pytest
from django.db import IntegrityError, connection
from django.test.utils import CaptureQueriesContext

from tests.discussion.factories import make_thread
from veche.discussion import actions, hooks
from veche.discussion.models import Comment, CommentRevision, Thread


def _note(comment, verdicts) -> list[hooks.CompanionRow]:
    """A companion source: a revision row saying which checks spoke."""
    checks = ",".join(sorted(v.check for v in verdicts)) or "none"
    return [hooks.CompanionRow(CommentRevision(
        body_markdown=f"checks: {checks}", body_html=comment.body_html,
        created_at=comment.created_at, replaced_at=comment.created_at,
    ))]


def _broken(comment, verdicts) -> list[hooks.CompanionRow]:
    """A companion source whose row breaks a NOT NULL constraint."""
    return [hooks.CompanionRow(CommentRevision(
        body_markdown="broken", body_html="", created_at=None, replaced_at=None,
    ))]


def _opinion(draft: hooks.Draft) -> hooks.Verdict:
    return hooks.Verdict(hooks.PUBLISH, "", "opinion")


@pytest.mark.django_db
def test_a_companion_row_points_at_the_new_comment_and_sees_the_verdicts(make_user):
    thread = make_thread()
    with hooks.checks_registered(_opinion), hooks.companions_registered(_note):
        result = actions.post_comment(author=make_user(), thread=thread, body="Well said.")
    [revision] = CommentRevision.objects.filter(comment=result.comment)
    assert "opinion" in revision.body_markdown.split(": ")[1].split(",")
    assert revision.body_html == result.comment.body_html


@pytest.mark.django_db
def test_a_companion_rows_callback_gets_the_comment_id_once_committed(
    make_user, django_capture_on_commit_callbacks
):
    seen = []

    def source(comment, verdicts):
        return [hooks.CompanionRow(_note(comment, verdicts)[0].instance,
                                   on_commit=seen.append)]

    thread = make_thread()
    with hooks.companions_registered(source), \
            django_capture_on_commit_callbacks(execute=True):
        result = actions.post_comment(author=make_user(), thread=thread, body="Noted.")
        assert seen == []  # not before the commit
    assert seen == [result.comment.pk]


@pytest.mark.postgres
@pytest.mark.django_db(transaction=True)
def test_on_postgresql_the_comment_and_its_rows_are_one_statement_outside_a_transaction(
    make_user,
):
    thread, author = make_thread(), make_user()
    actions.post_comment(author=author, thread=thread, body="Warms the word lists.")
    with hooks.companions_registered(_note), CaptureQueriesContext(connection) as queries:
        result = actions.post_comment(author=author, thread=thread, body="One statement.")
        in_transaction = connection.in_atomic_block
    # (Once committed, the classifier, if on without a scorer, queues a re-check.)
    writes = [q["sql"] for q in queries.captured_queries
              if not q["sql"].startswith("SELECT") and "django_tasks" not in q["sql"][:80]]
    assert len(writes) == 1, writes
    assert '"discussion_commentrevision"' in writes[0]
    assert not in_transaction
    assert CommentRevision.objects.filter(comment=result.comment).count() == 1


@pytest.mark.postgres
@pytest.mark.django_db(transaction=True)
def test_a_companion_row_that_cannot_be_stored_leaves_no_comment_and_no_count(make_user):
    thread, author = make_thread(), make_user()
    actions.post_comment(author=author, thread=thread, body="The first, stored.")
    before = Thread.objects.values_list("next_seq", "comment_count", "version").get(pk=thread.pk)
    with hooks.companions_registered(_broken), pytest.raises(IntegrityError):
        actions.post_comment(author=author, thread=thread, body="The second, refused.")
    assert list(Comment.objects.values_list("body_markdown", flat=True)) == ["The first, stored."]
    after = Thread.objects.values_list("next_seq", "comment_count", "version").get(pk=thread.pk)
    assert after == before
    assert not CommentRevision.objects.exists()
