"""Links, blocked domains, duplicates and the posting rate limit."""

from __future__ import annotations

import pytest

from veche.discussion import actions as discussion
from veche.discussion.errors import ActionError
from veche.discussion.models import Comment, CommentStatus
from veche.moderation.models import BlockedDomain, ModerationFlag
from veche.moderation.pipeline import content_verdicts


def post(user, thread, body, ip=None):
    return discussion.post_comment(author=user, thread=thread, body=body, ip_address=ip).comment


def test_too_many_links_hold(thread, make_user, settings):
    settings.VECHE_MAX_LINKS = 2
    user = make_user()
    ok = post(user, thread, "see https://a.example/1 and [b](https://b.example/2)")
    assert ok.status == CommentStatus.PUBLISHED
    held = post(user, thread, "https://a.example/1 https://b.example/2 www.c.example/3")
    assert held.status == CommentStatus.PENDING
    assert ModerationFlag.objects.get(comment=held).reason == "3 links (more than 2)."


def test_blocked_domain_rejects_including_subdomains(thread, make_user):
    BlockedDomain.objects.create(domain="www.Spam.example")
    with pytest.raises(ActionError) as info:
        post(make_user(), thread, "buy at https://shop.spam.example/x")
    assert info.value.status == 422 and "spam.example" in info.value.message
    assert not Comment.objects.exists()
    assert [v.check for v in content_verdicts("http://notspam.example")] == []


def test_duplicate_within_a_day_is_held(thread, make_user):
    user = make_user()
    assert post(user, thread, "Same words").status == CommentStatus.PUBLISHED
    again = post(user, thread, "Same words")
    assert again.status == CommentStatus.PENDING
    assert ModerationFlag.objects.get(comment=again).check_name == "duplicate"
    assert post(make_user(), thread, "Same words").status == CommentStatus.PUBLISHED


def test_a_duplicate_of_an_edited_comment_is_held_by_its_new_text(thread, make_user):
    """The duplicate check finds text by its digest, which an edit keeps in step: the
    edited text counts as posted, the text it replaced no longer does."""
    user = make_user()
    first = post(user, thread, "First draft of my point")
    discussion.edit_comment(user=user, comment_id=first.pk, body="My point, rewritten")
    assert post(user, thread, "First draft of my point").status == CommentStatus.PUBLISHED
    again = post(user, thread, "My point, rewritten")
    assert again.status == CommentStatus.PENDING
    assert ModerationFlag.objects.get(comment=again).check_name == "duplicate"


def test_a_same_digest_with_another_text_is_no_duplicate(thread, make_user, monkeypatch):
    """The digest only finds candidates; the text itself must be the same."""
    from veche.moderation.checks import duplicates

    user = make_user()
    assert post(user, thread, "One opinion").status == CommentStatus.PUBLISHED
    first_digest = Comment.objects.get(author=user).body_digest
    monkeypatch.setattr(duplicates, "body_digest", lambda text: first_digest)
    assert post(user, thread, "Another opinion").status == CommentStatus.PUBLISHED


def test_flood_gives_429_with_retry_after(thread, make_user, settings):
    settings.VECHE_POST_RATE = "3/60"
    user = make_user()
    for i in range(3):
        post(user, thread, f"comment {i}")
    with pytest.raises(ActionError) as info:
        post(user, thread, "one too many")
    assert info.value.status == 429
    assert 1 <= info.value.retry_after <= 60
    assert Comment.objects.count() == 3


def test_flood_per_ip(thread, make_user, settings):
    settings.VECHE_POST_RATE = "100/60"
    settings.VECHE_POST_RATE_IP = "2/60"
    post(make_user(), thread, "a", ip="10.0.0.1")
    post(make_user(), thread, "b", ip="10.0.0.1")
    with pytest.raises(ActionError) as info:
        post(make_user(), thread, "c", ip="10.0.0.1")
    assert info.value.status == 429
    post(make_user(), thread, "d", ip="10.0.0.2")


def test_flood_over_http_sets_retry_after_header(client, thread, make_user, settings):
    settings.VECHE_POST_RATE = "1/60"
    user = make_user()
    client.force_login(user)
    url = f"/discussion/{thread.pk}/post/"
    from django.urls import reverse

    url = reverse("discussion:post", args=[thread.pk])
    assert client.post(url, {"body": "first"}).status_code == 302
    response = client.post(url, {"body": "second"}, HTTP_ACCEPT="application/json")
    assert response.status_code == 429
    assert 1 <= int(response["Retry-After"]) <= 60
    assert response.json()["retry_after"] == int(response["Retry-After"])


def test_edit_rate_limit(thread, make_user, settings):
    settings.VECHE_EDIT_RATE = "1/60"
    user = make_user()
    comment = post(user, thread, "v1")
    discussion.edit_comment(user=user, comment_id=comment.pk, body="v2")
    with pytest.raises(ActionError) as info:
        discussion.edit_comment(user=user, comment_id=comment.pk, body="v3")
    assert info.value.status == 429


def test_vote_rate_limit_refuses_and_counts_nothing(thread, make_user, settings):
    settings.VECHE_VOTE_RATE = "2/60"
    voter = make_user()
    comments = [post(make_user(), thread, f"c{i}") for i in range(3)]
    for comment in comments[:2]:
        discussion.vote_comment(user=voter, comment_id=comment.pk, value=1)
    with pytest.raises(ActionError) as info:
        discussion.vote_comment(user=voter, comment_id=comments[2].pk, value=1)
    assert info.value.status == 429 and info.value.retry_after >= 1
    comments[2].refresh_from_db()
    assert comments[2].score == 0
