"""Sanctions refuse posting, voting and reporting; trust levels and ranks."""

from __future__ import annotations

from datetime import timedelta

import pytest
from django.core.cache import cache
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.utils import timezone

from tests.discussion.factories import add_comment
from veche.discussion import actions as discussion
from veche.discussion.errors import ActionError
from veche.moderation import actions, selectors
from veche.moderation.models import ModerationEvent


def test_suspension_blocks_posting_voting_and_reporting(thread, make_user, moderator):
    user = make_user()
    other = add_comment(thread, make_user(), "someone else's")
    actions.suspend_user(user, actor=moderator, reason="Trolling", days=2)
    for attempt in (
        lambda: discussion.post_comment(author=user, thread=thread, body="hi"),
        lambda: discussion.vote_comment(user=user, comment_id=other.pk, value=1),
        lambda: actions.report_comment(reporter=user, comment_id=other.pk, reason="spam"),
    ):
        with pytest.raises(ActionError) as info:
            attempt()
        assert info.value.status == 403
        assert info.value.message.startswith("Your account is suspended until ")
        assert info.value.message.endswith(": Trolling")
    assert ModerationEvent.objects.get(event_type="user.suspension").reason == "Trolling"


def test_ban_revoke_and_warning(thread, make_user, moderator):
    user = make_user()
    ban = actions.ban_user(user, actor=moderator, reason="Spam bot")
    with pytest.raises(ActionError, match="banned: Spam bot"):
        discussion.post_comment(author=user, thread=thread, body="hi")
    actions.revoke_sanction(ban.pk, actor=moderator)
    actions.warn_user(user, actor=moderator, reason="Be civil")
    assert discussion.post_comment(author=user, thread=thread, body="hi").created
    assert [e.event_type for e in ModerationEvent.objects.order_by("pk")] == [
        "user.ban", "user.revoke_sanction", "user.warn",
    ]


def test_sanction_refusals(make_user, moderator):
    user = make_user()
    with pytest.raises(ActionError) as info:
        actions.warn_user(user, actor=make_user(), reason="x")
    assert info.value.status == 403
    with pytest.raises(ActionError):
        actions.warn_user(user, actor=moderator, reason=" ")
    with pytest.raises(ActionError):
        actions.suspend_user(user, actor=moderator, reason="x",
                             until=timezone.now() - timedelta(days=1))
    assert not ModerationEvent.objects.exists()


def test_expired_suspension_no_longer_blocks(thread, make_user, moderator):
    user = make_user()
    sanction = actions.suspend_user(user, actor=moderator, reason="x", days=1)
    sanction.until = timezone.now() - timedelta(seconds=1)
    sanction.save()
    assert discussion.post_comment(author=user, thread=thread, body="back").created


def test_trust_levels(thread, make_user, settings):
    settings.VECHE_TRUST_THRESHOLDS = [(1, 0, 3, 0), (2, 0, 5, 2)]
    user = make_user()
    assert selectors.trust_level(user) == 0
    comments = [add_comment(thread, user, f"c{i}") for i in range(5)]
    assert selectors.trust_level(user) == 1
    voter = make_user()
    for c in comments[:2]:
        discussion.vote_comment(user=voter, comment_id=c.pk, value=1)
    assert selectors.trust_level(user) == 2
    add_comment(thread, user, "bad", status="rejected")  # costs three good comments
    assert selectors.trust_level(user) == 0


def test_ranks_for_a_page_take_one_query(thread, make_user, settings):
    settings.VECHE_TRUST_THRESHOLDS = [(1, 0, 3, 0)]
    settings.VECHE_RANKS = [(0, 0, "Private"), (1, 3, "Corporal"), (1, 4, "Sergeant")]
    users = [make_user() for _ in range(4)]
    for i, user in enumerate(users):
        for j in range(i + 2):
            add_comment(thread, user, f"{i}-{j}")
    with CaptureQueriesContext(connection) as queries:
        ranks = selectors.ranks_for([u.pk for u in users])
    assert len(queries) == 1
    assert [ranks[u.pk] for u in users] == ["Private", "Corporal", "Sergeant", "Sergeant"]


def test_rank_shows_in_the_tree_without_per_comment_queries(client, thread, make_user,
                                                             settings, monkeypatch):
    from django.contrib.auth.models import AnonymousUser
    from django.test import RequestFactory

    from veche.discussion.web import render_discussion

    settings.VECHE_RANKS = [(0, 0, "Private"), (0, 3, "Corporal")]
    veteran = make_user()
    for i in range(3):
        add_comment(thread, veteran, f"v{i}")

    def render_queries() -> tuple[int, str]:
        request = RequestFactory().get("/")
        request.user = AnonymousUser()
        with CaptureQueriesContext(connection) as queries:
            html = render_discussion(request, thread).html
        return len(queries), html

    from veche.moderation import versions

    monkeypatch.setattr(versions, "VERSION_TTL", 3600.0)  # no re-read between renders
    render_queries()  # warms the per-process list caches (legal labels)
    cache.clear()  # both measured renders build the tree, not read it from the tree cache
    few, html = render_queries()
    assert html.count('class="c__rank">Corporal<') == 3
    for i in range(10):
        add_comment(thread, make_user(), f"n{i}")
    cache.clear()
    many, html = render_queries()
    assert many == few
    assert html.count('class="c__rank">Private<') == 10


def test_a_suspended_reader_sees_why_on_their_settings_page(client, make_user, moderator):
    user = make_user()
    actions.suspend_user(user, actor=moderator, reason="Calls for violence", days=2)
    client.force_login(user)
    html = client.get("/settings/").content.decode()
    assert "You cannot comment, vote or report right now" in html
    assert "Calls for violence" in html
