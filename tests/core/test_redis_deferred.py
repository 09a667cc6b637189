"""Redis commands whose replies are read later (core/redis_deferred): the rate limits'
count that travels while posting reads the author's facts, and the page clock's bump
that nobody waits for. A reply read late is still read, in order, and a broken
connection loses no command."""

from __future__ import annotations

import logging
import uuid

import pytest
import redis
from redis.exceptions import ResponseError

from veche.core.redis_deferred import Deferred, FireAndCheckLater

pytestmark = pytest.mark.redis


@pytest.fixture
def client(redis_url):
    made = redis.Redis.from_url(redis_url, socket_timeout=5)
    prefix = f"veche-test-{uuid.uuid4().hex[:12]}"
    made.test_key = lambda name: f"{prefix}:{name}"
    yield made
    keys = list(made.scan_iter(f"{prefix}:*"))
    if keys:
        made.delete(*keys)
    made.close()


def test_a_deferred_command_has_run_before_its_reply_is_read(client):
    key = client.test_key("n")
    sent = Deferred(client, "INCR", key)
    assert sent.sent
    assert client.get(key) == b"1"  # another connection sees it done
    assert sent.reply() == 1
    with pytest.raises(RuntimeError):
        sent.reply()  # read once


def test_an_error_reply_is_raised_and_the_connection_stays_in_step(client):
    key = client.test_key("text")
    client.set(key, "not a number")
    sent = Deferred(client, "INCR", key)
    with pytest.raises(ResponseError):
        sent.reply()
    # The pool's connections answer their own commands afterwards.
    assert [client.incr(client.test_key("m")) for _ in range(3)] == [1, 2, 3]


def test_an_abandoned_reply_is_read_and_dropped(client):
    key = client.test_key("dropped")
    for _ in range(5):
        Deferred(client, "INCR", key).abandon()
    assert client.get(key) == b"5"
    assert client.ping() is True


def test_fired_commands_run_in_order_without_their_replies_being_waited_for(client):
    key = client.test_key("fired")
    fire = FireAndCheckLater("a test command")
    for n in range(1, 6):
        fire.send(client, "SET", key, str(n))
        assert fire._local.unread  # the reply is left on the socket
        assert client.get(key) == str(n).encode()
    fire.close()


def test_a_failed_fired_command_is_logged_when_its_reply_is_read(client, caplog):
    key = client.test_key("text2")
    client.set(key, "not a number")
    fire = FireAndCheckLater("a test command")
    fire.send(client, "INCR", key)  # fails in Redis; nobody waits to see it
    with caplog.at_level(logging.ERROR, logger="veche.core.redis_deferred"):
        fire.send(client, "SET", key, "7")
    assert "a test command failed" in caplog.text
    assert client.get(key) == b"7"
    fire.close()


def test_a_broken_connection_sends_the_command_the_ordinary_way(client):
    key = client.test_key("broken")
    fire = FireAndCheckLater("a test command")
    fire.send(client, "SET", key, "1")
    host, port = fire._local.connection._sock.getsockname()[:2]
    assert client.client_kill(f"{host}:{port}")  # Redis drops it, as when it restarts
    fire.send(client, "SET", key, "2")
    assert client.get(key) == b"2"
    fire.send(client, "SET", key, "3")  # and a fresh connection of its own after
    assert client.get(key) == b"3"
    fire.close()
