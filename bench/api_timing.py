"""Time the API's comments endpoint of a thread through the production server: median
and p99 of repeated anonymous GETs after warm-up, against `veche serve` on 127.0.0.1.

    .venv/bin/python bench/api_timing.py --base http://127.0.0.1:8790 --requests 30
    (with no --thread: the thread with the most comments)
"""

from __future__ import annotations

import argparse
import json
import statistics
import time
import urllib.request
from urllib.parse import urlsplit


def get(url: str) -> bytes:
    with urllib.request.urlopen(url, timeout=60) as response:  # noqa: S310 - loopback only
        return response.read()


def biggest_thread(base: str) -> int:
    """Ask the database the server uses (same VECHE_VAR_DIR / DATABASE_URL)."""
    import django

    django.setup()
    from veche.discussion.models import Thread

    return Thread.objects.order_by("-comment_count").values_list("pk", flat=True).first()


def main() -> None:
    parser = argparse.ArgumentParser()
    parser.add_argument("--base", default="http://127.0.0.1:8790")
    parser.add_argument("--thread", type=int)
    parser.add_argument("--requests", type=int, default=30)
    args = parser.parse_args()
    if urlsplit(args.base).hostname not in ("127.0.0.1", "localhost", "::1"):
        raise SystemExit("loopback only")
    thread = args.thread or biggest_thread(args.base)
    url = f"{args.base}/api/v1/threads/{thread}/comments"
    body = b""
    for _ in range(3):
        body = get(url)
    data = json.loads(body)
    samples = []
    deadline = time.monotonic() + 300
    for _ in range(min(args.requests, 200)):
        t0 = time.perf_counter()
        get(url)
        samples.append(time.perf_counter() - t0)
        if time.monotonic() > deadline:
            break
    samples.sort()
    p99 = samples[min(len(samples) - 1, int(len(samples) * 0.99))]

    def count(nodes: list) -> int:
        return sum(1 + count(n["replies"]) for n in nodes)

    print(
        f"{url}: thread comment_count={data['thread']['comment_count']} "
        f"page 1/{data['page_count']} carries {count(data['comments'])} comments, "
        f"{len(body):,} bytes; n={len(samples)} median {statistics.median(samples) * 1000:.1f} ms "
        f"p99 {p99 * 1000:.1f} ms"
    )


if __name__ == "__main__":
    main()
