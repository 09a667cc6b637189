"""Time posting in-process: Django's test client posts comments to one thread, signed in,
through the whole middleware stack and every moderation check; prints ms per post
(median / p99), SQL queries per post and, with --queries, the list for one post.

    .venv/bin/python bench/post_timing.py --posts 200 [--classifier on|off] [--queries]
        [--db postgres [--redis]] [--profile 40 --sort tottime]
    PYTHONPATH=/tmp/head-post/src .venv/bin/python bench/post_timing.py   # older code

Uses a throwaway SQLite file (or --db postgres: a throwaway PostgreSQL database on
127.0.0.1) and bench_settings (rate limits lifted). With --classifier on it starts a
scorer process on a socket in the temporary directory. Bounded in count and in time.
"""

from __future__ import annotations

import argparse
import cProfile
import json
import os
import pstats
import shutil
import statistics
import subprocess
import sys
import tempfile
import time
from pathlib import Path

HERE = Path(__file__).resolve().parent
DEADLINE = 300  # seconds for the timed loop


def bodies(n: int) -> list[str]:
    """Varied, realistic bodies (run.py's), each unique."""
    sys.path.insert(0, str(HERE))
    from run import comment_text

    return [comment_text("timing", 0, i) for i in range(n)]


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--posts", type=int, default=200)
    parser.add_argument("--warmup", type=int, default=10)
    parser.add_argument("--db", choices=["sqlite", "postgres"], default="sqlite")
    parser.add_argument("--classifier", choices=["on", "off"], default="off")
    parser.add_argument("--queries", action="store_true", help="print one post's SQL")
    parser.add_argument("--full-sql", action="store_true", help="with --queries: whole SQL")
    parser.add_argument("--profile", type=int, default=0, help="cProfile: top N functions")
    parser.add_argument("--sort", default="cumulative", help="cProfile order (tottime, …)")
    parser.add_argument("--callees", default="",
                        help="with --profile: print the callees of functions matching this")
    parser.add_argument("--stages", action="store_true",
                        help="wall time of each stage of a post (median ms), no profiler")
    parser.add_argument("--json", action="store_true")
    parser.add_argument("--gc-freeze", action="store_true",
                        help="gc.freeze() after the warm-up, as a web worker does once loaded")
    parser.add_argument("--pg-cpu", type=int, default=0,
                        help="PostgreSQL: run each statement of one more post this many times"
                             " and print the server's CPU per run (the insert's token varied)")
    parser.add_argument("--extra-settings", default="",
                        help="Python lines (';' between) appended to the settings module")
    parser.add_argument("--explain", action="store_true",
                        help="PostgreSQL: EXPLAIN ANALYZE each statement of one more post"
                             " (rolled back)")
    parser.add_argument("--count-instructions", action="store_true",
                        help="run under valgrind's callgrind, counting the instructions of"
                             " this process in the timed posts only (steady where seconds"
                             " are not: the machine's load does not change the count)")
    parser.add_argument("--redis", action="store_true",
                        help="Redis for the cache and sessions (keys under a prefix of its own)")
    args = parser.parse_args()
    sys.path.insert(0, str(HERE))
    from callgrind import under_callgrind

    if args.count_instructions and not under_callgrind():
        count_instructions(args)
        return

    var = Path(tempfile.mkdtemp(prefix="veche-post-"))
    pg_name = None
    if args.db == "postgres":
        pg_name = f"veche_posttiming_{os.getpid()}"
        sys.path.insert(0, str(HERE))
        from run import create_pg_database

        db_url = create_pg_database(pg_name)
    else:
        db_url = f"sqlite:///{var / 'post.sqlite3'}"
    # A settings module of its own, so the same switch works on older code too.
    (var / "post_timing_settings.py").write_text(
        "from bench_settings import *  # noqa: F403\n"
        f"VECHE_CLASSIFIER_ENABLED = {args.classifier == 'on'}\n"
        f"VECHE_CLASSIFIER_SOCKET = {str(var / 'c.sock')!r}\n"
        # A loaded machine must not make the check skip the scorer.
        "VECHE_CLASSIFIER_TIMEOUT = 1.0\n"
        + args.extra_settings.replace(";", "\n") + "\n"
    )
    os.environ.update(
        VECHE_VAR_DIR=str(var), DATABASE_URL=db_url, VECHE_DEBUG="0",
        DJANGO_SETTINGS_MODULE="post_timing_settings",
        PYTHONPATH=os.pathsep.join([os.environ.get("PYTHONPATH", ""),
                                    str(HERE), str(var)]).strip(os.pathsep),
    )
    os.environ.pop("REDIS_URL", None)
    if args.redis:  # as PostgreSQL is deployed: cache, sessions and the change clock
        os.environ.update(REDIS_URL="redis://127.0.0.1:6379/0",
                          VECHE_REDIS_PREFIX=f"veche-posttiming-{os.getpid()}")
    sys.path[:0] = [str(HERE), str(var)]
    scorer = None
    try:
        import django

        django.setup()
        from django.core.management import call_command

        call_command("migrate", verbosity=0, interactive=False)
        if args.classifier == "on":
            scorer = subprocess.Popen(  # noqa: S603
                [sys.executable, "-m", "veche.cli", "scorer", "--socket", str(var / "c.sock"),
                 "--no-sweep"], stdout=subprocess.PIPE, text=True, env=os.environ.copy(),
            )
            scorer.stdout.readline()  # "listening on ..."
        out = run(args)
        out["code"] = str(Path(sys.modules["veche"].__file__).parent)
        out["db"], out["classifier"] = args.db, args.classifier
        print(json.dumps(out) if args.json else "\n".join(f"{k}: {v}" for k, v in out.items()))
    finally:
        if scorer is not None:
            scorer.terminate()
            scorer.wait(timeout=30)
        if args.redis:
            from run import drop_redis_keys

            drop_redis_keys(os.environ["VECHE_REDIS_PREFIX"])
        if pg_name:
            from django.db import connections

            connections.close_all()
            from run import drop_pg_database

            drop_pg_database(pg_name)
        shutil.rmtree(var, ignore_errors=True)


def count_instructions(args: argparse.Namespace) -> None:
    """This command again under callgrind, instrumenting only the timed posts; prints
    the instructions a post of this process (the client and the whole server side in
    Python; the scorer, PostgreSQL and Redis are other processes)."""
    from callgrind import counted

    argv = [a for a in sys.argv[1:] if a != "--count-instructions"]
    total = counted(__file__, argv, timeout=DEADLINE * 4)
    print(f"instructions a post: {total / args.posts:,.0f}")


# The stages of a post, as functions to time where they are looked up (module, name).
STAGES = [
    ("veche.discussion.views", "post"),
    ("veche.discussion.actions", "post_comment"),
    ("veche.discussion.actions", "render_comment_markdown"),
    ("veche.discussion.actions", "may_need_facts"),
    ("veche.discussion.actions", "_posting_facts"),
    ("veche.discussion.hooks", "started_checks"),
    ("veche.discussion.actions", "_decide"),
    ("veche.discussion.actions", "do_create_comment"),
    ("veche.discussion.views", "CommentForm"),
    ("veche.discussion.views", "JsonResponse"),
    ("django.contrib.auth", "get_user"),
]


def time_stages() -> dict[str, list[float]]:
    """Wrap each stage in a timer (for the rest of the process); returns the samples."""
    import contextlib
    import importlib

    spent: dict[str, list[float]] = {}
    for module_name, name in STAGES:
        module = importlib.import_module(module_name)
        inner = getattr(module, name)
        label = f"{module_name}.{name}"

        def timed(*a, _inner=inner, _label=label, **kw):
            t0 = time.perf_counter()
            try:
                result = _inner(*a, **kw)
            finally:
                spent.setdefault(_label, []).append(time.perf_counter() - t0)
            if isinstance(result, contextlib.AbstractContextManager) and not hasattr(
                    result, "status_code"):
                return _TimedContext(result, spent.setdefault(_label + " (block)", []))
            return result

        setattr(module, name, timed)
    return spent


class _TimedContext:
    def __init__(self, inner, samples: list[float]) -> None:
        self.inner, self.samples = inner, samples

    def __enter__(self):
        self.t0 = time.perf_counter()
        return self.inner.__enter__()

    def __exit__(self, *exc):
        try:
            return self.inner.__exit__(*exc)
        finally:
            self.samples.append(time.perf_counter() - self.t0)


def explain(connection, post, i: int) -> None:
    """Each statement of post i, then EXPLAIN ANALYZE of each in a rolled-back
    transaction (the post itself stays)."""
    from django.db import transaction

    seen: list[tuple[str, tuple]] = []

    def record(execute, sql, params, many, context):
        seen.append((sql, params))
        return execute(sql, params, many, context)

    with connection.cursor() as cursor:
        cursor.execute("SELECT generic_plans, custom_plans, left(statement, 70)"
                       " FROM pg_prepared_statements ORDER BY 2 DESC, 1 DESC")
        print("prepared statements (generic plans, custom plans, statement):")
        for row in cursor.fetchall():
            print(" ", *row)
    with connection.execute_wrapper(record):
        post(i)
    for sql, params in seen:
        if "INSERT" in sql:  # its row exists now: the same values again break the
            # token's unique constraint
            params = [f"{p}-again" if p == f"t{i}" else p for p in params]
        with transaction.atomic(), connection.cursor() as cursor:
            # The plan the posts ran: their prepared statements run generic plans.
            cursor.execute("SET LOCAL plan_cache_mode = force_generic_plan")
            cursor.execute("EXPLAIN (ANALYZE, BUFFERS) " + sql, params)
            print("\n".join(row[0] for row in cursor.fetchall()))
            transaction.set_rollback(True)
        print()


def statement_cpu(connection, post, i: int, times: int) -> None:
    """The PostgreSQL backend's CPU (from /proc) per execution of each statement of
    post i, each run `times` times on this connection (a new token for each insert)."""
    seen: list[tuple[str, tuple]] = []

    def record(execute, sql, params, many, context):
        seen.append((sql, params))
        return execute(sql, params, many, context)

    with connection.execute_wrapper(record):
        post(i)
    with connection.cursor() as cursor:
        cursor.execute("SELECT pg_backend_pid()")
        pid = cursor.fetchone()[0]

    def ticks() -> int:
        fields = Path(f"/proc/{pid}/stat").read_text().rsplit(")", 1)[1].split()
        return int(fields[11]) + int(fields[12])

    tick = os.sysconf("SC_CLK_TCK")
    for sql, params in seen:
        started, wall = ticks(), time.perf_counter()
        with connection.cursor() as cursor:
            for n in range(times):
                values = [f"{p}-{n}" if p == f"t{i}" else p for p in params]
                cursor.execute(sql, values)
        cpu = (ticks() - started) / tick / times * 1e6
        took = (time.perf_counter() - wall) / times * 1e6
        print(f"  server CPU {cpu:6.0f} µs, wall {took:6.0f} µs a run  {sql[:70]}")


def run(args: argparse.Namespace) -> dict:
    from allauth.account.models import EmailAddress
    from django.db import connection
    from django.test import Client

    from veche.accounts.models import User
    from veche.discussion.actions import get_or_create_thread
    from veche.discussion.models import Comment

    user = User.objects.create_user("poster", "poster@example.org", "pw-Secret-123")
    EmailAddress.objects.create(user=user, email=user.email, verified=True, primary=True)
    thread = get_or_create_thread("bench:post-timing", title="Posting", url="/posting/")
    client = Client(HTTP_HOST="127.0.0.1")
    client.force_login(user)
    path = f"/t/{thread.pk}/post/"
    headers = {"HTTP_X_REQUESTED_WITH": "fetch", "HTTP_ACCEPT": "application/json"}
    texts = bodies(args.warmup + args.posts + 2)

    def post(i: int) -> int:
        data = {"body": texts[i], "client_token": f"t{i}"}
        return client.post(path, data, **headers).status_code

    statuses: dict[int, int] = {}
    for i in range(args.warmup):
        post(i)
    if args.gc_freeze:
        import gc

        gc.freeze()
    one: list[str] = []

    def record(execute, sql, params, many, context):
        one.append(sql)
        return execute(sql, params, many, context)

    # Not CaptureQueriesContext: request_started resets the connection's query log.
    with connection.execute_wrapper(record):
        status = post(args.warmup)
    statuses[status] = 1
    samples: list[float] = []
    profiler = cProfile.Profile() if args.profile else None
    # With --queries: the time of each statement of the timed posts, and of the commits
    # (which no execute wrapper sees), by the statement's first 60 characters.
    spent: dict[str, list[float]] = {}

    def timed(execute, sql, params, many, context):
        t0 = time.perf_counter()
        try:
            return execute(sql, params, many, context)
        finally:
            spent.setdefault(sql[:60], []).append(time.perf_counter() - t0)

    from django.db import connections

    wrapper_class = type(connections["default"])
    real_commit = wrapper_class._commit

    def timed_commit(self):
        t0 = time.perf_counter()
        try:
            return real_commit(self)
        finally:
            spent.setdefault("COMMIT", []).append(time.perf_counter() - t0)

    if args.queries:
        connection.execute_wrappers.append(timed)
        wrapper_class._commit = timed_commit
    stages = time_stages() if args.stages else {}
    deadline = time.monotonic() + DEADLINE
    from callgrind import instrument

    instrument(True)
    cpu_start = time.process_time()
    for i in range(args.warmup + 1, args.warmup + 1 + args.posts):
        t0 = time.perf_counter()
        if profiler:
            profiler.enable()
        status = post(i)
        if profiler:
            profiler.disable()
        samples.append(time.perf_counter() - t0)
        statuses[status] = statuses.get(status, 0) + 1
        if time.monotonic() > deadline:
            break
    # This process's own CPU (Python, client and server): steadier than wall time on a
    # shared machine, as it leaves out waiting for the database and the scorer.
    cpu_ms = (time.process_time() - cpu_start) * 1000 / max(1, len(samples))
    instrument(False)
    samples.sort()
    for name, times in stages.items():
        print(f"  {statistics.median(times) * 1000:7.3f} ms x{len(times):4d}  {name}")
    if args.queries:
        connection.execute_wrappers.remove(timed)
        wrapper_class._commit = real_commit
    if args.explain:
        explain(connection, post, args.warmup + args.posts + 1)
    if args.pg_cpu:
        statement_cpu(connection, post, args.warmup + args.posts + 1, args.pg_cpu)
    rows = Comment.objects.filter(thread=thread).count()
    if args.queries:
        for sql in one:
            print(sql if args.full_sql else sql[:400])
        print("per statement (median ms, count) over the timed posts:")
        for head, times in spent.items():
            print(f"  {statistics.median(times) * 1000:7.3f} ms x{len(times):4d}  {head}")
        total = sum(sum(times) for times in spent.values())
        print(f"SQL incl. commits: {total * 1000 / max(1, len(samples)):.2f} ms per post")
    if profiler:
        stats = pstats.Stats(profiler).sort_stats(args.sort)
        stats.print_stats(args.profile)
        if args.callees:
            stats.print_callees(args.callees)
        if os.environ.get("POST_TIMING_CALLERS"):
            stats.print_callers(os.environ["POST_TIMING_CALLERS"])
    return {
        "posts": len(samples),
        "median_ms": round(statistics.median(samples) * 1000, 2),
        "cpu_ms_per_post": round(cpu_ms, 2),
        "p99_ms": round(samples[min(len(samples) - 1, int(len(samples) * 0.99))] * 1000, 2),
        "queries_per_post": len(one),
        "statuses": statuses,
        "rows": rows,
    }


if __name__ == "__main__":
    main()
