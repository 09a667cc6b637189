"""Time the API's comments endpoints of a thread through the production server: median
and p99 of repeated anonymous GETs on one keep-alive connection after warm-up, against
`veche serve` on 127.0.0.1.

    .venv/bin/python bench/api_timing.py --base http://127.0.0.1:8790 --requests 30
    (with no --thread: the thread with the most comments)
    --whole: the whole thread as JSON (/t/<id>/comments.json) instead of the API page
    --base URL --base URL2 ...: several servers (e.g. before and after a change), their
        requests interleaved so that both see the same machine load; prints the ratios

The whole-thread document's memory, in process (no server): peak of Python's allocations
(tracemalloc) while streaming it, which stays flat however big the thread:

    .venv/bin/python bench/api_timing.py --memory --thread 2
"""

from __future__ import annotations

import argparse
import http.client
import json
import statistics
import time
from urllib.parse import urlsplit

DEADLINE = 300  # seconds for all the timed requests of one run


def biggest_thread() -> int:
    """Ask the database the server uses (same VECHE_VAR_DIR / DATABASE_URL)."""
    import django

    django.setup()
    from veche.discussion.models import Thread

    return Thread.objects.order_by("-comment_count").values_list("pk", flat=True).first()


class Target:
    def __init__(self, base: str, path: str) -> None:
        parts = urlsplit(base)
        if parts.hostname not in ("127.0.0.1", "localhost", "::1"):
            raise SystemExit("loopback only")
        self.base, self.path = base, path
        self.conn = http.client.HTTPConnection(parts.hostname, parts.port or 80, timeout=120)
        self.samples: list[float] = []
        self.body = b""

    def get(self) -> float:
        t0 = time.perf_counter()
        self.conn.request("GET", self.path)
        response = self.conn.getresponse()
        self.body = response.read()
        elapsed = time.perf_counter() - t0
        if response.status != 200:
            raise SystemExit(f"{self.base}{self.path}: HTTP {response.status}")
        return elapsed

    def summary(self) -> tuple[float, float]:
        ordered = sorted(self.samples)
        p99 = ordered[min(len(ordered) - 1, int(len(ordered) * 0.99))]
        return statistics.median(ordered) * 1000, p99 * 1000


def describe(target: Target, whole: bool) -> str:
    data = json.loads(target.body)
    if whole:
        shape = f"{len(data['comments'])} comments"
    else:

        def count(nodes: list) -> int:
            return sum(1 + count(n["replies"]) for n in nodes)

        shape = f"page 1/{data['page_count']} carries {count(data['comments'])} comments"
    median, p99 = target.summary()
    return (
        f"{target.base}{target.path}: thread comment_count={data['thread']['comment_count']} "
        f"{shape}, {len(target.body):,} bytes; n={len(target.samples)} "
        f"median {median:.1f} ms p99 {p99:.1f} ms"
    )


def memory(thread_id: int) -> None:
    """Peak traced allocation while streaming the whole-thread document, in process."""
    import tracemalloc

    import django

    django.setup()
    from veche.api.stream import document
    from veche.discussion.models import Thread
    from veche.discussion.selectors import Viewer

    thread = Thread.objects.get(pk=thread_id)
    size = sum(len(piece) for piece in document(thread, Viewer()))  # warm: imports, caches
    tracemalloc.start()
    size = sum(len(piece) for piece in document(thread, Viewer()))
    _, peak = tracemalloc.get_traced_memory()
    tracemalloc.stop()
    print(f"thread {thread_id}: {size:,} bytes streamed, peak traced {peak / 1024:.0f} KiB")


def main() -> None:
    parser = argparse.ArgumentParser()
    parser.add_argument("--base", action="append")
    parser.add_argument("--thread", type=int)
    parser.add_argument("--requests", type=int, default=30)
    parser.add_argument("--whole", action="store_true")
    parser.add_argument("--memory", action="store_true")
    args = parser.parse_args()
    thread = args.thread or biggest_thread()
    if args.memory:
        memory(thread)
        return
    path = f"/t/{thread}/comments.json" if args.whole else f"/api/v1/threads/{thread}/comments"
    targets = [Target(base, path) for base in args.base or ["http://127.0.0.1:8790"]]
    for _ in range(3):
        for target in targets:
            target.get()
    deadline = time.monotonic() + DEADLINE
    for _ in range(min(args.requests, 200)):
        for target in targets:
            target.samples.append(target.get())
        if time.monotonic() > deadline:
            break
    for target in targets:
        print(describe(target, args.whole))
    first = targets[0].summary()[0]
    for target in targets[1:]:
        print(f"median {targets[0].base} / {target.base} = {first / target.summary()[0]:.2f}×")


if __name__ == "__main__":
    main()
