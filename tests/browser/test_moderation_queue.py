"""A moderator works the queue in Chromium: sees a held comment with its reason,
approves one with the "a" key, rejects another with a typed reason; the audit log has
both decisions."""

from __future__ import annotations

from django.contrib.auth.models import Group

from tests.discussion.factories import make_thread
from veche.discussion import actions as discussion
from veche.discussion.models import Comment, CommentStatus
from veche.moderation.models import ModerationEvent, WordListEntry

PASSWORD = "Correct-Horse-42"


def test_moderator_approves_by_key_and_rejects_with_reason(live_server, page, make_user,
                                                           settings):
    settings.VECHE_MFA_REQUIRED = False  # the live server runs in this process
    moderator = make_user("queuemod", password=PASSWORD)
    moderator.groups.add(Group.objects.get_or_create(name="moderator")[0])
    WordListEntry.objects.create(pattern="idiot", note="insult")
    thread = make_thread("test:browser-queue", title="Queue thread", url="/queue-thread/")
    author = make_user("writer")
    first = discussion.post_comment(author=author, thread=thread, body="First, you idiot").comment
    second = discussion.post_comment(author=author, thread=thread, body="Second idiots").comment
    assert first.status == second.status == CommentStatus.PENDING

    url = live_server.url
    page.goto(url + "/accounts/login/")
    page.fill("input[name=login]", "queuemod")
    page.fill("input[name=password]", PASSWORD)
    page.click("form button[type=submit]")
    page.wait_for_load_state()

    page.goto(url + "/moderation/")
    item = page.locator(f"#mq{first.pk}")
    assert "insult: “idiot”" in item.inner_text()
    assert page.locator(f"#mq{second.pk}").count() == 1
    # The first item has the focus on load; "a" approves it.
    page.wait_for_function(
        f"document.activeElement && document.activeElement.id === 'mq{first.pk}'"
    )
    with page.expect_navigation():
        page.keyboard.press("a")
    assert page.locator(f"#mq{first.pk}").count() == 0
    page.wait_for_function(
        f"document.activeElement && document.activeElement.id === 'mq{second.pk}'"
    )
    page.keyboard.press("r")
    page.keyboard.type("Name-calling is not allowed")
    with page.expect_navigation():
        page.keyboard.press("Enter")
    assert page.locator(".mq__empty").count() == 1

    assert Comment.objects.get(pk=first.pk).status == CommentStatus.PUBLISHED
    assert Comment.objects.get(pk=second.pk).status == CommentStatus.REJECTED
    decisions = list(
        ModerationEvent.objects.filter(actor=moderator).order_by("pk")
        .values_list("event_type", "comment_id", "reason")
    )
    assert decisions == [
        ("comment.approve", first.pk, ""),
        ("comment.reject", second.pk, "Name-calling is not allowed"),
    ]
    assert not [e for e in page.console_errors if "Content Security Policy" in e]
    assert not [r for r in page.failed_responses if "/static/" in r or "/moderation/" in r]
