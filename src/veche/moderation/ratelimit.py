"""Fixed-window rate limits kept in the Django cache (Redis in production).

A window is `seconds` long and starts at a multiple of it; the counter key names the
window, so it expires by itself. Counting an attempt and comparing happen in one
increment, which Redis does atomically. On Redis, every limit a request is counted
against goes in ONE round trip (a script: SET NX with the expiry, INCR, for each key):
a post is counted per account and per address, which cost four round trips before.
"""

from __future__ import annotations

import logging
import math
import time
from dataclasses import dataclass
from typing import Any

from django.core.cache import cache, caches
from django.core.cache.backends.redis import RedisCache
from redis.commands.core import Script
from redis.exceptions import NoScriptError, RedisError

from veche.core.redis_deferred import Deferred
from veche.discussion.errors import ActionError

logger = logging.getLogger(__name__)

PREFIX = "veche:mod:rate"

# Each key: created at 0 with its lifetime unless it exists, then incremented; the counts
# in the keys' order. One command (EVALSHA) where a pipeline of SET NX + INCR per key
# cost redis-py a third more CPU to build and parse.
_COUNT_SCRIPT = Script(None, b"""
local counts = {}
for i, key in ipairs(KEYS) do
  redis.call('SET', key, 0, 'EX', ARGV[i], 'NX')
  counts[i] = redis.call('INCR', key)
end
return counts
""")


@dataclass(frozen=True)
class Limit:
    kind: str
    who: str
    limit: int
    seconds: int
    message: str


def hit(kind: str, who: str, limit: int, seconds: int, *, message: str) -> None:
    """Count one attempt of `who`; raise ActionError 429 past `limit` per window."""
    hit_all([Limit(kind, who, limit, seconds, message)])


def hit_all(limits: list[Limit], counted: Counting | None = None) -> None:
    """Count one attempt against each limit; raise ActionError 429 for the first one
    past its count in this window. `counted`: the same windows, counted already
    (start_counting), whose counts are used instead."""
    if counted is not None and counted.windows == [(lm.kind, lm.who, lm.seconds) for lm in limits]:
        now, counts = counted.now, counted.counts()
    else:
        if counted is not None:
            counted.abandon()
        now = time.time()
        counts = _count([(_key(lm.kind, lm.who, lm.seconds, now), lm.seconds + 5)
                         for lm in limits])
    for limit, count in zip(limits, counts, strict=True):
        if count > limit.limit:
            window = int(now // limit.seconds)
            retry_after = max(1, math.ceil((window + 1) * limit.seconds - now))
            raise ActionError(
                "rate_limited",
                f"{limit.message} Please wait {retry_after} s.",
                status=429,
                retry_after=retry_after,
            )


class Counting:
    """Windows (kind, who, seconds) counted now, the counts read later: on Redis the
    count is sent at once and its reply read by counts(), so that the round trip
    overlaps whatever the caller does meanwhile (posting reads the author's facts)."""

    def __init__(self, windows: list[tuple[str, str, int]]) -> None:
        self.windows = windows
        self.now = time.time()
        self._keys = [(_key(kind, who, seconds, self.now), seconds + 5)
                      for kind, who, seconds in windows]
        self._sent = _send_count(self._keys)
        self._counts: list[int] | None = None

    def counts(self) -> list[int]:
        if self._counts is None:
            self._counts = self._read()
        return self._counts

    def _read(self) -> list[int]:
        sent, self._sent = self._sent, None
        if sent is not None:
            try:
                return [int(count) for count in sent.reply()]
            except NoScriptError:
                pass  # nothing was counted: counted below, loading the script
            except RedisError:
                logger.warning("rate limits: the early count failed", exc_info=True)
        return _count(self._keys)

    def abandon(self) -> None:
        """Nobody will ask for the counts (the request was refused first). What was
        sent has counted: an attempt counts however it ends."""
        sent, self._sent = self._sent, None
        if sent is not None:
            sent.abandon()


def start_counting(windows: list[tuple[str, str, int]]) -> Counting:
    """Count one attempt in each (kind, who, seconds) window, starting now."""
    return Counting(windows)


def _key(kind: str, who: str, seconds: int, now: float) -> str:
    return f"{PREFIX}:{kind}:{who}:{seconds}:{int(now // seconds)}"


def _redis_client(names: list[str]) -> Any:
    backend = caches["default"]
    return backend._cache.get_client(names[0], write=True)


def _send_count(keys: list[tuple[str, int]]) -> Deferred | None:
    """On Redis, the count's script sent and not waited for; otherwise None."""
    backend = caches["default"]
    if not isinstance(backend, RedisCache) or not keys:
        return None
    names = [backend.make_and_validate_key(key) for key, _ in keys]
    sent = Deferred(_redis_client(names), "EVALSHA", _COUNT_SCRIPT.sha, len(names),
                    *names, *(ttl for _, ttl in keys))
    return sent if sent.sent else None


def _count(keys: list[tuple[str, int]]) -> list[int]:
    """Increment each (key, lifetime) counter; the counts after."""
    backend = caches["default"]
    if isinstance(backend, RedisCache):
        # Django keeps ints as plain Redis integers, so INCR and cache.get agree.
        names = [backend.make_and_validate_key(key) for key, _ in keys]
        counts = _COUNT_SCRIPT(keys=names, args=[ttl for _, ttl in keys],
                               client=_redis_client(names))
        return [int(count) for count in counts]
    counts = []
    for key, ttl in keys:
        cache.add(key, 0, timeout=ttl)
        try:
            counts.append(cache.incr(key))
        except ValueError:  # evicted between add and incr
            cache.set(key, 1, timeout=ttl)
            counts.append(1)
    return counts


def reset(kind: str, who: str, seconds: int) -> None:
    cache.delete(_key(kind, who, seconds, time.time()))
