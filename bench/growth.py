"""Growth benchmark: does a thread's page cost the same in a big database?

On a fresh PostgreSQL database (veche_growth_<pid>, dropped at the end unless --keep):

1. a probe article with a 1,000-comment discussion (through the actions), VACUUM ANALYZE;
   `veche serve --workers 2 --threads 4 --no-background` with VECHE_PAGE_CACHE=0; times
   the anonymous article page, the API page /api/v1/threads/<id>/comments and the whole
   thread /t/<id>/comments.json, and EXPLAINs the queries behind them;
2. grows the database in bulk (bench/generate.py --grow-*: articles as save_article
   makes them, skewed discussions) within --budget seconds, VACUUM ANALYZE;
3. the same measurements and EXPLAINs again; reports big/small ratios in bench/results/.

    .venv/bin/python bench/growth.py --articles 100000 --comments 1000000

Loopback only; every request loop is bounded in count and time (bench/run.py).
"""

from __future__ import annotations

import argparse
import itertools
import json
import os
import re
import shutil
import subprocess
import sys
import time
from pathlib import Path

HERE = Path(__file__).resolve().parent
sys.path.insert(0, str(HERE))

from run import (  # noqa: E402 - bench/ is not a package
    PG_ADMIN,
    PY,
    RESULTS,
    ROOT,
    WORK,
    Server,
    env_for,
    free_port,
    timed_gets,
    veche,
)

PROBE_SLUG = "growth-probe"
BIG_TABLES = ("discussion_comment", "discussion_thread", "discussion_vote", "newsroom_article")


def psql(url: str, sql: str, timeout: int = 3600) -> str:
    out = subprocess.run(  # noqa: S603
        ["psql", url, "-v", "ON_ERROR_STOP=1", "-Atqc", sql],  # noqa: S607
        check=True, capture_output=True, text=True, timeout=timeout,
    )
    return out.stdout.strip()


def disk() -> str:
    out = subprocess.run(["df", "-h", str(ROOT)], capture_output=True, text=True)  # noqa: S603, S607
    return out.stdout.strip().splitlines()[-1]


def paths(thread_id: int) -> dict[str, str]:
    return {
        "article_page": f"/articles/{PROBE_SLUG}/",
        "api_page": f"/api/v1/threads/{thread_id}/comments",
        "whole_thread_json": f"/t/{thread_id}/comments.json",
    }


def measure(env: dict, thread_id: int, requests: int, rounds: int, label: str) -> dict:
    """Median / p99 per URL: `rounds` rounds of `requests` GETs each, URLs interleaved
    round by round so a burst of load from elsewhere hits all of them alike."""
    port = free_port()
    server = Server(
        [PY, "-m", "veche.cli", "serve", "--port", str(port), "--workers", "2",
         "--threads", "4", "--no-background", "--no-collectstatic"],
        {**env, "VECHE_PAGE_CACHE": "0"}, port, WORK / "growth" / f"serve-{label}.log",
        "/health",
    )
    samples: dict[str, list[dict]] = {}
    try:
        for _ in range(rounds):
            for name, path in paths(thread_id).items():
                samples.setdefault(name, []).append(timed_gets(port, path, requests))
    finally:
        server.stop()
    result = {}
    for name, runs in samples.items():
        medians = sorted(r["median_ms"] for r in runs)
        result[name] = {
            "median_ms": medians[len(medians) // 2],
            "p99_ms": max(r["p99_ms"] for r in runs),
            "round_medians_ms": [round(m, 1) for m in medians],
            "n": sum(r["n"] for r in runs), "bytes": runs[-1]["bytes"],
            "status": runs[-1]["status"],
        }
        if result[name]["status"] != 200:
            raise RuntimeError(f"{name}: HTTP {result[name]['status']}")
    return result


def explain(env: dict) -> list[dict]:
    out = subprocess.run(  # noqa: S603
        [PY, str(Path(__file__).resolve()), "--explain-probe"], env=env, cwd=ROOT, check=True,
        capture_output=True, text=True, timeout=600,
    ).stdout
    return json.loads(out.strip().splitlines()[-1])


def explain_probe() -> None:
    """(Run inside the benchmark's environment.) The SELECTs of the three requests, each
    with EXPLAIN ANALYZE; printed as JSON."""
    os.environ.setdefault("DJANGO_SETTINGS_MODULE", "veche.config.settings")
    import django

    django.setup()
    from django.core.cache import cache
    from django.db import connection
    from django.test import Client
    from django.test.utils import CaptureQueriesContext

    from veche.newsroom.models import Article

    thread_id = Article.objects.get(slug=PROBE_SLUG).thread_id
    client = Client(HTTP_HOST="127.0.0.1")
    found = []
    for (name, path), cold in itertools.product(paths(thread_id).items(), (True, False)):
        if cold:
            cache.clear()  # what a page costs when it is not cached (a new version)
        else:
            client.get(path)  # warm: caches filled as in the timed runs
        with CaptureQueriesContext(connection) as ctx:
            response = client.get(path)
            if response.streaming:
                b"".join(response.streaming_content)
        for query in ctx.captured_queries:
            # .iterator() reads through a server-side cursor: explain its SELECT.
            sql = re.sub(r"^DECLARE .*? CURSOR (WITH(OUT)? HOLD )?FOR ", "", query["sql"],
                         flags=re.DOTALL)
            if not sql.lstrip().upper().startswith("SELECT"):
                continue
            with connection.cursor() as cursor:
                cursor.execute("EXPLAIN (ANALYZE, BUFFERS) " + sql)
                plan = "\n".join(row[0] for row in cursor.fetchall())
            took = re.search(r"Execution Time: ([\d.]+) ms", plan)
            found.append({
                "request": f"{name} ({'cold' if cold else 'warm'})", "sql": sql, "plan": plan,
                "ms": float(took.group(1)) if took else None,
                "seq_scans": sorted(set(re.findall(r"Seq Scan on (\w+)", plan))),
            })
    print(json.dumps(found))


def grow(env: dict, args: argparse.Namespace) -> dict:
    argv = [PY, str(HERE / "generate.py"), "--grow-articles", str(args.articles),
            "--grow-comments", str(args.comments), "--seed", str(args.seed),
            "--budget", str(args.budget)]
    if not args.fresh_authors:
        # The probe's 300 readers write the million comments too, as on a real site where
        # the same people comment everywhere: their histories grow with the database.
        argv += ["--author-seed", str(args.probe_comments)]
    # stderr (the progress bar) goes to the terminal; stdout is the summary.
    out = subprocess.run(argv, env=env, cwd=ROOT, check=True, stdout=subprocess.PIPE,  # noqa: S603
                         text=True, timeout=args.budget + 900)
    return json.loads(out.stdout.strip().splitlines()[-1])


def sizes(url: str) -> dict:
    listed = ", ".join(f"'{t}'" for t in BIG_TABLES)
    rows = psql(url, "SELECT relname, n_live_tup FROM pg_stat_user_tables"  # noqa: S608
                f" WHERE relname IN ({listed})")
    counts = dict(line.split("|") for line in rows.splitlines())
    return {"rows": {k: int(v) for k, v in counts.items()},
            "database": psql(url, "SELECT pg_size_pretty(pg_database_size(current_database()))")}


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--articles", type=int, default=100_000)
    parser.add_argument("--comments", type=int, default=1_000_000)
    parser.add_argument("--probe-comments", type=int, default=1000)
    parser.add_argument("--seed", type=int, default=1)
    parser.add_argument("--requests", type=int, default=20, help="GETs per URL per round")
    parser.add_argument("--rounds", type=int, default=3)
    parser.add_argument("--budget", type=float, default=2400, help="seconds for the growth")
    parser.add_argument("--fresh-authors", action="store_true",
                        help="the growth's comments by 300 other accounts, not the probe's")
    parser.add_argument("--keep", action="store_true", help="keep the database")
    parser.add_argument("--explain-probe", action="store_true", help=argparse.SUPPRESS)
    args = parser.parse_args()
    if args.explain_probe:
        explain_probe()
        return

    name = f"veche_growth_{os.getpid()}"
    url = f"postgresql://postgres@127.0.0.1:5432/{name}"
    var = WORK / "growth"
    shutil.rmtree(var, ignore_errors=True)
    var.mkdir(parents=True)
    # Others may edit src/ while this runs: both measurements serve one snapshot of it.
    shutil.copytree(ROOT / "src" / "veche", var / "src" / "veche",
                    ignore=shutil.ignore_patterns("__pycache__"))
    env = env_for(var, url, PYTHONPATH=f"{var / 'src'}:{HERE}")
    report: dict = {"command": " ".join([".venv/bin/python", "bench/growth.py", *sys.argv[1:]]),
                    "date": time.strftime("%Y-%m-%d %H:%M:%S %Z"), "database": name,
                    "disk_before": disk()}
    psql(PG_ADMIN, f"CREATE DATABASE {name}")
    try:
        print(f"database {name}", flush=True)
        veche(env, "migrate", "--noinput", "-v0")
        veche(env, "collectstatic", "--noinput", "-v0")
        t0 = time.perf_counter()
        subprocess.run(  # noqa: S603
            [PY, str(HERE / "generate.py"), "--comments", str(args.probe_comments),
             "--seed", str(args.probe_comments), "--slug", PROBE_SLUG],
            env=env, cwd=ROOT, check=True, timeout=1800,
        )
        report["probe_seconds"] = time.perf_counter() - t0
        thread_id = int(psql(url, "SELECT thread_id FROM newsroom_article"  # noqa: S608
                                  f" WHERE slug = '{PROBE_SLUG}'"))
        psql(url, "VACUUM ANALYZE")
        report["small_sizes"] = sizes(url)
        print("measuring the small database", flush=True)
        report["small"] = measure(env, thread_id, args.requests, args.rounds, "small")
        report["small_explain"] = explain(env)

        print(f"growing: {args.articles} articles, {args.comments} comments, "
              f"budget {args.budget:.0f} s", flush=True)
        t0 = time.perf_counter()
        report["growth"] = grow(env, args)
        t1 = time.perf_counter()
        psql(url, "VACUUM ANALYZE")
        report["growth"]["vacuum_analyze_seconds"] = time.perf_counter() - t1
        report["growth"]["wall_seconds"] = time.perf_counter() - t0
        report["big_sizes"] = sizes(url)
        report["disk_grown"] = disk()
        print("measuring the big database", flush=True)
        report["big"] = measure(env, thread_id, args.requests, args.rounds, "big")
        report["big_explain"] = explain(env)
    finally:
        if not args.keep:
            psql(PG_ADMIN, f"DROP DATABASE IF EXISTS {name}")
        report["disk_after"] = disk()
    out = write_report(report)
    print(out)
    print(out.read_text())


def write_report(report: dict) -> Path:
    g = report["growth"]
    lines = [
        "# Veche growth benchmark", "", f"Command: `{report['command']}`",
        f"Date: {report['date']}", "",
        f"- probe thread generated through the actions in {report['probe_seconds']:.1f} s",
        f"- growth (bulk): {g['articles']} articles, {g['comments']} comments in"
        f" {g['seconds']:.0f} s (complete: {g['complete']}; biggest thread"
        f" {g['max_comments']}); VACUUM ANALYZE {g['vacuum_analyze_seconds']:.0f} s",
        f"- small database: {report['small_sizes']}",
        f"- big database: {report['big_sizes']}",
        f"- disk: before `{report['disk_before']}`, grown `{report['disk_grown']}`,"
        f" after `{report['disk_after']}`",
        "", "`veche serve --workers 2 --threads 4 --no-background`, VECHE_PAGE_CACHE=0;"
        " median of the per-round medians / worst p99, anonymous, one keep-alive"
        " connection.", "",
        "| request | small | big | big / small |", "|---|---|---|---|",
    ]
    for name, small in report["small"].items():
        big = report["big"][name]
        lines.append(
            f"| {name} | {small['median_ms']:.1f} / {small['p99_ms']:.1f} ms"
            f" ({small['bytes'] // 1024} KiB) | {big['median_ms']:.1f} / {big['p99_ms']:.1f} ms"
            f" ({big['bytes'] // 1024} KiB) | **{big['median_ms'] / small['median_ms']:.2f}×** |"
        )
    lines += ["", "## Queries (EXPLAIN ANALYZE execution time, small → big)", "",
              "| request | query | small ms | big ms | seq scans (big) |", "|---|---|---|---|---|"]
    small_q, big_q = report["small_explain"], report["big_explain"]
    for big in big_q:
        # The same request's queries in the same order: match them by position.
        mine = [q for q in big_q if q["request"] == big["request"]]
        peers = [q for q in small_q if q["request"] == big["request"]]
        i = mine.index(big)
        small = peers[i] if i < len(peers) and peers[i]["sql"][:60] == big["sql"][:60] else {}
        sql = re.sub(r"\s+", " ", big["sql"])[:110].replace("|", "\\|")
        lines.append(f"| {big['request']} | `{sql}…` | {small.get('ms')} | {big['ms']} |"
                     f" {', '.join(big['seq_scans']) or '—'} |")
    lines += ["", "## Plans on the big database", ""]
    for big in big_q:
        lines += [f"### {big['request']}", "", "```sql", big["sql"], "```", "", "```",
                  big["plan"], "```", ""]
    RESULTS.mkdir(exist_ok=True)
    out = RESULTS / f"growth-{time.strftime('%Y%m%d-%H%M%S')}.md"
    out.write_text("\n".join(lines))
    (RESULTS / f"{out.stem}.json").write_text(json.dumps(report, indent=1, default=str))
    return out


if __name__ == "__main__":
    main()
