"""Posting over HTTP only, old code beside new: `veche serve --workers 2 --threads 4`
on a fresh database per run (PostgreSQL with Redis, as run.py deploys it; --no-redis
without), run.py's post_many (signed-in sessions, CSRF, realistic
bodies, database checked after every run: rows == acknowledged, distinct == rows).

    .venv/bin/python bench/post_http.py --dbs sqlite,postgres --code /tmp/head-post/src,current

Per run: 200 sequential posts with the classifier (scorer started by `veche serve`)
after --warmup posts (5; `--warmup 0,20` runs each, to see what a warm-up changes),
16 × 10 and 64 × 10 concurrent, then 200 sequential with the classifier off. Prints a
JSON line per run. Its own directory under bench/.work/, loopback only, bounded.
"""

from __future__ import annotations

import argparse
import json
import os
import shutil
import sys
from pathlib import Path

HERE = Path(__file__).resolve().parent
sys.path.insert(0, str(HERE))

from run import (  # noqa: E402
    PY,
    REDIS_URL,
    WORK,
    Server,
    create_pg_database,
    drop_pg_database,
    drop_redis_keys,
    env_for,
    free_port,
    post_many,
    script,
    veche,
)


def one_run(db: str, code: str, label: str, seq: int, per_client: int,
            conn_max_age: int | None = None, server: str = "gunicorn",
            redis: bool = True, warmup: int = 5) -> dict:
    var = WORK / f"post-http-{os.getpid()}-{label}-{db}"
    shutil.rmtree(var, ignore_errors=True)
    var.mkdir(parents=True)
    pg_name = None
    if db == "sqlite":
        url = f"sqlite:///{var / 'post.sqlite3'}"
    else:
        pg_name = f"veche_posthttp_{os.getpid()}_{label}"
        url = create_pg_database(pg_name)
    # The classifier switch as a setting, so older code obeys it too.
    extra = "" if conn_max_age is None else (
        f"DATABASES['default']['CONN_MAX_AGE'] = {conn_max_age}\n")
    for name, on in (("post_http_on", True), ("post_http_off", False)):
        (var / f"{name}.py").write_text(
            f"from bench_settings import *  # noqa: F403\nVECHE_CLASSIFIER_ENABLED = {on}\n"
            + extra)
    # As run.py deploys it: PostgreSQL with Redis (cache, sessions, the page-cache clock),
    # under a key prefix of this run's own, deleted afterwards.
    prefix = f"veche-posthttp-{os.getpid()}-{label}"
    with_redis = {"REDIS_URL": REDIS_URL, "VECHE_REDIS_PREFIX": prefix} if (
        pg_name and redis) else {}
    # The same HTTP server for every code version (older code knows only gunicorn).
    env = env_for(var, url, PYTHONPATH=f"{HERE}{os.pathsep}{var}", VECHE_SERVER=server,
                  **with_redis)
    out: dict = {"db": db, "code": code, "server": server, "redis": bool(with_redis)}
    try:
        veche(env, "migrate", "--noinput", "-v0")
        veche(env, "collectstatic", "--noinput", "-v0")
        thread_id = json.loads(script(env, "setup_bench.py").strip().splitlines()[-1])[
            "bench-post"]
        served = f"{code}{os.pathsep}{HERE}{os.pathsep}{var}" if code != "current" else (
            f"{HERE}{os.pathsep}{var}")
        for classifier in ("on", "off"):
            port = free_port()
            server_env = {**env, "PYTHONPATH": served,
                          "DJANGO_SETTINGS_MODULE": f"post_http_{classifier}"}
            server = Server(
                [PY, "-m", "veche.cli", "serve", "--port", str(port), "--workers", "2",
                 "--threads", "4", "--no-collectstatic"],
                server_env, port, var / f"serve-{classifier}.log", "/health",
            )
            try:
                out[f"seq_{classifier}"] = post_many(port, thread_id, 1, seq, f"seq{classifier}",
                                                     env, warmup=warmup)
                if classifier == "on":
                    for clients in (16, 64):
                        out[f"c{clients}"] = post_many(port, thread_id, clients, per_client,
                                                       f"c{clients}", env)
            finally:
                server.stop()
    finally:
        if pg_name:
            drop_pg_database(pg_name)
        if with_redis:
            drop_redis_keys(prefix)
        shutil.rmtree(var, ignore_errors=True)
    return out


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--dbs", default="sqlite,postgres")
    parser.add_argument("--code", default="current",
                        help="comma-separated: 'current' or a src directory (older code)")
    parser.add_argument("--rounds", type=int, default=1)
    parser.add_argument("--seq", type=int, default=200)
    parser.add_argument("--per-client", type=int, default=10)
    parser.add_argument("--server", default="gunicorn", choices=["gunicorn", "granian"],
                        help="VECHE_SERVER for `veche serve` (older code: gunicorn only)")
    parser.add_argument("--conn-max-age", type=int, default=None,
                        help="override the database CONN_MAX_AGE of every code version")
    parser.add_argument("--no-redis", action="store_true",
                        help="PostgreSQL without Redis (run.py deploys it with Redis)")
    parser.add_argument("--warmup", default="5",
                        help="posts before each sequential run's clock starts; several"
                             " (comma-separated, e.g. 0,20) run one after the other")
    args = parser.parse_args()
    for round_ in range(args.rounds):
        for db in [d for d in args.dbs.split(",") if d]:
            runs = [(code, int(warmup)) for code in args.code.split(",") if code
                    for warmup in args.warmup.split(",")]
            for i, (code, warmup) in enumerate(runs):
                result = one_run(db, code, f"{round_}{i}", args.seq, args.per_client,
                                 args.conn_max_age, args.server, not args.no_redis, warmup)
                brief = {k: (round(v["per_second"], 1), v["statuses"])
                         for k, v in result.items() if isinstance(v, dict)}
                print(json.dumps({"round": round_, "db": db, "code": code, "warmup": warmup,
                                  "server": args.server, "redis": result["redis"], **brief}),
                      flush=True)
                print(json.dumps(result, default=str), file=sys.stderr, flush=True)


if __name__ == "__main__":
    main()
