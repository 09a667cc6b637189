"""What readers can and cannot do to comments, through discussion.actions."""

from __future__ import annotations

from datetime import timedelta

import pytest
from django.contrib.auth.models import AnonymousUser
from django.utils import timezone

from tests.discussion.factories import add_comment, make_thread
from veche.discussion import actions, hooks
from veche.discussion.actions import QuoteRef
from veche.discussion.errors import ActionError
from veche.discussion.models import Comment, CommentRevision, CommentStatus, Thread, Vote
from veche.discussion.text import body_digest

pytestmark = pytest.mark.django_db


@pytest.fixture
def thread():
    return make_thread()


def post(user, thread, body="Hello", **kw):
    return actions.post_comment(author=user, thread=thread, body=body, **kw).comment


def reload(obj):
    obj.refresh_from_db()
    return obj


def test_posting_keeps_tree_and_counters(make_user, thread):
    alice, bob = make_user(), make_user()
    root = post(alice, thread, "First")
    reply = post(bob, thread, "Second", parent_id=root.pk)
    deeper = post(alice, thread, "Third", parent_id=reply.pk)
    assert (root.depth, reply.depth, deeper.depth) == (0, 1, 2)
    assert deeper.path.startswith(reply.path) and reply.path.startswith(root.path)
    assert deeper.root_id == root.pk and reply.root_id == root.pk
    assert reload(root).descendant_count == 2 and root.reply_count == 1
    assert reload(thread).comment_count == 3
    assert root.body_html == "<p>First</p>"


def test_anonymous_and_unverified_readers_cannot_post(make_user, thread):
    with pytest.raises(ActionError) as anon:
        post(AnonymousUser(), thread)
    assert anon.value.status == 401
    with pytest.raises(ActionError) as unverified:
        post(make_user(verified=False), thread)
    assert unverified.value.code == "email_not_verified"
    assert Comment.objects.count() == 0


@pytest.mark.parametrize(
    "body,code", [("", "empty"), ("   \n ", "empty"), ("x" * 10_001, "too_long")]
)
def test_empty_and_oversized_comments_are_refused(make_user, thread, body, code):
    with pytest.raises(ActionError) as err:
        post(make_user(), thread, body)
    assert err.value.code == code and err.value.field == "body"
    assert Comment.objects.count() == 0


def test_the_length_limit_is_a_setting(make_user, thread, settings):
    settings.VECHE_COMMENT_MAX_LENGTH = 20
    with pytest.raises(ActionError, match="limit is 20"):
        post(make_user(), thread, "y" * 21)
    assert post(make_user(), thread, "y" * 20).pk


def test_closed_thread_takes_no_comments(make_user, thread):
    actions.update_thread(thread, is_open=False)
    with pytest.raises(ActionError) as err:
        post(make_user(), thread)
    assert err.value.code == "thread_closed" and err.value.status == 403
    actions.update_thread(thread, is_open=True, closes_at=timezone.now() - timedelta(minutes=1))
    with pytest.raises(ActionError):
        post(make_user(), thread)
    assert Comment.objects.count() == 0


def test_reply_to_comment_of_another_thread_is_refused(make_user, thread):
    other = make_thread("test:other")
    foreign = post(make_user(), other, "elsewhere")
    with pytest.raises(ActionError) as err:
        post(make_user(), thread, "reply", parent_id=foreign.pk)
    assert err.value.code == "parent_other_thread"
    assert thread.comments.count() == 0


def test_reply_to_deleted_comment_is_refused(make_user, thread):
    author = make_user()
    parent = post(author, thread, "soon gone")
    actions.delete_comment(user=author, comment_id=parent.pk)
    with pytest.raises(ActionError) as err:
        post(make_user(), thread, "reply", parent_id=parent.pk)
    assert err.value.code == "parent_unavailable"


def test_double_submit_with_one_token_makes_one_comment(make_user, thread):
    user = make_user()
    first = actions.post_comment(author=user, thread=thread, body="Once", client_token="tok-1")
    second = actions.post_comment(author=user, thread=thread, body="Once", client_token="tok-1")
    assert first.created and not second.created
    assert second.comment.pk == first.comment.pk
    assert Comment.objects.count() == 1 and reload(thread).comment_count == 1


def test_quote_of_a_comment_is_stored_as_a_reference(make_user, thread):
    nexus = make_user(display_name="NEXUS")
    source = post(nexus, thread, "Syria is not the end of the war. So let's see.")
    reply = post(
        make_user(),
        thread,
        "I agree",
        parent_id=source.pk,
        quote=QuoteRef(text="So let’s   see.", comment_id=source.pk),
    )
    assert reply.quoted_comment_id == source.pk
    assert reply.quoted_text == "So let’s see."
    assert reply.quoted_author_name == "NEXUS"


def test_quote_must_appear_in_its_source(make_user, thread):
    source = post(make_user(), thread, "What was said")
    with pytest.raises(ActionError) as err:
        post(
            make_user(),
            thread,
            "reply",
            quote=QuoteRef(text="words never said", comment_id=source.pk),
        )
    assert err.value.code == "quote_mismatch"


def test_quote_of_the_article(make_user, thread):
    comment = post(make_user(), thread, "Indeed", quote=QuoteRef(text="A line", of_target=True))
    assert comment.quotes_target and comment.quoted_text == "A line"
    assert comment.quoted_author_name == thread.title


def test_edit_within_window_keeps_previous_version(make_user, thread):
    user = make_user()
    comment = post(user, thread, "Frist")
    actions.edit_comment(user=user, comment_id=comment.pk, body="First")
    comment = reload(comment)
    assert comment.body_markdown == "First" and comment.edited_at is not None
    revision = CommentRevision.objects.get(comment=comment)
    assert revision.body_markdown == "Frist"


def test_edit_after_window_or_of_others_is_refused(make_user, thread, settings):
    user, other = make_user(), make_user()
    comment = post(user, thread, "Mine")
    with pytest.raises(ActionError) as err:
        actions.edit_comment(user=other, comment_id=comment.pk, body="Hacked")
    assert err.value.status == 403
    Comment.objects.filter(pk=comment.pk).update(
        created_at=timezone.now() - timedelta(seconds=settings.VECHE_EDIT_WINDOW_SECONDS + 1)
    )
    with pytest.raises(ActionError) as late:
        actions.edit_comment(user=user, comment_id=comment.pk, body="Late")
    assert late.value.code == "edit_window_passed"
    assert reload(comment).body_markdown == "Mine"


def test_delete_own_comment_keeps_it_for_moderators_and_adjusts_count(make_user, thread):
    user = make_user()
    comment = post(user, thread, "Regret")
    actions.delete_comment(user=user, comment_id=comment.pk)
    comment = reload(comment)
    assert comment.status == CommentStatus.DELETED
    assert comment.body_markdown == "Regret"  # kept until the retention purge
    assert reload(thread).comment_count == 0
    with pytest.raises(ActionError):
        actions.delete_comment(user=make_user(), comment_id=comment.pk)


def test_retention_purges_deleted_text(make_user, thread):
    user = make_user()
    comment = post(user, thread, "Gone later")
    actions.delete_comment(user=user, comment_id=comment.pk)
    assert actions.purge_deleted_text(older_than_days=1) == 0
    Comment.objects.filter(pk=comment.pk).update(
        status_changed_at=timezone.now() - timedelta(days=2)
    )
    assert actions.purge_deleted_text(older_than_days=1) == 1
    assert reload(comment).body_markdown == ""


def test_a_comment_s_text_digest_follows_its_text(make_user, thread):
    """Comment.body_digest is the digest of the text as it is now: when posted, edited,
    saved by other means (the admin), and 0 once the text is erased."""
    user = make_user()
    comment = post(user, thread, "Said once")
    assert reload(comment).body_digest == body_digest("Said once") != 0
    actions.edit_comment(user=user, comment_id=comment.pk, body="Said better")
    assert reload(comment).body_digest == body_digest("Said better")
    again = reload(comment)
    again.body_markdown = "Changed by a moderator"
    again.save(update_fields=["body_markdown"])
    assert reload(comment).body_digest == body_digest("Changed by a moderator")
    actions.delete_comment(user=user, comment_id=comment.pk)
    Comment.objects.filter(pk=comment.pk).update(
        status_changed_at=timezone.now() - timedelta(days=2))
    assert actions.purge_deleted_text(older_than_days=1) == 1
    assert reload(comment).body_digest == 0


def test_votes_one_per_user_changeable_not_own(make_user, thread):
    author, voter = make_user(), make_user()
    comment = post(author, thread)
    actions.vote_comment(user=voter, comment_id=comment.pk, value=1)
    assert reload(comment).score == 1
    with pytest.raises(ActionError) as twice:
        actions.vote_comment(user=voter, comment_id=comment.pk, value=1)
    assert twice.value.code == "already_voted"
    actions.vote_comment(user=voter, comment_id=comment.pk, value=-1)
    comment = reload(comment)
    assert (comment.upvotes, comment.downvotes, comment.score) == (0, 1, -1)
    assert Vote.objects.filter(comment=comment).count() == 1
    with pytest.raises(ActionError) as own:
        actions.vote_comment(user=author, comment_id=comment.pk, value=1)
    assert own.value.code == "own_comment"
    actions.vote_comment(user=voter, comment_id=comment.pk, value=0)
    assert reload(comment).score == 0 and not Vote.objects.exists()


def test_wilson_lower_bound_orders_by_confidence():
    assert actions.wilson_lower_bound(0, 0) == 0.0
    assert actions.wilson_lower_bound(100, 10) > actions.wilson_lower_bound(10, 1)
    assert actions.wilson_lower_bound(10, 1) > actions.wilson_lower_bound(1, 0)


def test_pre_moderated_thread_holds_comments(make_user, thread):
    actions.update_thread(thread, moderation_mode="pre")
    result = actions.post_comment(author=make_user(), thread=reload(thread), body="Wait")
    assert result.comment.status == CommentStatus.PENDING
    assert reload(thread).comment_count == 0


def test_a_registered_check_can_hold_or_reject(make_user, thread):
    def no_shouting(draft):
        if draft.body_markdown.isupper():
            return hooks.Verdict(hooks.REJECT, "Please do not shout.", "shouting")
        return None

    with hooks.checks_registered(no_shouting):
        with pytest.raises(ActionError, match="do not shout"):
            post(make_user(), thread, "HELLO ALL")
        assert post(make_user(), thread, "hello all").status == CommentStatus.PUBLISHED
    assert post(make_user(), thread, "HELLO AGAIN").status == CommentStatus.PUBLISHED


def test_thread_version_changes_with_every_visible_change(make_user, thread):
    v0 = reload(thread).version
    comment = post(make_user(), thread)
    v1 = reload(thread).version
    actions.vote_comment(user=make_user(), comment_id=comment.pk, value=1)
    v2 = reload(thread).version
    assert v0 < v1 < v2
    assert Thread.objects.get(pk=thread.pk).next_seq == 2
    assert add_comment(thread, None, "guest").seq == 2


def test_recorders_see_the_new_comment_with_every_verdict(make_user, thread):
    seen = []

    def suspicious(draft):
        return hooks.Verdict(hooks.HOLD, "looks odd", "odd")

    def record(comment, verdicts, is_edit):
        seen.append((comment.pk, [v.check for v in verdicts], is_edit, comment.status))

    with hooks.checks_registered(suspicious), hooks.recorders_registered(record):
        comment = post(make_user(), thread, "Hmm")
    assert seen == [(comment.pk, ["odd"], False, CommentStatus.PENDING)]
