"""Where pre-moderation comes from: site, section, article/thread, user, new accounts."""

from __future__ import annotations

from tests.discussion.factories import add_comment, make_thread
from tests.newsroom.factories import make_article, make_section
from veche.discussion import actions as discussion
from veche.discussion.models import CommentStatus
from veche.moderation import actions
from veche.moderation.models import ModerationEvent, ModerationFlag


def post(user, thread, body="Hello there"):
    return discussion.post_comment(author=user, thread=thread, body=body).comment


def test_post_mode_publishes(thread, make_user):
    assert post(make_user(), thread).status == CommentStatus.PUBLISHED


def test_site_pre_mode_holds_non_article_threads(settings, thread, make_user):
    settings.VECHE_MODERATION_MODE = "pre"
    comment = post(make_user(), thread)
    assert comment.status == CommentStatus.PENDING
    assert ModerationFlag.objects.get(comment=comment).check_name == "site_mode"
    event = ModerationEvent.objects.get(comment=comment)
    assert event.event_type == "comment.auto_hold" and "reviewed" in event.reason


def test_site_pre_mode_reaches_article_threads_through_sync(settings, make_user, db):
    settings.VECHE_MODERATION_MODE = "pre"
    article = make_article()
    assert article.thread.moderation_mode == "pre"
    assert post(make_user(), article.thread).status == CommentStatus.PENDING


def test_section_mode_and_article_override(make_user, db):
    section = make_section(moderation_mode="pre")
    held = make_article(section=section)
    free = make_article(section=section, moderation_mode="post")
    assert held.thread.moderation_mode == "pre"
    assert free.thread.moderation_mode == "post"
    assert post(make_user(), held.thread).status == CommentStatus.PENDING
    assert post(make_user(), free.thread).status == CommentStatus.PUBLISHED
    # Changing the section reaches the threads of articles that follow it.
    section.moderation_mode = "post"
    section.save()
    held.thread.refresh_from_db()
    assert held.thread.moderation_mode == "post"


def test_close_after_days(settings, db):
    settings.VECHE_CLOSE_AFTER_DAYS = 7
    article = make_article()
    assert (article.thread.closes_at - article.published_at).days == 7


def test_thread_mode(make_user, db):
    thread = make_thread("test:pre", moderation_mode="pre")
    assert post(make_user(), thread).status == CommentStatus.PENDING


def test_user_always_premoderate(thread, make_user, moderator):
    user = make_user()
    actions.set_user_moderation(user, actor=moderator, always_premoderate=True)
    assert ModerationEvent.objects.filter(event_type="user.settings", target_user=user).exists()
    comment = post(user, thread)
    assert comment.status == CommentStatus.PENDING
    assert ModerationFlag.objects.get(comment=comment).check_name == "user_mode"


def test_new_accounts_first_n_comments_are_held(settings, thread, make_user, moderator):
    settings.VECHE_NEW_USER_PREMOD_COUNT = 2
    user = make_user()
    first = post(user, thread, "one")
    assert first.status == CommentStatus.PENDING
    actions.approve_comment(first, actor=moderator)
    second = post(user, thread, "two")
    assert second.status == CommentStatus.PENDING
    actions.approve_comment(second, actor=moderator)
    assert post(user, thread, "three").status == CommentStatus.PUBLISHED


def test_history_of_rejections_holds(thread, make_user):
    user = make_user()
    for i, status in enumerate(["rejected", "rejected", "published", "spam"]):
        add_comment(thread, user, f"old {i}", status=status)
    comment = post(user, thread, "new one")
    assert comment.status == CommentStatus.PENDING
    flag = ModerationFlag.objects.get(comment=comment)
    assert flag.check_name == "history" and "75%" in flag.reason


def test_history_needs_a_minimum(thread, make_user):
    user = make_user()
    for i in range(3):
        add_comment(thread, user, f"old {i}", status="rejected")
    assert post(user, thread, "new").status == CommentStatus.PUBLISHED
