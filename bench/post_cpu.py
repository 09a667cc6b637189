"""Where a post's time goes over HTTP: CPU per post of every process on the machine
(the web worker, the scorer, PostgreSQL's backends, Redis, this client) while one
signed-in client posts sequentially to `veche serve` on PostgreSQL with Redis, as
run.py deploys it; and the client's median latency.

    .venv/bin/python bench/post_cpu.py [--classifier on|off] [--posts 200]
        [--code /tmp/before/src,current --rounds 3]   # older code beside this checkout
        [--py-spy /path/to/py-spy]   # the web workers' Python CPU, as collapsed stacks

CPU comes from /proc (utime + stime) before and after the timed posts, so it counts
every thread and child, whatever else the machine does; processes that used under
0.02 s are left out. --classifier off is run.py's light run (VECHE_CLASSIFIER=0: no
scorer). Its own database and Redis prefix (bench/serving.py), dropped afterwards;
loopback only, bounded in count.
"""

from __future__ import annotations

import argparse
import os
import statistics
import sys
import time
from pathlib import Path

HERE = Path(__file__).resolve().parent
sys.path.insert(0, str(HERE))

from run import WORK, Session, comment_text  # noqa: E402
from serving import serving  # noqa: E402

TICK = os.sysconf("SC_CLK_TCK")


def cpu_ticks() -> dict[str, tuple[int, str]]:
    """{pid: (utime + stime in clock ticks, command line)} of every process."""
    out = {}
    for pid in filter(str.isdigit, os.listdir("/proc")):
        try:
            stat = Path(f"/proc/{pid}/stat").read_text().rsplit(")", 1)[1].split()
            command = Path(f"/proc/{pid}/cmdline").read_text().replace("\0", " ").strip()
        except OSError:
            continue
        out[pid] = (int(stat[11]) + int(stat[12]), command[:100])
    return out


def start_spies(spy: str, processes: dict, port: int) -> list:
    """py-spy recording each web worker (collapsed stacks; --gil: samples of the thread
    that holds the GIL, i.e. Python's CPU). py-spy slows the worker down several
    times: read shares from it, not latencies."""
    if not spy:
        return []
    import subprocess

    workers = [pid for pid, (_, command) in processes.items()
               if f"serve --port {port}" in command]
    spies = []
    for pid in workers:
        output = WORK / f"spy-{pid}.txt"
        print(f"py-spy: {output}")
        spies.append(subprocess.Popen(  # noqa: S603 - the py-spy this command was given
            [spy, "record", "--pid", pid, "--format", "raw", "--gil", "--rate", "2000",
             "--output", str(output)],
            stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL))
    return spies


def stop_spies(spies: list) -> None:
    import signal

    for process in spies:
        process.send_signal(signal.SIGINT)
    for process in spies:
        process.wait(timeout=30)


def one_run(code: str, classifier: str, posts: int, spy: str = "",
            http_server: str = "granian") -> None:
    """One fresh database and server running `code` ("current" or an older src
    directory); prints the latency and every busy process's CPU per post."""
    with serving(code, "postcpu", classifier=classifier, server=http_server) as (
            port, thread_id):
        session = Session(port, "benchreader", "bench-Password-1")
        for j in range(10):  # warm-up
            session.post_comment(thread_id, comment_text("warm", 0, j))
        before = cpu_ticks()
        spies = start_spies(spy, before, port)
        latencies = []
        for j in range(posts):
            t0 = time.perf_counter()
            status, _ = session.post_comment(thread_id, comment_text("cpu", 0, j))
            latencies.append(time.perf_counter() - t0)
            if status not in (201, 202):
                raise RuntimeError(f"post answered {status}")
        after = cpu_ticks()
        stop_spies(spies)
    print(f"{code}, {http_server}, classifier {classifier}: {posts} posts, median latency "
          f"{statistics.median(latencies) * 1000:.2f} ms")
    used = {pid: (ticks - before.get(pid, (0, ""))[0], command)
            for pid, (ticks, command) in after.items()}
    for ticks, command in sorted(used.values(), reverse=True):
        if ticks / TICK >= 0.02:
            print(f"  {ticks / TICK * 1000 / posts:5.2f} ms CPU a post  {command}")


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--classifier", choices=["on", "off"], default="on")
    parser.add_argument("--posts", type=int, default=200)
    parser.add_argument("--code", default="current",
                        help="comma-separated: 'current' or a src directory (older code)")
    parser.add_argument("--rounds", type=int, default=1, help="each code once a round")
    parser.add_argument("--py-spy", default="",
                        help="path to py-spy: record the web workers (files named on start)")
    parser.add_argument("--servers", default="granian",
                        help="comma-separated HTTP servers of `veche serve`: granian, gunicorn")
    args = parser.parse_args()
    for _ in range(args.rounds):
        for code in (c for c in args.code.split(",") if c):
            for server in (s for s in args.servers.split(",") if s):
                one_run(code, args.classifier, args.posts, args.py_spy, server)


if __name__ == "__main__":
    main()
