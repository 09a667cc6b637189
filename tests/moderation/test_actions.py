"""Moderators' decisions: each changes the status, writes an audit row, and is refused
to anyone else."""

from __future__ import annotations

import pytest

from tests.discussion.factories import add_comment
from veche.discussion.errors import ActionError
from veche.discussion.models import Comment, CommentStatus, Thread
from veche.moderation import actions
from veche.moderation.models import ModerationEvent

CASES = [
    ("approve_comment", CommentStatus.PENDING, CommentStatus.PUBLISHED, "comment.approve"),
    ("reject_comment", CommentStatus.PENDING, CommentStatus.REJECTED, "comment.reject"),
    ("mark_spam", CommentStatus.PUBLISHED, CommentStatus.SPAM, "comment.spam"),
    ("remove_comment", CommentStatus.PUBLISHED, CommentStatus.REMOVED, "comment.remove"),
    ("restore_comment", CommentStatus.REMOVED, CommentStatus.PUBLISHED, "comment.restore"),
]


@pytest.mark.parametrize(("name", "start", "end", "event"), CASES)
def test_each_decision_changes_status_and_writes_audit(
    name, start, end, event, thread, make_user, moderator
):
    author = make_user()
    comment = add_comment(thread, author, "Some text", status=start)
    count_before = Thread.objects.get(pk=thread.pk).comment_count
    getattr(actions, name)(comment.pk, actor=moderator, reason="because")
    comment.refresh_from_db()
    assert comment.status == end
    row = ModerationEvent.objects.get(comment=comment)
    assert (row.event_type, row.from_status, row.to_status) == (event, start, end)
    assert row.actor == moderator and row.target_user == author
    delta = (end == CommentStatus.PUBLISHED) - (start == CommentStatus.PUBLISHED)
    assert Thread.objects.get(pk=thread.pk).comment_count == count_before + delta


@pytest.mark.parametrize(("name", "start", "end", "event"), CASES)
def test_non_moderators_get_403_and_nothing_changes(name, start, end, event, thread, make_user):
    author, other = make_user(), make_user()
    comment = add_comment(thread, author, "Some text", status=start)
    with pytest.raises(ActionError) as info:
        getattr(actions, name)(comment.pk, actor=other)
    assert info.value.status == 403
    assert Comment.objects.get(pk=comment.pk).status == start
    assert not ModerationEvent.objects.exists()


def test_reject_reason_is_kept_for_the_author(thread, make_user, moderator):
    comment = add_comment(thread, make_user(), "x", status=CommentStatus.PENDING)
    actions.reject_comment(comment, actor=moderator, reason="Personal attack")
    assert ModerationEvent.objects.get(comment=comment).reason == "Personal attack"


def test_wrong_state_is_409_without_audit(thread, make_user, moderator):
    comment = add_comment(thread, make_user(), "x", status=CommentStatus.DELETED)
    with pytest.raises(ActionError) as info:
        actions.approve_comment(comment, actor=moderator)
    assert info.value.status == 409
    assert not ModerationEvent.objects.exists()


def test_set_comment_status_by_the_system_is_audited(thread, make_user):
    comment = add_comment(thread, make_user(), "x")
    actions.set_comment_status(
        comment.pk, CommentStatus.PENDING, reason="re-check", source="rescore"
    )
    row = ModerationEvent.objects.get(comment=comment)
    assert row.actor is None and row.extra == {"source": "rescore"}
    assert row.to_status == CommentStatus.PENDING
    with pytest.raises(ActionError):
        actions.set_comment_status(comment.pk, "bogus")


def test_bulk_approve_is_per_comment(thread, make_user, moderator):
    author = make_user()
    held = [add_comment(thread, author, f"c{i}", status=CommentStatus.PENDING) for i in range(3)]
    gone = add_comment(thread, author, "gone", status=CommentStatus.DELETED)
    done, errors = actions.bulk_decide(
        [c.pk for c in held] + [gone.pk], "approve", actor=moderator
    )
    assert done == [c.pk for c in held] and list(errors) == [gone.pk]
    assert set(Comment.objects.filter(pk__in=done).values_list("status", flat=True)) == {
        CommentStatus.PUBLISHED
    }
    assert ModerationEvent.objects.filter(event_type="comment.approve").count() == 3
