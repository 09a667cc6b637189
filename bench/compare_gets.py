"""Time one path on several running servers side by side: GETs interleaved round by
round on one keep-alive connection each (so every server sees the same machine load),
after warm-up; prints median and p90 per server, the ratios to the first, and whether
the bodies are the same bytes. Loopback only, bounded in count and time.

Typical use: the code before a change and after it, on one database:

    git worktree add /tmp/before <commit>
    PYTHONPATH=/tmp/before/src:bench veche serve --port 8801 ...   # the old code
    PYTHONPATH=bench veche serve --port 8802 ...                    # this checkout
    .venv/bin/python bench/compare_gets.py /articles/bench-1000/ 8801 8802 --rounds 60
"""

from __future__ import annotations

import argparse
import hashlib
import http.client
import statistics
import time

DEADLINE = 300  # seconds for all the timed rounds


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("path")
    parser.add_argument("ports", nargs="+", type=int)
    parser.add_argument("--rounds", type=int, default=40)
    parser.add_argument("--warmup", type=int, default=5)
    args = parser.parse_args()
    conns = {p: http.client.HTTPConnection("127.0.0.1", p, timeout=120) for p in args.ports}
    samples: dict[int, list[float]] = {p: [] for p in args.ports}
    digests: dict[int, str] = {}

    def get(port: int) -> float:
        t0 = time.perf_counter()
        conns[port].request("GET", args.path)
        response = conns[port].getresponse()
        body = response.read()
        elapsed = time.perf_counter() - t0
        if response.status != 200:
            raise SystemExit(f"127.0.0.1:{port}{args.path}: HTTP {response.status}")
        digests[port] = f"{hashlib.sha256(body).hexdigest()[:12]} ({len(body):,} bytes)"
        return elapsed

    for _ in range(args.warmup):
        for port in args.ports:
            get(port)
    deadline = time.monotonic() + DEADLINE
    for _ in range(min(args.rounds, 500)):
        for port in args.ports:
            samples[port].append(get(port))
        if time.monotonic() > deadline:
            break
    first = statistics.median(samples[args.ports[0]])
    for port in args.ports:
        ordered = sorted(samples[port])
        median = statistics.median(ordered)
        p90 = ordered[min(len(ordered) - 1, int(len(ordered) * 0.9))]
        print(f"{port}: n={len(ordered)} median {median * 1000:.1f} ms p90 {p90 * 1000:.1f} ms"
              f"  {first / median:.2f}× the first  body {digests[port]}")


if __name__ == "__main__":
    main()
