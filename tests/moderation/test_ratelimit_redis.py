"""The posting limits on Redis, as production runs them: each request is counted per
account and per address in one round trip, the counters expire with their window, and
Django's cache reads the same numbers."""

from __future__ import annotations

import time

import pytest
import redis

from veche.discussion import actions as discussion
from veche.discussion.errors import ActionError
from veche.discussion.models import Comment
from veche.moderation import ratelimit

pytestmark = pytest.mark.redis


def post(user, thread, body, ip):
    return discussion.post_comment(author=user, thread=thread, body=body, ip_address=ip)


def test_account_and_address_limits_on_redis(redis_cache, thread, make_user, settings,
                                             monkeypatch):
    settings.VECHE_POST_RATE = "3/60"
    settings.VECHE_POST_RATE_IP = "5/60"
    round_trips = []
    execute = redis.client.Pipeline.execute

    def counted(self, *args, **kwargs):
        round_trips.append(len(self.command_stack))
        return execute(self, *args, **kwargs)

    monkeypatch.setattr(redis.client.Pipeline, "execute", counted)
    user = make_user()
    for i in range(3):
        post(user, thread, f"comment {i}", "10.0.0.7")
    assert round_trips == [4, 4, 4]  # SET NX + INCR for the account and the address
    with pytest.raises(ActionError) as info:
        post(user, thread, "one too many", "10.0.0.7")
    assert info.value.status == 429 and 1 <= info.value.retry_after <= 60
    # The refused attempt counted against the address too (4 of 5): a second account
    # there gets one more post, then no more.
    post(make_user(), thread, "from a neighbour", "10.0.0.7")
    with pytest.raises(ActionError) as info:
        post(make_user(), thread, "one more neighbour", "10.0.0.7")
    assert "network" in info.value.message
    assert Comment.objects.count() == 4

    limit = ratelimit.Limit("post", f"u{user.pk}", 3, 60, "")
    key = ratelimit._key(limit, int(time.time() // 60))
    assert redis_cache.get(key) == 4  # what INCR counted, as Django reads it
    client = redis.Redis.from_url(settings.REDIS_URL)
    ttl = client.ttl(redis_cache.make_and_validate_key(key))
    client.close()
    assert 0 < ttl <= 65
