"""Posting latency of several versions of the code side by side: one `veche serve` each
(PostgreSQL with Redis as run.py deploys it, or SQLite with --db sqlite; each its own
fresh database and Redis prefix), all running at once, and one signed-in client that
posts to them in turn, post by post, so that every version meets the same moments of a
noisy machine. Prints each version's median and p90 latency, its rate at that median
and its ratio to the first.

    git worktree add /tmp/before <commit>     # or a copy of its src/
    .venv/bin/python bench/compare_posts.py --code /tmp/before/src,current --posts 600

Loopback only; bounded in count (--posts each) and in time.
"""

from __future__ import annotations

import argparse
import contextlib
import statistics
import sys
import time
from pathlib import Path

HERE = Path(__file__).resolve().parent
sys.path.insert(0, str(HERE))

from run import Session, comment_text  # noqa: E402
from serving import serving  # noqa: E402

DEADLINE = 600  # seconds for the timed posts


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--code", default="current",
                        help="comma-separated: 'current' or an older src directory")
    parser.add_argument("--posts", type=int, default=400, help="timed posts per version")
    parser.add_argument("--warmup", type=int, default=20)
    parser.add_argument("--db", choices=["postgres", "sqlite"], default="postgres")
    parser.add_argument("--classifier", choices=["on", "off"], default="on")
    parser.add_argument("--server", choices=["granian", "gunicorn"], default="granian")
    args = parser.parse_args()
    codes = args.code.split(",")
    with contextlib.ExitStack() as stack:
        targets = [stack.enter_context(serving(code, f"cmp{n}", db=args.db,
                                               classifier=args.classifier,
                                               server=args.server))
                   for n, code in enumerate(codes)]
        sessions = [Session(port, "benchreader", "bench-Password-1") for port, _ in targets]
        for j in range(args.warmup):
            for session, (_, thread_id) in zip(sessions, targets, strict=True):
                session.post_comment(thread_id, comment_text("warm", 0, j))
        latencies: list[list[float]] = [[] for _ in codes]
        deadline = time.monotonic() + DEADLINE
        for j in range(args.posts):
            # Each round in a different order, so that no version always goes first.
            order = list(range(len(codes)))
            shift = j % len(codes)
            for n in order[shift:] + order[:shift]:
                (_, thread_id), session = targets[n], sessions[n]
                t0 = time.perf_counter()
                status, _ = session.post_comment(thread_id, comment_text("cmp", n, j))
                latencies[n].append(time.perf_counter() - t0)
                if status not in (201, 202):
                    raise RuntimeError(f"{codes[n]}: a post answered {status}")
            if time.monotonic() > deadline:
                break
    first = statistics.median(latencies[0])
    print(f"{args.db}, classifier {args.classifier}, {args.server}, "
          f"{len(latencies[0])} posts each, interleaved")
    for code, times in zip(codes, latencies, strict=True):
        median = statistics.median(times)
        p90 = sorted(times)[int(len(times) * 0.9)]
        print(f"  {code}: median {median * 1000:.2f} ms ({1 / median:.0f}/s), p90 "
              f"{p90 * 1000:.2f} ms, median / first's {median / first:.3f}")


if __name__ == "__main__":
    main()
