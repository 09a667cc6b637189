"""What posting's two Redis writes cost the client, as a pipeline or transaction of
plain commands against one script each (EVALSHA): the rate limits (SET NX + INCR per
key, two keys) and the change clock's bump (SET + PUBLISH). Median latency and the
client's CPU per call, alternating the forms, on 127.0.0.1.

    .venv/bin/python bench/redis_scripts.py [--calls 3000] [--rounds 2]

Keys and the channel live under a prefix of their own, deleted afterwards; bounded in
count.
"""

from __future__ import annotations

import argparse
import os
import statistics
import time

import redis

from veche.core.pageclock import _BUMP_SCRIPT
from veche.moderation.ratelimit import _COUNT_SCRIPT

PREFIX = f"veche-bench-scripts-{os.getpid()}"
KEYS = [f"{PREFIX}:a", f"{PREFIX}:b"]
CLOCK, CHANNEL = f"{PREFIX}:clock", f"{PREFIX}:changes"


def limits_pipeline(client: redis.Redis) -> None:
    with client.pipeline(transaction=False) as pipe:
        for key in KEYS:
            pipe.set(key, 0, ex=60, nx=True)
            pipe.incr(key)
        pipe.execute()


def limits_script(client: redis.Redis) -> None:
    _COUNT_SCRIPT(keys=KEYS, args=[60, 60], client=client)


def bump_transaction(client: redis.Redis) -> None:
    with client.pipeline(transaction=True) as both:
        both.set(CLOCK, "v")
        both.publish(CHANNEL, "v")
        both.execute()


def bump_script(client: redis.Redis) -> None:
    _BUMP_SCRIPT(keys=[CLOCK], args=["v", CHANNEL], client=client)


def measure(call, client: redis.Redis, calls: int) -> tuple[float, float]:
    call(client)  # the script loaded, the connection open
    cpu, samples = time.process_time(), []
    for _ in range(calls):
        started = time.perf_counter()
        call(client)
        samples.append(time.perf_counter() - started)
    cpu_us = (time.process_time() - cpu) / calls * 1e6
    return statistics.median(samples) * 1e6, cpu_us


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--calls", type=int, default=3000)
    parser.add_argument("--rounds", type=int, default=2)
    parser.add_argument("--redis", default=os.environ.get("REDIS_URL",
                                                          "redis://127.0.0.1:6379/0"))
    args = parser.parse_args()
    client = redis.Redis.from_url(args.redis)
    try:
        for _ in range(args.rounds):
            for name, call in (("rate limits, pipeline", limits_pipeline),
                               ("rate limits, script", limits_script),
                               ("clock bump, MULTI/EXEC", bump_transaction),
                               ("clock bump, script", bump_script)):
                latency, cpu = measure(call, client, args.calls)
                print(f"{name:24s} median {latency:6.0f} µs, client CPU {cpu:5.0f} µs a call")
    finally:
        client.delete(*KEYS, CLOCK)
        client.close()


if __name__ == "__main__":
    main()
