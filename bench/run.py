"""The benchmark runner behind `make bench`: Veche under `veche serve` (2 workers, no
preload) on SQLite and PostgreSQL, Isso on the same thread, nginx serving the same
page bytes; writes a Markdown report to bench/results/.

    .venv/bin/python bench/run.py --dbs sqlite,postgres --sizes 1000,10000

Loopback only; every loop is bounded in count and in time.
"""

from __future__ import annotations

import argparse
import contextlib
import http.client
import json
import os
import platform
import random
import re
import shutil
import signal
import socket
import statistics
import subprocess
import sys
import threading
import time
import urllib.parse
import uuid
from collections.abc import Callable, Iterator
from functools import partial
from pathlib import Path

HERE = Path(__file__).resolve().parent
ROOT = HERE.parent
PY = sys.executable
WORK = HERE / ".work"
RESULTS = HERE / "results"
PG_ADMIN = "postgresql://postgres@127.0.0.1:5432/postgres"
SCRUB = {"DATABASE_URL", "REDIS_URL", "DJANGO_SETTINGS_MODULE", "VECHE_TESTING"}
DEADLINE = 120  # seconds, for any one measurement loop


def free_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return sock.getsockname()[1]


REDIS_URL = "redis://127.0.0.1:6379/0"


def create_pg_database(name: str) -> str:
    """A fresh PostgreSQL database on 127.0.0.1 (dropped first if a run left it); its URL."""
    drop_pg_database(name)
    subprocess.run(["psql", PG_ADMIN, "-qc", f"CREATE DATABASE {name}"],  # noqa: S603, S607
                   check=True, capture_output=True)
    return f"postgresql://postgres@127.0.0.1:5432/{name}"


def drop_pg_database(name: str) -> None:
    subprocess.run(["psql", PG_ADMIN, "-qc", f"DROP DATABASE IF EXISTS {name}"],  # noqa: S603, S607
                   capture_output=True)


def env_for(var: Path, db_url: str, **extra: str) -> dict[str, str]:
    env = {k: v for k, v in os.environ.items() if k not in SCRUB}
    env.update(
        VECHE_VAR_DIR=str(var), DATABASE_URL=db_url, PYTHONUNBUFFERED="1", VECHE_DEBUG="0",
        # VECHE_MFA_REQUIRED as deployed (on): the bench signs in as a plain reader, and
        # the check is part of every signed-in request's cost.
        # One address posts everything: bench_settings lifts the posting rate limits.
        DJANGO_SETTINGS_MODULE="bench_settings",
        PYTHONPATH=str(HERE),
    )
    env.update(extra)
    return env


def veche(env: dict, *args: str, timeout: int = 1800) -> str:
    out = subprocess.run(  # noqa: S603 - our own argv
        [PY, "-m", "veche.cli", *args], env=env, cwd=ROOT, check=True, timeout=timeout,
        capture_output=True, text=True,
    )
    return out.stdout


def script(env: dict, name: str, *args: str, timeout: int = 3600) -> str:
    out = subprocess.run(  # noqa: S603
        [PY, str(HERE / name), *args], env=env, cwd=ROOT, check=True, timeout=timeout,
        capture_output=True, text=True,
    )
    return out.stdout


def wait_http(port: int, path: str = "/health", timeout: float = 60) -> None:
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        try:
            conn = http.client.HTTPConnection("127.0.0.1", port, timeout=5)
            conn.request("GET", path)
            conn.getresponse().read()
            return
        except OSError:
            time.sleep(0.2)
    raise RuntimeError(f"nothing answers on 127.0.0.1:{port}")


class Server:
    def __init__(self, argv: list[str], env: dict, port: int, log: Path, health: str):
        self.log = log.open("w")
        self.proc = subprocess.Popen(  # noqa: S603
            argv, env=env, cwd=ROOT, stdout=self.log, stderr=subprocess.STDOUT,
            start_new_session=True,
        )
        self.port = port
        wait_http(port, health)
        self.settle()

    def settle(self, timeout: float = 60, idle_share: float = 0.05) -> None:
        """Wait until the server's processes stop starting up: the scorer loading its
        model and dictionaries, the job worker and the web workers importing Django used
        the CPU for seconds after /health answered, and the first figures measured them.
        Idle: under `idle_share` of one core over half a second (bounded by `timeout`)."""
        ticks = os.sysconf("SC_CLK_TCK")
        deadline = time.monotonic() + timeout
        before = self._cpu_ticks()
        while time.monotonic() < deadline:
            time.sleep(0.5)  # the sampling window, not a synchronisation
            now = self._cpu_ticks()
            if (now - before) / ticks < 0.5 * idle_share:
                return
            before = now

    def _cpu_ticks(self) -> int:
        total, todo, seen = 0, [self.proc.pid], set()
        while todo:
            pid = todo.pop()
            if pid in seen:
                continue
            seen.add(pid)
            try:
                fields = Path(f"/proc/{pid}/stat").read_text().rsplit(")", 1)[1].split()
                total += int(fields[11]) + int(fields[12])  # utime, stime
            except (OSError, IndexError, ValueError):
                continue
            out = subprocess.run(  # noqa: S603
                ["ps", "-o", "pid=", "--ppid", str(pid)],  # noqa: S607
                capture_output=True, text=True,
            ).stdout
            todo += [int(x) for x in out.split()]
        return total

    def worker_pids(self) -> list[int]:
        out = subprocess.run(  # noqa: S603
            ["ps", "-o", "pid=", "--ppid", str(self.proc.pid)],  # noqa: S607
            capture_output=True, text=True,
        ).stdout
        return [int(x) for x in out.split()]

    def peak_rss_mb(self) -> list[float]:
        peaks = []
        for pid in self.worker_pids():
            try:
                text = Path(f"/proc/{pid}/status").read_text()
            except OSError:
                continue
            m = re.search(r"VmHWM:\s+(\d+) kB", text)
            if m:
                peaks.append(int(m.group(1)) / 1024)
        return peaks

    def peak_rss_by_role(self) -> dict[str, list[float]]:
        """Peak RSS (MB) of every process under the server, by what it is: the web
        workers apart from the classifier's scorer and the job worker."""
        roles: dict[str, list[float]] = {}
        todo, seen = [self.proc.pid], set()
        while todo:
            pid = todo.pop()
            if pid in seen:
                continue
            seen.add(pid)
            out = subprocess.run(  # noqa: S603
                ["ps", "-o", "pid=", "--ppid", str(pid)],  # noqa: S607
                capture_output=True, text=True,
            ).stdout
            todo += [int(x) for x in out.split()]
            if pid == self.proc.pid:
                continue
            try:
                cmd = Path(f"/proc/{pid}/cmdline").read_bytes().replace(b"\0", b" ").decode()
                m = re.search(r"VmHWM:\s+(\d+) kB", Path(f"/proc/{pid}/status").read_text())
            except OSError:
                continue
            role = ("scorer" if " scorer" in cmd else
                    "job worker" if "db_worker" in cmd else "web worker")
            if m:
                roles.setdefault(role, []).append(round(int(m.group(1)) / 1024, 1))
        return roles

    def stop(self) -> None:
        os.killpg(self.proc.pid, signal.SIGTERM)
        try:
            self.proc.wait(timeout=30)
        except subprocess.TimeoutExpired:
            os.killpg(self.proc.pid, signal.SIGKILL)
        self.log.close()


def timed_gets(port: int, path: str, n: int, headers: dict | None = None, warmup: int = 3):
    """Median and p99 (ms) of n sequential GETs on one keep-alive connection."""
    conn = http.client.HTTPConnection("127.0.0.1", port, timeout=60)
    samples: list[float] = []
    size = status = 0
    deadline = time.monotonic() + DEADLINE
    for i in range(warmup + n):
        t0 = time.perf_counter()
        conn.request("GET", path, headers=headers or {})
        response = conn.getresponse()
        body = response.read()
        elapsed = time.perf_counter() - t0
        status, size = response.status, len(body)
        if i >= warmup:
            samples.append(elapsed)
        if time.monotonic() > deadline:
            break
    conn.close()
    return {**latency_summary(samples), "n": len(samples), "bytes": size, "status": status}


def timed_gets_side_by_side(port: int, paths: list[str], n: int,
                            headers: dict | None = None, warmup: int = 3) -> dict[str, dict]:
    """timed_gets of several paths in turn on one keep-alive connection (one request
    of each, n times): their ratios compare the same minutes, where one path's requests
    after another's compared whatever the machine did meanwhile (the 10,000-comment
    page measured after the 1,000 one had come out 1.5× slower; in turn, 1.1×)."""
    conn = http.client.HTTPConnection("127.0.0.1", port, timeout=60)
    samples: dict[str, list[float]] = {path: [] for path in paths}
    last: dict[str, tuple[int, int]] = {}
    deadline = time.monotonic() + DEADLINE
    for i in range(warmup + n):
        for path in paths:
            t0 = time.perf_counter()
            conn.request("GET", path, headers=headers or {})
            response = conn.getresponse()
            body = response.read()
            elapsed = time.perf_counter() - t0
            last[path] = (response.status, len(body))
            if i >= warmup:
                samples[path].append(elapsed)
        if time.monotonic() > deadline:
            break
    conn.close()
    return {path: {**latency_summary(samples[path]), "n": len(samples[path]),
                   "bytes": last[path][1], "status": last[path][0]} for path in paths}


def latency_summary(samples: list[float]) -> dict:
    """Median and p99 in ms of request times in seconds."""
    if not samples:
        return {}
    samples = sorted(samples)
    p99 = samples[min(len(samples) - 1, int(len(samples) * 0.99))]
    return {"median_ms": statistics.median(samples) * 1000, "p99_ms": p99 * 1000}


class Session:
    """A signed-in reader over HTTP: session cookie and CSRF token, like a browser."""

    def __init__(self, port: int, username: str, password: str) -> None:
        self.port = port
        self.cookies: dict[str, str] = {}
        self.conn = http.client.HTTPConnection("127.0.0.1", port, timeout=60)
        self.request("GET", "/accounts/login/")
        body = urllib.parse.urlencode({
            "login": username, "password": password,
            "csrfmiddlewaretoken": self.cookies.get("csrftoken", ""),
        })
        status, _ = self.request("POST", "/accounts/login/", body)
        if "sessionid" not in self.cookies:
            raise RuntimeError(f"login failed ({status})")

    def request(self, method: str, path: str, body: str | None = None, extra: dict | None = None):
        headers = {"Cookie": "; ".join(f"{k}={v}" for k, v in self.cookies.items())}
        if body is not None:
            headers["Content-Type"] = "application/x-www-form-urlencoded"
            headers["Referer"] = f"http://127.0.0.1:{self.port}/"
            headers["Origin"] = f"http://127.0.0.1:{self.port}"
        headers.update(extra or {})
        for _attempt in range(2):
            try:
                self.conn.request(method, path, body=body, headers=headers)
                response = self.conn.getresponse()
                data = response.read()
                break
            except (http.client.RemoteDisconnected, ConnectionResetError, BrokenPipeError):
                self.conn.close()
                self.conn = http.client.HTTPConnection("127.0.0.1", self.port, timeout=60)
        else:
            raise RuntimeError("connection failed twice")
        for value in response.headers.get_all("Set-Cookie") or []:
            name, _, rest = value.partition("=")
            self.cookies[name.strip()] = rest.split(";", 1)[0]
        return response.status, data

    def post_comment(self, thread_id: int, text: str) -> tuple[int, int | None]:
        """(HTTP status, the new comment's id when the server acknowledged it)."""
        body = urllib.parse.urlencode({
            "body": text, "client_token": uuid.uuid4().hex,
            "csrfmiddlewaretoken": self.cookies.get("csrftoken", ""),
        })
        status, data = self.request(
            "POST", f"/t/{thread_id}/post/", body,
            {"X-Requested-With": "fetch", "Accept": "application/json"},
        )
        comment_id = None
        if status in (201, 202):
            with contextlib.suppress(ValueError, TypeError, KeyError):
                comment_id = int(json.loads(data)["id"])
        return status, comment_id


# Realistic, varied reader comments: a body is 2-4 of these in a random order, so no two
# posts repeat and the classifier has no repetition to hold them for.
SENTENCES = [
    "I read the whole article twice and I still think the author leaves out the cost.",
    "The map in the second section helped me understand where the bridge actually is.",
    "Has anyone found the original report the article quotes? The link seems to be missing.",
    "My grandfather served near that river in the seventies, and the winters were brutal.",
    "The budget figures look different from what the ministry published last spring.",
    "Good piece, though I would have liked a comment from the local administration.",
    "This is the third article this month on supply problems, so something is clearly wrong.",
    "I am not convinced that new radar systems will change much on the ground.",
    "Thanks for the detailed timeline, it is the clearest summary I have seen so far.",
    "The negotiations have been going on for years and nothing seems to move.",
    "Could the editors add a correction? The factory was opened in 2009, not 2011.",
    "It would be interesting to compare these numbers with the neighbouring regions.",
    "The analysts quoted here were far more optimistic a year ago.",
    "I live about forty kilometres from there and the roads are still closed.",
    "Does anyone know whether the exercise will be repeated in the autumn?",
    "The photo caption says March, but the snow suggests it was taken much earlier.",
    "A balanced article for once, with both sides given space to explain themselves.",
    "The interview at the end is the most informative part of the whole text.",
    "We discussed this at work today and nobody could explain the delay.",
    "Shipbuilding takes decades to plan, so these announcements mean little for now.",
    "The industry has been asking for stable orders for a long time.",
    "I would like to see more reporting from the people who actually live in the region.",
    "The previous comment makes a fair point about the training schedule.",
    "Prices for fuel went up again this week, which affects everyone there.",
    "It is worth remembering how the same plan was described five years ago.",
    "My daughter studies engineering and says the new aircraft design is impressive.",
    "The article could explain the technical terms for readers who are not specialists.",
    "I appreciate that the author cites sources instead of rumours.",
    "The weather will decide more than any statement from the capital.",
    "Let us wait for the official results before drawing conclusions.",
    "The podcast episode on this topic last week was also very good.",
    "Several readers asked the same question, so perhaps the editors could answer it.",
    "There is a typo in the third paragraph, the name of the town is misspelt.",
    "Security on the border has improved according to people I know there.",
    "The historical background in the middle of the text is excellent.",
    "I disagree with the conclusion, but the arguments are presented honestly.",
    "It seems the local council was not consulted at all, which is surprising.",
    "The numbers in the table do not add up to the total given in the text.",
    "Very informative, I shared it with my colleagues this morning.",
    "Hopefully the next report will include the costs of maintenance as well.",
]


def comment_text(tag: str, client: int, number: int) -> str:
    rng = random.Random(f"{tag}-{client}-{number}")
    return (f"Bench {tag} client {client} comment {number}: "
            + " ".join(rng.sample(SENTENCES, rng.randint(2, 4))))


# Posts each sequential run makes before its clock starts (not counted): the server's
# threads open their connections and prepare their statements, as after any warm-up.
POST_WARMUP = 20
# Sequential posting (Veche's and Isso's) runs this many rounds of 200 posts, the first
# after the warm-up; the report keeps the round with the median rate and lists them all.
POST_ROUNDS = 3


def median_round(rounds: list[dict]) -> dict:
    """The round with the median rate, with every round's rate ("rounds"): one round
    lasts a second or two, at the mercy of whatever else the machine does then."""
    ordered = sorted(rounds, key=lambda r: r["per_second"])
    return {**ordered[len(ordered) // 2], "rounds": [round(r["per_second"], 1) for r in rounds]}


def sequential_rounds(post_round: Callable[..., dict], tag: str) -> dict:
    """POST_ROUNDS rounds of post_round(tag=the round's tag, warmup=warm-up posts)."""
    return median_round([post_round(tag=f"{tag}{k}", warmup=POST_WARMUP if k == 0 else 0)
                         for k in range(POST_ROUNDS)])


def side_by_side_rounds(ours: Callable[..., dict], ours_tag: str,
                        theirs: Callable[..., dict], theirs_tag: str) -> tuple[dict, dict]:
    """POST_ROUNDS rounds of each, alternating (theirs first, then ours): each side's
    median round, both measured in the same minutes."""
    mine: list[dict] = []
    peer: list[dict] = []
    for k in range(POST_ROUNDS):
        warmup = POST_WARMUP if k == 0 else 0
        peer.append(theirs(tag=f"{theirs_tag}{k}", warmup=warmup))
        mine.append(ours(tag=f"{ours_tag}{k}", warmup=warmup))
    return median_round(mine), median_round(peer)


def post_many(port: int, thread_id: int, clients: int, per_client: int, tag: str,
              env: dict | None = None, warmup: int = 0) -> dict:
    """`clients` signed-in sessions post `per_client` comments each, all at once, after
    `warmup` posts of the first session (tagged apart, not counted). With `env` the
    database is checked afterwards: an acknowledged comment missing, a row nobody
    acknowledged or a duplicate raises."""
    sessions = [Session(port, "benchreader", "bench-Password-1") for _ in range(clients)]
    for j in range(warmup):
        sessions[0].post_comment(thread_id, comment_text(f"{tag}-warm", 0, j))
    statuses: dict[int, int] = {}
    acknowledged: list[int] = []
    latencies: list[float] = []
    lock = threading.Lock()

    def run(i: int, session: Session) -> None:
        deadline = time.monotonic() + DEADLINE
        for j in range(per_client):
            started = time.perf_counter()
            status, comment_id = session.post_comment(thread_id, comment_text(tag, i, j))
            took = time.perf_counter() - started
            with lock:
                statuses[status] = statuses.get(status, 0) + 1
                latencies.append(took)
                if comment_id is not None:
                    acknowledged.append(comment_id)
            if time.monotonic() > deadline:
                break

    threads = [threading.Thread(target=run, args=(i, s)) for i, s in enumerate(sessions)]
    t0 = time.perf_counter()
    for t in threads:
        t.start()
    for t in threads:
        t.join(DEADLINE + 60)
    took = time.perf_counter() - t0
    sent = sum(statuses.values())
    out = {"clients": clients, "sent": sent, "statuses": statuses, "seconds": took,
           "per_second": sent / took, "acknowledged": len(acknowledged),
           "warmup": warmup, **latency_summary(latencies)}
    if env is None:
        return out
    db = out["db"] = db_counts(env, thread_id, tag)
    problems = []
    if len(set(acknowledged)) != len(acknowledged):
        problems.append("an id acknowledged twice")
    missing = set(acknowledged) - set(db.pop("ids"))
    if missing:
        problems.append(f"{len(missing)} acknowledged comments missing, e.g. #{min(missing)}")
    if db["rows"] != len(acknowledged):
        problems.append(f"{db['rows']} rows for {len(acknowledged)} acknowledged")
    if db["distinct"] != db["rows"]:
        problems.append(f"{db['rows'] - db['distinct']} duplicated bodies")
    refused = {status: n for status, n in statuses.items() if status not in (201, 202)}
    if refused:
        # A server that answers errors is measured as broken, not as fast.
        problems.append(f"answers other than 201/202: {refused}")
    if problems:
        raise RuntimeError(f"post_{tag}: {'; '.join(problems)} (statuses {statuses})")
    return out


def wrk(url: str, seconds: int = 8, connections: int = 32) -> float | None:
    if not shutil.which("wrk"):
        return None
    out = subprocess.run(  # noqa: S603
        ["wrk", "-t2", f"-c{connections}", f"-d{seconds}s", url],  # noqa: S607
        capture_output=True, text=True, timeout=seconds + 30,
    ).stdout
    m = re.search(r"Requests/sec:\s+([\d.]+)", out)
    return float(m.group(1)) if m else None


def db_counts(env: dict, thread_id: int, tag: str) -> dict:
    code = (
        "from veche.discussion.models import Comment;"
        "from veche.moderation.classifier.models import ClassifierState;"
        "from django.db.models import Count, F;"
        "from datetime import timedelta;"
        "import json;"
        f"q=Comment.objects.filter(thread_id={thread_id},"
        f" body_markdown__startswith='Bench {tag} ');"
        # Scored by the posting check itself, not by a re-check after a scorer that did
        # not answer in time: the state is written with the comment, microseconds after
        # its time.
        "inline=ClassifierState.objects.filter(comment__in=q, state='scored',"
        " scored_at__lte=F('comment__created_at') + timedelta(seconds=0.1)).count();"
        "print(json.dumps({'rows': q.count(), 'scored_inline': inline,"
        " 'distinct': q.values('body_markdown').distinct().count(),"
        " 'statuses': dict(q.order_by().values_list('status').annotate(n=Count('pk'))),"
        " 'ids': list(q.values_list('pk', flat=True))}))"
    )
    return json.loads(veche(env, "shell", "-c", code).strip().splitlines()[-1])

# --------------------------------------------------------------------------- Veche


def bench_veche(db: str, sizes: list[int], requests: int, report: dict, variant: str,
                with_isso: bool = True) -> None:
    var = WORK / f"{db}"
    var.mkdir(parents=True, exist_ok=True)
    pg_name = None
    if db == "sqlite":
        url = f"sqlite:///{var / 'bench.sqlite3'}"
    else:
        pg_name = f"veche_bench_{os.getpid()}"
        url = create_pg_database(pg_name)
    # PostgreSQL is deployed with Redis (cache, sessions, the page cache's change clock);
    # the bench's keys get a prefix of their own and are deleted afterwards.
    redis = {"REDIS_URL": REDIS_URL, "VECHE_REDIS_PREFIX": f"veche-bench-{os.getpid()}"}
    env = env_for(var, url, **(redis if pg_name else {}))
    try:
        if db == "sqlite" and (var / "bench.sqlite3").exists():
            (var / "bench.sqlite3").unlink()
        veche(env, "migrate", "--noinput", "-v0")
        veche(env, "collectstatic", "--noinput", "-v0")
        gen = {}
        for n in sizes:
            t0 = time.perf_counter()
            script(env, "generate.py", "--comments", str(n), "--seed", str(n),
                   "--slug", f"bench-{n}")
            gen[n] = time.perf_counter() - t0
        ids = json.loads(script(env, "setup_bench.py").strip().splitlines()[-1])
        if pg_name:
            # The steady state autovacuum reaches minutes after a bulk load: statistics
            # and a visibility map; measured right after a load, autovacuum may run beside.
            subprocess.run(["psql", url, "-qc", "VACUUM ANALYZE"],  # noqa: S603, S607
                           check=True, capture_output=True)
        r = report.setdefault(db, {})
        r["generate_seconds"] = gen
        for n in sizes:
            script(env, "export_thread.py", f"bench-{n}", str(WORK / f"thread-{n}.json"))
        for cached in (True, False):
            port = free_port()
            # Uncached: no full-page cache, every whole-thread document and API page built anew.
            extra = {"VECHE_PAGE_CACHE": "1" if cached else "0",
                     "VECHE_API_PAGE_CACHE": "1" if cached else "0",
                     "VECHE_THREAD_JSON_FILES_BYTES": str(256 * 1024 * 1024 if cached else 0)}
            server_env = {**env, **extra}
            if variant == "head":
                server_env["PYTHONPATH"] = f"{WORK / 'head' / 'src'}:{HERE}"
            server = Server(
                [PY, "-m", "veche.cli", "serve", "--port", str(port), "--workers", "2",
                 "--threads", "4", "--no-collectstatic"],
                server_env, port, var / f"serve-{cached}.log", "/health",
            )
            try:
                label = "cached" if cached else "uncached"
                pages = {n: f"/articles/bench-{n}/" for n in sizes}
                timed = timed_gets_side_by_side(port, list(pages.values()), requests)
                for n, path in pages.items():
                    r[f"page_anon_{label}_{n}"] = timed[path]
                if cached:
                    r["page_anon_304_1000"] = _conditional(port, f"/articles/bench-{sizes[0]}/",
                                                           requests)
                    page = f"http://127.0.0.1:{port}/articles/bench-{sizes[0]}/"
                    r["wrk_cached_rps"] = wrk(page)
                    conn = http.client.HTTPConnection("127.0.0.1", port, timeout=60)
                    conn.request("GET", f"/articles/bench-{sizes[0]}/")
                    (WORK / "page.html").write_bytes(conn.getresponse().read())
                    conn.close()
                    r.update(bench_thread_json(port, ids, sizes, requests, "_files"))
                    api = {n: f"/api/v1/threads/{ids[f'bench-{n}']}/comments" for n in sizes}
                    timed = timed_gets_side_by_side(port, list(api.values()), requests)
                    for n, path in api.items():
                        r[f"api_page_cached_{n}"] = timed[path]
                    continue
                session = Session(port, "benchreader", "bench-Password-1")
                cookie = {"Cookie": "; ".join(f"{k}={v}" for k, v in session.cookies.items())}
                pages = {n: f"/articles/bench-{n}/" for n in sizes}
                timed = timed_gets_side_by_side(port, list(pages.values()), requests, cookie)
                for n, path in pages.items():
                    r[f"page_signed_in_{n}"] = timed[path]
                api = {n: f"/api/v1/threads/{ids[f'bench-{n}']}/comments" for n in sizes}
                timed = timed_gets_side_by_side(port, list(api.values()), requests)
                for n, path in api.items():
                    r[f"api_page_{n}"] = timed[path]
                r.update(bench_thread_json(port, ids, sizes, requests))
                post_tid = ids["bench-post"]
                # With the classifier: `veche serve` started the scorer.
                ours = partial(post_many, port, post_tid, 1, 200, env=env)
                if with_isso:
                    with isso_beside(var / "isso-beside") as theirs:
                        r["post_sequential"], r["post_sequential_isso"] = (
                            side_by_side_rounds(ours, "seq", theirs, "isso"))
                else:
                    r["post_sequential"] = sequential_rounds(ours, "seq")
                for clients in (16, 64):
                    tag = f"c{clients}"
                    r[f"post_{tag}"] = post_many(port, post_tid, clients, 10, tag, env)
                r["peak_rss_roles"] = server.peak_rss_by_role()
                r["peak_rss_mb"] = r["peak_rss_roles"].get("web worker", [])
            finally:
                server.stop()
        # Sequential posting with the light inline checks only (word lists, links,
        # duplicates, flood, trust, sanctions): the classifier switched off.
        port = free_port()
        server = Server(
            [PY, "-m", "veche.cli", "serve", "--port", str(port), "--workers", "2",
             "--threads", "4", "--no-collectstatic"],
            {**server_env, "VECHE_CLASSIFIER": "0"}, port, var / "serve-light.log", "/health",
        )
        try:
            r["post_sequential_light"] = sequential_rounds(
                partial(post_many, port, ids["bench-post"], 1, 200, env=env), "seqlight")
        finally:
            server.stop()
    finally:
        if pg_name:
            drop_pg_database(pg_name)
            drop_redis_keys(redis["VECHE_REDIS_PREFIX"])


def drop_redis_keys(prefix: str) -> None:
    import redis as redis_client

    client = redis_client.Redis.from_url(REDIS_URL)
    for key in client.scan_iter(match=f"{prefix}:*", count=1000):
        client.delete(key)


def bench_thread_json(port: int, ids: dict, sizes: list[int], requests: int,
                      label: str = "") -> dict:
    """The whole thread as one streamed JSON document (GET /t/<id>/comments.json), the
    peers' whole-thread responses' counterpart, anonymous: built for every request
    (label "") or, label "_files", sent from the file kept for the thread's version."""
    return {f"thread_json{label}_{n}": timed_gets(
        port, f"/t/{ids[f'bench-{n}']}/comments.json", requests) for n in sizes}


def _conditional(port: int, path: str, requests: int) -> dict:
    conn = http.client.HTTPConnection("127.0.0.1", port, timeout=60)
    conn.request("GET", path)
    response = conn.getresponse()
    response.read()
    etag = response.headers["ETag"]
    conn.close()
    return timed_gets(port, path, requests, {"If-None-Match": etag})


# --------------------------------------------------------------------------- peers


def ensure_peer_venv(venv: Path, requirements: Path) -> None:
    """A peer's own virtualenv with its pinned packages (from PyPI), rebuilt when the
    pins change."""
    wanted = requirements.read_text()
    stamp = venv / "requirements.txt"
    if not stamp.exists() or stamp.read_text() != wanted:
        subprocess.run([PY, "-m", "venv", "--clear", str(venv)], check=True, timeout=600)  # noqa: S603
        subprocess.run(  # noqa: S603
            [str(venv / "bin" / "python"), "-m", "pip", "install", "-q", "-r", str(requirements)],
            check=True, timeout=1200, capture_output=True)
        stamp.write_text(wanted)


def bench_isso(sizes: list[int], requests: int, report: dict) -> None:
    venv = HERE / ".isso-venv"
    ensure_peer_venv(venv, HERE / "peers" / "isso-requirements.txt")
    r = report.setdefault("isso", {})
    r["version"] = subprocess.run(  # noqa: S603
        [str(venv / "bin" / "python"), "-c", "import isso; print(isso.dist.version)"],
        capture_output=True, text=True).stdout.strip()
    var = WORK / "isso"
    port = free_port()
    conf = isso_conf(var, port)
    for n in sizes:
        t0 = time.perf_counter()
        subprocess.run(  # noqa: S603
            [str(venv / "bin" / "python"), str(HERE / "peers" / "isso_load.py"), str(conf),
             str(WORK / f"thread-{n}.json"), f"/bench-{n}"],
            check=True, timeout=1800, capture_output=True,
        )
        r[f"load_seconds_{n}"] = time.perf_counter() - t0
    server = isso_server(venv, conf, port)
    try:
        for n in sizes:
            r[f"thread_json_{n}"] = timed_gets(port, f"/?uri=/bench-{n}", requests)
        r["post_sequential"] = sequential_rounds(
            partial(post_isso, port, 200, var / "comments.db"), "isso")
        r["peak_rss_mb"] = server.peak_rss_mb()
    finally:
        server.stop()


def isso_conf(var: Path, port: int) -> Path:
    """A fresh directory for an Isso with its settings (no moderation, no rate guard)."""
    shutil.rmtree(var, ignore_errors=True)
    var.mkdir(parents=True)
    conf = var / "isso.cfg"
    conf.write_text(
        f"[general]\ndbpath = {var / 'comments.db'}\nhost = http://127.0.0.1:{port}/\n"
        "[moderation]\nenabled = false\n[guard]\nenabled = false\n"
        f"[server]\nlisten = http://127.0.0.1:{port}/\n"
    )
    return conf


def isso_server(venv: Path, conf: Path, port: int) -> Server:
    """Isso under gunicorn, 2 workers x 4 threads, as Veche's `veche serve`. Its
    database is created first by one process: two workers booting on a fresh one race to
    write its preferences, and the loser exits (UNIQUE constraint failed:
    preferences.key), which left a run without its posting figures."""
    subprocess.run(  # noqa: S603 - the peer's own interpreter and package
        [str(venv / "bin" / "python"), "-c",
         "import sys; from isso import config, db; "
         "conf = config.load(config.default_file(), sys.argv[1]); "
         "db.SQLite3(conf.get('general', 'dbpath'), conf)", str(conf)],
        check=True, timeout=120, capture_output=True)
    return Server(
        [str(venv / "bin" / "gunicorn"), "-w", "2", "--threads", "4", "-k", "gthread",
         "-b", f"127.0.0.1:{port}", "isso.run"],
        {**os.environ, "ISSO_SETTINGS": str(conf)}, port, conf.parent / "serve.log", "/info",
    )


@contextlib.contextmanager
def isso_beside(var: Path) -> Iterator[Callable[..., dict]]:
    """An Isso on an empty database of its own, up while Veche's sequential posting is
    measured, so that each Veche round follows an Isso round in the same minutes (this
    machine's speed moved by up to 2x within minutes). Yields Isso's post round."""
    venv = HERE / ".isso-venv"
    ensure_peer_venv(venv, HERE / "peers" / "isso-requirements.txt")
    port = free_port()
    conf = isso_conf(var, port)
    server = isso_server(venv, conf, port)
    try:
        yield partial(post_isso, port, 200, var / "comments.db")
    finally:
        server.stop()


def post_isso(port: int, count: int, db: Path, tag: str = "isso",
              warmup: int = POST_WARMUP) -> dict:
    """Isso's sequential posting, Veche's counterpart (one client, one keep-alive
    connection, new comments on one thread through its JSON POST /new, after the same
    warm-up); the rows are counted in Isso's database afterwards."""
    import sqlite3

    conn = http.client.HTTPConnection("127.0.0.1", port, timeout=60)
    statuses: dict[int, int] = {}
    latencies: list[float] = []

    def post(tag: str, i: int) -> int:
        body = json.dumps({"text": comment_text(tag, 0, i), "author": "Bench reader",
                           "title": "Bench post"})
        conn.request("POST", "/new?uri=%2Fbench-post", body=body,
                     headers={"Content-Type": "application/json"})
        response = conn.getresponse()
        response.read()
        return response.status

    for i in range(warmup):
        post(f"{tag}-warm", i)
    deadline = time.monotonic() + DEADLINE
    t0 = time.perf_counter()
    for i in range(count):
        started = time.perf_counter()
        status = post(tag, i)
        latencies.append(time.perf_counter() - started)
        statuses[status] = statuses.get(status, 0) + 1
        if time.monotonic() > deadline:
            break
    took = time.perf_counter() - t0
    conn.close()
    sent = sum(statuses.values())
    with contextlib.closing(sqlite3.connect(db)) as c:
        rows, distinct = c.execute(
            "SELECT count(*), count(DISTINCT text) FROM comments WHERE text LIKE ?",
            (f"Bench {tag} client 0 comment %",)).fetchone()
    return {"clients": 1, "sent": sent, "statuses": statuses, "seconds": took,
            "per_second": sent / took, "warmup": warmup, **latency_summary(latencies),
            "db": {"rows": rows, "distinct": distinct}}


def bench_xtd(sizes: list[int], requests: int, report: dict) -> None:
    """django-comments-xtd (bench/peers/xtd) on the same threads, in its own virtualenv:
    its article page (render_xtdcomment_tree, every comment) and its REST comment list."""
    peer, venv = HERE / "peers" / "xtd", HERE / ".xtd-venv"
    py = str(venv / "bin" / "python")
    ensure_peer_venv(venv, peer / "requirements.txt")
    r = report.setdefault("xtd", {})
    var = WORK / "xtd"
    shutil.rmtree(var, ignore_errors=True)
    var.mkdir(parents=True)
    env = {k: v for k, v in os.environ.items() if k not in SCRUB}
    env.update(XTD_DB=str(var / "xtd.sqlite3"), PYTHONPATH=str(peer), PYTHONUNBUFFERED="1",
               DJANGO_SETTINGS_MODULE="xtdbench.settings")

    def peer_py(name: str, *args: str) -> dict:
        out = subprocess.run([py, str(peer / name), *args], env=env, check=True,  # noqa: S603
                             timeout=1800, capture_output=True, text=True).stdout
        return json.loads(out.strip().splitlines()[-1])

    r["version"] = subprocess.run(  # noqa: S603
        [py, "-c", "import django, django_comments_xtd as x;"
         "print(x.get_version(), 'on Django', django.get_version())"],
        capture_output=True, text=True, env=env).stdout.strip()
    r["selfcheck"] = peer_py("load.py", "selfcheck")["selfcheck"]  # loader rows == xtd's own
    pks = {}
    for n in sizes:
        t0 = time.perf_counter()
        pks[n] = peer_py("load.py", "article", f"bench-{n}", str(WORK / f"thread-{n}.json"))["pk"]
        r[f"load_seconds_{n}"] = time.perf_counter() - t0
    peer_py("load.py", "article", "bench-post")
    port = free_port()
    server = Server(
        [str(venv / "bin" / "gunicorn"), "-w", "2", "--threads", "4", "-k", "gthread",
         "-b", f"127.0.0.1:{port}", "--chdir", str(peer), "xtdbench.wsgi"],
        env, port, var / "serve.log", "/health",
    )
    try:
        for n in sizes:
            page, api = f"/articles/bench-{n}/", f"/comments/api/xtdbench-article/{pks[n]}/"
            # What a reader gets must hold the whole thread, or the timing means nothing.
            conn = http.client.HTTPConnection("127.0.0.1", port, timeout=120)
            conn.request("GET", page)
            html = conn.getresponse().read().decode()
            r[f"page_comments_{n}"] = len(re.findall(r'<div id="c\d+" class="comment', html))
            conn.request("GET", api)
            r[f"json_comments_{n}"] = len(json.loads(conn.getresponse().read()))
            conn.close()
            # Several seconds a request at 10,000 comments: fewer samples there.
            big = n >= 10000
            reps, warm = (min(requests, 10), 1) if big else (requests, 3)
            r[f"page_{n}"] = timed_gets(port, page, reps, warmup=warm)
            r[f"json_{n}"] = timed_gets(port, api, reps, warmup=warm)
        r["post_sequential"] = peer_py("post.py", str(port), "bench-post", "100", "seq",
                                       str(DEADLINE))
        r["post_sequential"]["db"] = peer_py("load.py", "count", "bench-post", "Bench seq ")
        r["peak_rss_mb"] = server.peak_rss_mb()
    finally:
        server.stop()


def _xtd_ratios(r: dict, xtd: dict, sizes: list[int]) -> list[str]:
    lines = []
    for n in sizes:
        x, v = xtd.get(f"page_{n}"), r.get(f"page_anon_uncached_{n}")
        if x and v:
            lines.append(f"- {n} comments: xtd article page {x['median_ms']:.1f} ms"
                         f" ({xtd.get(f'page_comments_{n}')} comments shown) vs Veche uncached"
                         f" article page {v['median_ms']:.1f} ms ="
                         f" **{x['median_ms'] / v['median_ms']:.1f}×**")
        for key in (f"thread_json_{n}", f"thread_json_files_{n}"):
            x, v = xtd.get(f"json_{n}"), r.get(key)
            if x and v:
                lines.append(
                    f"- {n} comments: xtd JSON list {x['median_ms']:.1f} ms"
                    f" ({xtd.get(f'json_comments_{n}')} comments) vs Veche {key}"
                    f" {v['median_ms']:.1f} ms = **{x['median_ms'] / v['median_ms']:.1f}×**")
    x, v = xtd.get("post_sequential"), r.get("post_sequential")
    if x and v:
        lines.append(f"- posting, 1 client: xtd {x['per_second']:.0f}/s ({x['sent']} posts,"
                     f" statuses {x['statuses']}, rows {x['db']['rows']}) vs Veche"
                     f" {v['per_second']:.0f}/s: Veche / xtd ="
                     f" **{v['per_second'] / x['per_second']:.1f}×**")
    return lines


def bench_nginx(report: dict) -> None:
    page = WORK / "page.html"
    if not shutil.which("nginx") or not page.exists():
        report["nginx"] = {"skipped": "nginx not installed or no page captured"}
        return
    var = WORK / "nginx"
    shutil.rmtree(var, ignore_errors=True)
    (var / "root").mkdir(parents=True)
    shutil.copy(page, var / "root" / "index.html")
    port = free_port()
    conf = (HERE / "nginx.conf").read_text().replace("@PORT@", str(port)).replace(
        "@ROOT@", str(var / "root")).replace("@VAR@", str(var))
    (var / "nginx.conf").write_text(conf)
    proc = subprocess.Popen(["nginx", "-c", str(var / "nginx.conf"), "-p", str(var)])  # noqa: S603, S607
    try:
        wait_http(port, "/")
        report["nginx"] = {"wrk_rps": wrk(f"http://127.0.0.1:{port}/"),
                           "single": timed_gets(port, "/", 200)}
    finally:
        proc.send_signal(signal.SIGQUIT)
        proc.wait(timeout=30)


# --------------------------------------------------------------------------- report


def machine() -> dict:
    cpu = ""
    with contextlib.suppress(OSError, StopIteration):
        cpu = next(line.split(":", 1)[1].strip() for line in
                   Path("/proc/cpuinfo").read_text().splitlines() if line.startswith("model name"))
    versions = {}
    for cmd in (["nginx", "-v"], ["wrk", "-v"], ["psql", "--version"], ["sqlite3", "--version"]):
        try:
            out = subprocess.run(cmd, capture_output=True, text=True, timeout=10)  # noqa: S603
            versions[cmd[0]] = (out.stdout + out.stderr).strip().splitlines()[0]
        except (OSError, IndexError):
            versions[cmd[0]] = "missing"
    import django
    versions["python"] = platform.python_version()
    versions["django"] = django.get_version()
    return {"cpu": cpu, "cores": os.cpu_count(), "kernel": platform.release(), **versions}


def post_latency(p: dict) -> str:
    """'; a post median … / p99 … ms (after N warm-up posts)' when measured."""
    if "median_ms" not in p:
        return ""
    if "rounds" in p:
        rates = ", ".join(f"{rate:.0f}" for rate in p["rounds"])
        return (f"; the median of {len(p['rounds'])} rounds ({rates}/s; the first after"
                f" {POST_WARMUP} warm-up posts), a post's median"
                f" {p['median_ms']:.2f} / p99 {p['p99_ms']:.2f} ms in that round")
    return (f"; a post median {p['median_ms']:.2f} / p99 {p['p99_ms']:.2f} ms"
            f" (after {p.get('warmup', 0)} warm-up posts)")


def fmt(m: dict | None) -> str:
    if not m:
        return "—"
    return f"{m['median_ms']:.1f} / {m['p99_ms']:.1f} ms (n={m['n']}, {m['bytes'] // 1024} KiB)"


def write_report(report: dict, args: argparse.Namespace) -> Path:
    lines = ["# Veche benchmark", "",
             f"Command: `{' '.join(['.venv/bin/python', 'bench/run.py', *sys.argv[1:]])}`",
             f"Date: {time.strftime('%Y-%m-%d %H:%M:%S %Z')}", "", "## Machine", ""]
    for k, v in report["machine"].items():
        lines.append(f"- {k}: {v}")
    lines += ["", "Figures are median / p99 over sequential requests on one keep-alive",
              "connection after 3 warm-up requests; Veche runs `veche serve --workers 2",
              "--threads 4` (no preload).", ""]
    iso = report.get("isso", {})
    for db in args.dbs:
        r = report.get(db)
        if not r:
            continue
        lines += [f"## Veche on {db}", "", "| measurement | median / p99 |", "|---|---|"]
        for key, value in r.items():
            if isinstance(value, dict) and "median_ms" in value and "bytes" in value:
                lines.append(f"| {key} | {fmt(value)} |")
        lines.append("")
        for key in ("post_sequential", "post_sequential_light", "post_c16", "post_c64"):
            p = r.get(key)
            if p:
                lines.append(
                    f"- {key}: {p['sent']} posts by {p['clients']} clients in {p['seconds']:.1f}"
                    f" s = **{p['per_second']:.0f}/s**; statuses {p['statuses']};"
                    f" database rows {p['db']['rows']}, distinct {p['db']['distinct']}"
                    + (f", scored by the posting check {p['db']['scored_inline']}"
                       if key != "post_sequential_light" and "scored_inline" in p["db"] else "")
                    + post_latency(p))
        rss = [round(x, 1) for x in r.get("peak_rss_mb", [])]
        lines.append(f"- peak RSS per web worker (MB): {rss}; all processes by role:"
                     f" {r.get('peak_rss_roles')}")
        lines.append(f"- wrk anonymous cached page: {r.get('wrk_cached_rps')} req/s")
        lines.append(f"- generation seconds: {r.get('generate_seconds')}")
        lines += ["", "Ratios (peer median / Veche median, higher is better for Veche):", ""]
        for n in args.sizes:
            v = r.get(f"page_anon_uncached_{n}")
            p = iso.get(f"thread_json_{n}")
            if v and p:
                lines.append(f"- {n} comments: Isso JSON `/?uri=` {p['median_ms']:.1f} ms vs Veche"
                             f" uncached article page {v['median_ms']:.1f} ms ="
                             f" **{p['median_ms'] / v['median_ms']:.1f}×**")
            a = r.get(f"api_page_{n}")
            if a and p:
                lines.append(f"- {n} comments: Isso JSON vs Veche API page {a['median_ms']:.1f} ms"
                             f" = **{p['median_ms'] / a['median_ms']:.1f}×**")
            if (w := r.get(f"thread_json_{n}")) and p:
                lines.append(f"- {n} comments: Isso JSON vs Veche whole-thread JSON, built"
                             f" {w['median_ms']:.1f} ms ="
                             f" **{p['median_ms'] / w['median_ms']:.1f}×**")
            if (w := r.get(f"thread_json_files_{n}")) and p:
                lines.append(f"- {n} comments: Isso JSON vs Veche whole-thread JSON from its"
                             f" version's file {w['median_ms']:.1f} ms ="
                             f" **{p['median_ms'] / w['median_ms']:.1f}×**")
        beside = "post_sequential_isso" in r
        x = r["post_sequential_isso"] if beside else iso.get("post_sequential")
        v = r.get("post_sequential")
        if x and v:
            when = ("in rounds alternating with Veche's" if beside else "in its own stage")
            lines.append(f"- posting, 1 client: Isso {when} {x['per_second']:.0f}/s"
                         f" ({x['sent']} posts,"
                         f" statuses {x['statuses']}, rows {x['db']['rows']}{post_latency(x)})"
                         " vs Veche"
                         f" {v['per_second']:.0f}/s: Veche / Isso ="
                         f" **{v['per_second'] / x['per_second']:.2f}×** (150/s against the"
                         " 118/s the issue measured for Isso: 1.27×)")
        lines += _xtd_ratios(r, report.get("xtd", {}), args.sizes)
        for what, key in (("first page", "page_anon_uncached"),
                          ("API first page, built", "api_page"),
                          ("API first page, from the version's cache", "api_page_cached")):
            a, b = r.get(f"{key}_{args.sizes[0]}"), r.get(f"{key}_{args.sizes[-1]}")
            if a and b and len(args.sizes) > 1:
                lines.append(f"- {what} {args.sizes[-1]} / {args.sizes[0]} comments:"
                             f" **{b['median_ms'] / a['median_ms']:.2f}×**")
        ng = report.get("nginx", {}).get("wrk_rps")
        if ng and r.get("wrk_cached_rps"):
            lines.append(f"- wrk cached page vs nginx static: {r['wrk_cached_rps']:.0f} /"
                         f" {ng:.0f} req/s = **{100 * r['wrk_cached_rps'] / ng:.1f}%**")
        lines.append("")
    lines += ["## Peers", "", f"- Isso: `{json.dumps(iso, default=str)}`",
              f"- nginx: `{json.dumps(report.get('nginx'), default=str)}`",
              f"- django-comments-xtd: `{json.dumps(report.get('xtd'), default=str)}`", ""]
    RESULTS.mkdir(exist_ok=True)
    out = RESULTS / f"bench-{time.strftime('%Y%m%d-%H%M%S')}.md"
    out.write_text("\n".join(lines))
    (RESULTS / f"{out.stem}.json").write_text(json.dumps(report, indent=1, default=str))
    return out


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--dbs", default="sqlite,postgres")
    parser.add_argument("--sizes", default="1000,10000")
    parser.add_argument("--requests", type=int, default=50)
    parser.add_argument("--variant", default="current", choices=["current", "head"],
                        help="head: serve the committed source (bench/.work/head/src)")
    parser.add_argument("--no-peers", action="store_true")
    args = parser.parse_args()
    args.dbs = [d for d in args.dbs.split(",") if d]
    args.sizes = [int(s) for s in args.sizes.split(",") if s]
    report: dict = {"machine": machine(), "variant": args.variant}
    partial = WORK / "partial-report.json"
    stages = [(db, lambda db=db: bench_veche(db, args.sizes, args.requests, report, args.variant,
                                             with_isso=not args.no_peers))
              for db in args.dbs]
    if not args.no_peers:
        stages += [("isso", lambda: bench_isso(args.sizes, args.requests, report)),
                   ("xtd", lambda: bench_xtd(args.sizes, args.requests, report)),
                   ("nginx", lambda: bench_nginx(report))]
    for name, stage in stages:
        try:
            stage()
        except Exception as exc:  # one failed stage must not lose the others' figures
            report.setdefault(name, {})["error"] = f"{type(exc).__name__}: {exc}"
        partial.write_text(json.dumps(report, indent=1, default=str))
    out = write_report(report, args)
    print(out)
    print(out.read_text())


if __name__ == "__main__":
    main()
