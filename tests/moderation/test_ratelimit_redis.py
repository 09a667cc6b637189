"""The posting limits on Redis, as production runs them: each request is counted per
account and per address in one round trip, the counters expire with their window, and
Django's cache reads the same numbers."""

from __future__ import annotations

import time

import pytest
import redis
from django.db import connection

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
    send_command = redis.connection.AbstractConnection.send_command
    pipeline_execute = redis.client.Pipeline.execute

    def counted(self, *args, **options):
        if any(ratelimit.PREFIX in str(a) for a in args):
            round_trips.append(args[0])
        return send_command(self, *args, **options)

    def counted_pipeline(self, *args, **kwargs):
        if any(ratelimit.PREFIX in str(a) for c in self.command_stack for a in c[0]):
            round_trips.append("pipeline")
        return pipeline_execute(self, *args, **kwargs)

    loader = redis.Redis.from_url(settings.REDIS_URL)
    loader.script_load(ratelimit._COUNT_SCRIPT.script)  # as after the first post
    loader.close()
    monkeypatch.setattr(redis.connection.AbstractConnection, "send_command", counted)
    monkeypatch.setattr(redis.client.Pipeline, "execute", counted_pipeline)
    user = make_user()
    for i in range(3):
        post(user, thread, f"comment {i}", "10.0.0.7")
    # One script a post counts the account and the address (SET NX + INCR each).
    assert round_trips == ["EVALSHA"] * 3
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

    key = ratelimit._key("post", f"u{user.pk}", 60, time.time())
    assert redis_cache.get(key) == 4  # what INCR counted, as Django reads it
    client = redis.Redis.from_url(settings.REDIS_URL)
    ttl = client.ttl(redis_cache.make_and_validate_key(key))
    client.close()
    assert 0 < ttl <= 65


def test_limits_count_on_after_redis_forgets_its_scripts(redis_cache, thread, make_user,
                                                         settings):
    """A restarted Redis has no scripts: the count loads the script again and goes on."""
    settings.VECHE_POST_RATE = "2/60"
    user = make_user()
    post(user, thread, "before the restart", "10.0.0.8")
    client = redis.Redis.from_url(settings.REDIS_URL)
    client.script_flush()
    client.close()
    post(user, thread, "after the restart", "10.0.0.8")
    with pytest.raises(ActionError) as info:
        post(user, thread, "one too many", "10.0.0.8")
    assert info.value.status == 429
    assert Comment.objects.filter(author=user).count() == 2


def test_the_count_travels_while_the_authors_facts_are_read(redis_cache, thread, make_user,
                                                            settings, monkeypatch):
    """The limits are counted in a round trip that overlaps the author's facts query:
    the script is sent before that query and its reply read after."""
    settings.VECHE_POST_RATE = "3/60"
    events: list[str] = []
    send_command = redis.connection.AbstractConnection.send_command
    read_response = redis.connection.AbstractConnection.read_response

    def sent(self, *args, **options):
        if any(ratelimit.PREFIX in str(a) for a in args):
            events.append("count sent")
            self._counting = True
        return send_command(self, *args, **options)

    def read(self, *args, **options):
        if getattr(self, "_counting", False):
            self._counting = False
            events.append("count read")
        return read_response(self, *args, **options)

    def facts_query(execute, sql, params, many, context):
        if "participant" in sql:
            events.append("facts read")
        return execute(sql, params, many, context)

    monkeypatch.setattr(redis.connection.AbstractConnection, "send_command", sent)
    monkeypatch.setattr(redis.connection.AbstractConnection, "read_response", read)
    user = make_user()
    with connection.execute_wrapper(facts_query):
        for i in range(3):
            post(user, thread, f"comment {i}", "10.0.0.9")
        with pytest.raises(ActionError) as info:
            post(user, thread, "one too many", "10.0.0.9")
    assert info.value.status == 429
    assert events == ["count sent", "facts read", "count read"] * 4
    assert Comment.objects.filter(author=user).count() == 3


def test_a_refused_attempt_still_counts_and_leaves_the_connection_in_step(
        redis_cache, thread, make_user, settings):
    """An author refused before the checks run (no verified address) was counted when
    the post began; the count's reply is read and dropped, so the next command on that
    connection gets its own reply."""
    settings.VECHE_POST_RATE = "3/60"
    stranger = make_user(verified=False)
    with pytest.raises(ActionError) as info:
        post(stranger, thread, "let me in", "10.0.0.10")
    assert info.value.status == 403
    assert redis_cache.get(ratelimit._key("post", f"u{stranger.pk}", 60, time.time())) == 1
    redis_cache.set("veche-test-in-step", "yes")
    assert redis_cache.get("veche-test-in-step") == "yes"
