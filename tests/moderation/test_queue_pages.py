"""The moderators' pages: access, tabs with reasons, single and bulk decisions."""

from __future__ import annotations

from django.urls import reverse

from tests.discussion.factories import add_comment
from veche.discussion import actions as discussion
from veche.discussion.models import Comment, CommentStatus
from veche.moderation import actions
from veche.moderation.models import ModerationEvent, Sanction, WordListEntry


def test_queue_requires_a_moderator(client, make_user, settings):
    settings.VECHE_MFA_REQUIRED = False
    url = reverse("moderation:queue")
    assert client.get(url).status_code == 302
    client.force_login(make_user())
    assert client.get(url).status_code == 403
    assert client.post(reverse("moderation:decide"), {"action": "approve"}).status_code == 403
    assert client.get(reverse("moderation:user", args=[1])).status_code == 403


def test_queue_lists_held_comments_with_reasons(client, thread, make_user, moderator, settings):
    settings.VECHE_MFA_REQUIRED = False
    WordListEntry.objects.create(pattern="idiot", note="violent language")
    held = discussion.post_comment(author=make_user(), thread=thread, body="idiot!").comment
    reported = add_comment(thread, make_user(), "reported text")
    settings.VECHE_REPORTS_TO_HOLD = 100
    actions.report_comment(reporter=make_user(), comment_id=reported.pk, reason="spam",
                           note="ad")
    client.force_login(moderator)
    page = client.get(reverse("moderation:queue")).content.decode()
    assert f'id="mq{held.pk}"' in page and "violent language: “idiot”" in page
    assert reverse("moderation:user", args=[held.author_id]) in page
    assert "Moderated thread" in page
    auto = client.get(reverse("moderation:queue") + "?tab=auto&check=word_list").content.decode()
    assert f'id="mq{held.pk}"' in auto
    rep = client.get(reverse("moderation:queue") + "?tab=reported").content.decode()
    assert f'id="mq{reported.pk}"' in rep and "Spam or advertising" in rep and "ad" in rep
    assert f'id="mq{held.pk}"' not in rep
    assert client.get(reverse("moderation:queue") + "?tab=bogus&page=x").status_code == 200


def test_bulk_approve_and_single_reject(client, thread, make_user, moderator, settings):
    settings.VECHE_MFA_REQUIRED = False
    author = make_user()
    held = [add_comment(thread, author, f"c{i}", status=CommentStatus.PENDING) for i in range(3)]
    client.force_login(moderator)
    response = client.post(reverse("moderation:decide"), {
        "action": "approve", "ids": [held[0].pk, held[1].pk], "next": "/moderation/?tab=pending",
    })
    assert response.status_code == 302 and response["Location"] == "/moderation/?tab=pending"
    statuses = dict(Comment.objects.values_list("pk", "status"))
    assert [statuses[c.pk] for c in held] == ["published", "published", "pending"]
    client.post(reverse("moderation:decide"),
                {"action": "reject", "ids": [held[2].pk], "reason": "Off topic"})
    assert Comment.objects.get(pk=held[2].pk).status == "rejected"
    assert list(ModerationEvent.objects.order_by("pk").values_list("event_type", "reason")) == [
        ("comment.approve", ""), ("comment.approve", ""), ("comment.reject", "Off topic"),
    ]
    # Bad input: a clear 400, nothing changed.
    assert client.post(reverse("moderation:decide"), {"action": "explode",
                                                      "ids": [held[0].pk]}).status_code == 400
    assert client.post(reverse("moderation:decide"), {"action": "approve"}).status_code == 400
    assert client.post(reverse("moderation:decide"),
                       {"action": "approve", "ids": ["abc"]}).status_code == 400
    assert ModerationEvent.objects.count() == 3


def test_author_sees_the_rejection_reason(client, thread, make_user, moderator):
    author = make_user()
    comment = add_comment(thread, author, "mine", status=CommentStatus.PENDING)
    actions.reject_comment(comment, actor=moderator, reason="Please stay on topic")
    client.force_login(author)
    page = client.get(reverse("moderation:mine")).content.decode()
    assert "Please stay on topic" in page


def test_user_page_sanctions_and_settings(client, make_user, moderator, settings):
    settings.VECHE_MFA_REQUIRED = False
    user = make_user()
    client.force_login(moderator)
    url = reverse("moderation:user", args=[user.pk])
    assert client.get(url).status_code == 200
    assert client.post(url, {"form": "sanction", "kind": "suspension", "reason": "Trolling",
                             "days": "3"}).status_code == 302
    assert client.post(url, {"form": "sanction", "kind": "suspension",
                             "reason": "no days"}).status_code == 400
    assert client.post(url, {"form": "settings", "always_premoderate": "on",
                             "trust_level": "2"}).status_code == 302
    user.moderation.refresh_from_db()
    assert user.moderation.always_premoderate and user.moderation.trust_level == 2
    page = client.get(url).content.decode()
    assert "Trolling" in page and "user.suspension" in page
    sanction = Sanction.objects.get()
    assert client.post(url, {"form": "revoke", "sanction": sanction.pk}).status_code == 302
    assert Sanction.objects.get().revoked
    assert client.get(reverse("moderation:user", args=[999999])).status_code == 404
