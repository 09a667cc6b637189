"""Time the article page through the production server: median and p99 of repeated
GETs after warm-up, anonymous, against `veche serve` on 127.0.0.1.

    .venv/bin/python bench/page_timing.py --url http://127.0.0.1:8765/articles/bench-1000-1/ \
        --requests 30
"""

from __future__ import annotations

import argparse
import statistics
import time
import urllib.request


def time_url(url: str, requests: int, warmup: int = 3) -> tuple[float, float, int]:
    size = 0
    for _ in range(warmup):
        with urllib.request.urlopen(url, timeout=60) as response:  # noqa: S310 - loopback only
            size = len(response.read())
    samples = []
    deadline = time.monotonic() + 300  # bounded in time as well as in count
    for _ in range(requests):
        t0 = time.perf_counter()
        with urllib.request.urlopen(url, timeout=60) as response:  # noqa: S310
            response.read()
        samples.append(time.perf_counter() - t0)
        if time.monotonic() > deadline:
            break
    samples.sort()
    p99 = samples[min(len(samples) - 1, int(len(samples) * 0.99))]
    return statistics.median(samples), p99, size


def main() -> None:
    parser = argparse.ArgumentParser()
    parser.add_argument("--url", action="append", required=True)
    parser.add_argument("--requests", type=int, default=30)
    args = parser.parse_args()
    for url in args.url:
        if not url.startswith(("http://127.0.0.1", "http://localhost")):
            raise SystemExit("benchmarks talk to 127.0.0.1 only")
        median, p99, size = time_url(url, args.requests)
        print(
            f"{url}  median {median * 1000:.1f} ms  p99 {p99 * 1000:.1f} ms  {size / 1024:.0f} KiB"
        )


if __name__ == "__main__":
    main()
