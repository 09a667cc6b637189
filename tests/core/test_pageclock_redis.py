"""The Redis change clock (core/pageclock.RedisClock) as several processes see it: each
follows the value through a subscription, so a cached page is confirmed without a round
trip, and a change made anywhere is seen on the next read."""

from __future__ import annotations

import select
import uuid

import pytest

from veche.core import pageclock

pytestmark = pytest.mark.redis


@pytest.fixture
def clocks(redis_url):
    """Clocks on one Redis key and channel, each with its own connections, as in
    separate processes."""
    prefix = f"veche-test-{uuid.uuid4().hex[:12]}"
    made = []

    def make() -> pageclock.RedisClock:
        made.append(pageclock.RedisClock(redis_url, prefix))
        return made[-1]

    yield make
    for clock in made:
        clock._drop()
    if made:
        made[0].client().delete(made[0].key)


def _arrived(clock: pageclock.RedisClock, timeout: float = 5.0) -> bool:
    """Wait (bounded) until something is there to read on the clock's subscription."""
    sock = clock._subscription.connection._sock
    readable, _, _ = select.select([sock], [], [], timeout)
    return bool(readable)


def _following(clock: pageclock.RedisClock) -> str | None:
    value = clock.read()  # subscribes, and reads the value from Redis meanwhile
    for _ in range(50):
        if clock.following:
            return value
        _arrived(clock, 0.1)
        value = clock.read()
    raise AssertionError("the clock never caught up with its subscription")


def _ask_redis_counted(clock, monkeypatch) -> list:
    asked: list = []
    real = clock._get
    monkeypatch.setattr(clock, "_get", lambda: asked.append(1) or real())
    return asked


def test_reads_are_answered_without_asking_redis_while_nothing_changes(clocks, monkeypatch):
    reader = clocks()
    first = _following(reader)
    asked = _ask_redis_counted(reader, monkeypatch)
    assert [reader.read() for _ in range(50)] == [first] * 50
    assert asked == []
    assert first == reader._get()  # what Redis holds


def test_a_change_made_elsewhere_is_read_as_soon_as_it_arrives(clocks, monkeypatch):
    reader, writer = clocks(), clocks()
    first = _following(reader)
    asked = _ask_redis_counted(reader, monkeypatch)
    for _ in range(5):
        writer.bump()
        assert _arrived(reader)
        now = reader.read()
        assert now != first and now == writer._get()
        first = now
    assert asked == []


def test_this_process_sees_its_own_change_on_the_very_next_read(clocks):
    clock = clocks()
    before = _following(clock)
    for _ in range(20):
        clock.bump()
        after = clock.read()
        assert after != before and after == clock._get()
        before = after


def test_another_process_joining_changes_nothing(clocks, monkeypatch):
    reader = clocks()
    first = _following(reader)
    asked = _ask_redis_counted(reader, monkeypatch)
    newcomer = clocks()
    assert _following(newcomer) == first  # its marker went to every subscriber
    assert _arrived(reader)
    assert reader.read() == first
    assert asked == []


def test_a_broken_subscription_falls_back_to_asking_then_follows_again(clocks, monkeypatch):
    reader, writer = clocks(), clocks()
    _following(reader)
    monkeypatch.setattr(pageclock.RedisClock, "RESUBSCRIBE_SECONDS", 60.0)
    reader._subscription.connection.disconnect()  # lost messages cannot be trusted
    writer.bump()
    assert reader.read() == writer._get()  # asked Redis
    assert not reader.following
    writer.bump()
    assert reader.read() == writer._get()
    monkeypatch.setattr(pageclock.RedisClock, "RESUBSCRIBE_SECONDS", 0.0)
    reader._retry_at = 0.0
    _following(reader)
    writer.bump()
    assert _arrived(reader)
    assert reader.read() == writer._get()


def test_a_change_is_announced_after_redis_forgot_its_scripts(clocks, monkeypatch):
    """A restarted Redis has no scripts: the bump loads its script again, and readers
    see the change as before."""
    reader, writer = clocks(), clocks()
    first = _following(reader)
    writer.client().script_flush()
    writer.bump()
    assert _arrived(reader)
    now = reader.read()
    assert now != first and now == writer._get()
