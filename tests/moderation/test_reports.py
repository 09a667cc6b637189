"""Reader reports: the form, the weighted threshold, limits and reporter accuracy."""

from __future__ import annotations

import pytest
from django.urls import reverse

from tests.discussion.factories import add_comment
from veche.discussion.errors import ActionError
from veche.discussion.models import Comment, CommentStatus
from veche.moderation import actions
from veche.moderation.models import ModerationEvent, Report, UserModeration


def test_three_reports_hold_a_published_comment(thread, make_user, settings):
    settings.VECHE_REPORTS_TO_HOLD = 3
    settings.VECHE_REPORT_WEIGHTS = {0: 1.0}
    comment = add_comment(thread, make_user(), "rude words")
    for _i in range(2):
        actions.report_comment(reporter=make_user(), comment_id=comment.pk, reason="abuse")
    assert Comment.objects.get(pk=comment.pk).status == CommentStatus.PUBLISHED
    actions.report_comment(reporter=make_user(), comment_id=comment.pk, reason="spam")
    assert Comment.objects.get(pk=comment.pk).status == CommentStatus.PENDING
    hold = ModerationEvent.objects.get(event_type="comment.report_hold")
    assert hold.actor is None and hold.to_status == CommentStatus.PENDING
    assert ModerationEvent.objects.filter(event_type="comment.report").count() == 3


def test_report_weight_follows_trust(thread, make_user, moderator, settings):
    settings.VECHE_REPORTS_TO_HOLD = 2
    trusted = make_user()
    actions.set_user_moderation(trusted, actor=moderator, trust_level=4)  # weight 2
    comment = add_comment(thread, make_user(), "x")
    report = actions.report_comment(reporter=trusted, comment_id=comment.pk, reason="illegal")
    assert report.weight == 2.0
    assert Comment.objects.get(pk=comment.pk).status == CommentStatus.PENDING


def test_report_refusals(thread, make_user, settings):
    author, reader = make_user(), make_user()
    comment = add_comment(thread, author, "x")
    with pytest.raises(ActionError) as own:
        actions.report_comment(reporter=author, comment_id=comment.pk, reason="abuse")
    assert own.value.status == 403
    actions.report_comment(reporter=reader, comment_id=comment.pk, reason="abuse")
    with pytest.raises(ActionError) as twice:
        actions.report_comment(reporter=reader, comment_id=comment.pk, reason="spam")
    assert twice.value.status == 409
    with pytest.raises(ActionError) as bad:
        actions.report_comment(reporter=make_user(), comment_id=comment.pk, reason="meh")
    assert bad.value.status == 400
    unverified = make_user(verified=False)
    with pytest.raises(ActionError) as unv:
        actions.report_comment(reporter=unverified, comment_id=comment.pk, reason="abuse")
    assert unv.value.status == 403
    assert Report.objects.count() == 1


def test_reporters_are_rate_limited(thread, make_user, settings):
    settings.VECHE_REPORT_RATE = "2/3600"
    settings.VECHE_REPORTS_TO_HOLD = 100
    reader, author = make_user(), make_user()
    comments = [add_comment(thread, author, f"c{i}") for i in range(3)]
    for c in comments[:2]:
        actions.report_comment(reporter=reader, comment_id=c.pk, reason="spam")
    with pytest.raises(ActionError) as info:
        actions.report_comment(reporter=reader, comment_id=comments[2].pk, reason="spam")
    assert info.value.status == 429 and info.value.retry_after


def test_decisions_score_reporters(thread, make_user, moderator, settings):
    settings.VECHE_REPORTS_TO_HOLD = 100
    good, bad = make_user(), make_user()
    rude = add_comment(thread, make_user(), "rude")
    fine = add_comment(thread, make_user(), "fine")
    actions.report_comment(reporter=good, comment_id=rude.pk, reason="abuse")
    actions.report_comment(reporter=bad, comment_id=fine.pk, reason="abuse")
    actions.remove_comment(rude, actor=moderator)
    actions.approve_comment(fine, actor=moderator)
    assert UserModeration.objects.get(user=good).reports_upheld == 1
    assert UserModeration.objects.get(user=bad).reports_dismissed == 1
    assert set(Report.objects.values_list("outcome", flat=True)) == {"upheld", "dismissed"}


def test_report_page(client, thread, make_user):
    comment = add_comment(thread, make_user(), "x")
    url = reverse("moderation:report", args=[comment.pk])
    assert client.get(url).status_code == 302  # sign in first
    reader = make_user()
    client.force_login(reader)
    page = client.get(url)
    assert page.status_code == 200 and b'value="offtopic"' in page.content
    assert client.post(url, {"reason": "nonsense"}).status_code == 400
    assert client.post(url, {"reason": "offtopic", "note": "about cats"}).status_code == 302
    assert Report.objects.get().note == "about cats"
    assert client.post(url, {"reason": "offtopic"}).status_code == 409
    assert client.get(reverse("moderation:report", args=[999999])).status_code == 404
