"""Classifier throughput per core, scorer round-trip latency and RSS, reference-page verdicts.

    OMP_NUM_THREADS=1 .venv/bin/python bench/classifier_speed.py
"""

from __future__ import annotations

import json
import os
import resource
import socket
import subprocess
import sys
import tempfile
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent


def main() -> None:
    os.environ.setdefault("DJANGO_SETTINGS_MODULE", "veche.config.settings")
    from veche.importers.page_dump import parse_page
    from veche.moderation.classifier.model import Classifier

    t0 = time.perf_counter()
    model = Classifier()
    print(f"load {time.perf_counter() - t0:.2f}s; artefacts "
          f"{sum(p.stat().st_size for p in model.directory.iterdir()) / 1e6:.2f} MB")
    rows = []
    for name in ("train", "heldout", "hard_after_tuning"):
        path = ROOT / "tests/moderation/data" / f"{name}.jsonl"
        rows += [json.loads(x) for x in path.open(encoding="utf-8")]
    for lang in ("en", "ru"):
        texts = [r["text"] for r in rows if r["lang"] == lang]
        model.score(texts[0], lang)
        t0 = time.perf_counter()
        for t in texts:
            model.score(t, lang)
        dt = time.perf_counter() - t0
        print(f"{lang}: {len(texts) / dt:.0f} comments/s on one core (short comments)")
    page = parse_page((ROOT / "demo/military-review-article.txt").read_text(encoding="utf-8"))
    comments = list(page.walk())
    t0 = time.perf_counter()
    results = [model.score(c.body, "en") for c in comments]
    dt = time.perf_counter() - t0
    print(f"reference page: {len(comments) / dt:.0f} comments/s (long comments)")
    print(f"in-process RSS peak {resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024:.0f} MB")
    for c, r in zip(comments, results, strict=True):
        verdict = "HELD" if r.score >= r.threshold else "published"
        print(f"  {c.position:6s} {c.name[:18]:18s} {r.score:.2f} {verdict:9s} {r.reason[:70]}")
    # A real scorer process: round trips and its RSS.
    sock = os.path.join(tempfile.mkdtemp(), "s.sock")
    proc = subprocess.Popen(  # noqa: S603
        [sys.executable, "-m", "veche.cli", "scorer", "--socket", sock, "--no-sweep"],
        stdout=subprocess.PIPE, text=True,
    )
    try:
        proc.stdout.readline()  # "listening on ..."
        lat = []
        for c in comments * 4:
            t0 = time.perf_counter()
            with socket.socket(socket.AF_UNIX) as s:
                s.connect(sock)
                s.sendall(json.dumps({"op": "score", "text": c.body, "lang": "en"}).encode()
                          + b"\n")
                s.makefile().readline()
            lat.append(time.perf_counter() - t0)
        lat.sort()
        print(f"scorer round trip: median {lat[len(lat) // 2] * 1000:.1f} ms, "
              f"max {lat[-1] * 1000:.1f} ms over {len(lat)} requests")
        rss = Path(f"/proc/{proc.pid}/status").read_text().split("VmRSS:")[1].split()[0]
        print(f"scorer RSS {int(rss) / 1024:.0f} MB")
    finally:
        proc.terminate()
        proc.wait(timeout=10)


if __name__ == "__main__":
    main()
