"""Fixed-window rate limits kept in the Django cache (Redis in production).

A window is `seconds` long and starts at a multiple of it; the counter key names the
window, so it expires by itself. Counting an attempt and comparing happen in one
increment, which Redis does atomically. On Redis, every limit a request is counted
against goes in ONE round trip (a script: SET NX with the expiry, INCR, for each key):
a post is counted per account and per address, which cost four round trips before.
"""

from __future__ import annotations

import math
import time
from dataclasses import dataclass

from django.core.cache import cache, caches
from django.core.cache.backends.redis import RedisCache
from redis.commands.core import Script

from veche.discussion.errors import ActionError

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


def hit_all(limits: list[Limit]) -> None:
    """Count one attempt against each limit; raise ActionError 429 for the first one
    past its count in this window."""
    now = time.time()
    windows = [int(now // limit.seconds) for limit in limits]
    keys = [_key(limit, window) for limit, window in zip(limits, windows, strict=True)]
    counts = _count([(key, limit.seconds + 5) for key, limit in zip(keys, limits, strict=True)])
    for limit, window, count in zip(limits, windows, counts, strict=True):
        if count > limit.limit:
            retry_after = max(1, math.ceil((window + 1) * limit.seconds - now))
            raise ActionError(
                "rate_limited",
                f"{limit.message} Please wait {retry_after} s.",
                status=429,
                retry_after=retry_after,
            )


def _key(limit: Limit, window: int) -> str:
    return f"{PREFIX}:{limit.kind}:{limit.who}:{limit.seconds}:{window}"


def _count(keys: list[tuple[str, int]]) -> list[int]:
    """Increment each (key, lifetime) counter; the counts after."""
    backend = caches["default"]
    if isinstance(backend, RedisCache):
        # Django keeps ints as plain Redis integers, so INCR and cache.get agree.
        names = [backend.make_and_validate_key(key) for key, _ in keys]
        client = backend._cache.get_client(names[0], write=True)
        counts = _COUNT_SCRIPT(keys=names, args=[ttl for _, ttl in keys], client=client)
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
    window = int(time.time() // seconds)
    cache.delete(f"{PREFIX}:{kind}:{who}:{seconds}:{window}")
