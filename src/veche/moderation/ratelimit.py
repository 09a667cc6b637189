"""Fixed-window rate limits kept in the Django cache (Redis in production).

A window is `seconds` long and starts at a multiple of it; the counter key names the
window, so it expires by itself. Counting an attempt and comparing happen in one
cache.incr, which Redis does atomically.
"""

from __future__ import annotations

import math
import time

from django.core.cache import cache

from veche.discussion.errors import ActionError

PREFIX = "veche:mod:rate"


def hit(kind: str, who: str, limit: int, seconds: int, *, message: str) -> None:
    """Count one attempt of `who`; raise ActionError 429 past `limit` per window."""
    now = time.time()
    window = int(now // seconds)
    key = f"{PREFIX}:{kind}:{who}:{seconds}:{window}"
    cache.add(key, 0, timeout=seconds + 5)
    try:
        count = cache.incr(key)
    except ValueError:  # evicted between add and incr
        cache.set(key, 1, timeout=seconds + 5)
        count = 1
    if count > limit:
        retry_after = max(1, math.ceil((window + 1) * seconds - now))
        raise ActionError(
            "rate_limited",
            f"{message} Please wait {retry_after} s.",
            status=429,
            retry_after=retry_after,
        )


def reset(kind: str, who: str, seconds: int) -> None:
    window = int(time.time() // seconds)
    cache.delete(f"{PREFIX}:{kind}:{who}:{seconds}:{window}")
