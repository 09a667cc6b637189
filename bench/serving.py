"""One `veche serve` of some version of the code on a fresh database, for the bench
scripts that time posting (compare_posts.py, post_cpu.py): PostgreSQL with Redis as
run.py deploys it, or SQLite; run.py's bench settings; the bench's posting thread."""

from __future__ import annotations

import contextlib
import json
import os
import shutil
from collections.abc import Iterator
from pathlib import Path

from run import (
    PY,
    REDIS_URL,
    WORK,
    Server,
    create_pg_database,
    drop_pg_database,
    drop_redis_keys,
    env_for,
    free_port,
    script,
    veche,
)

HERE = Path(__file__).resolve().parent


@contextlib.contextmanager
def serving(code: str, label: str, *, db: str = "postgres", classifier: str = "on",
            server: str = "granian") -> Iterator[tuple[int, int]]:
    """A running server of `code` ("current" or an older src directory) on a fresh
    database of its own (and Redis prefix, on PostgreSQL), dropped afterwards; yields
    (port, the posting thread's id). classifier "off" is run.py's light run
    (VECHE_CLASSIFIER=0: no scorer, the light checks only)."""
    var = WORK / f"serving-{os.getpid()}-{label}"
    shutil.rmtree(var, ignore_errors=True)
    var.mkdir(parents=True)
    pg_name = f"veche_serving_{os.getpid()}_{label}" if db == "postgres" else None
    url = create_pg_database(pg_name) if pg_name else f"sqlite:///{var / 'posts.sqlite3'}"
    prefix = f"veche-serving-{os.getpid()}-{label}"
    extra = {"REDIS_URL": REDIS_URL, "VECHE_REDIS_PREFIX": prefix} if pg_name else {}
    if classifier == "off":
        extra["VECHE_CLASSIFIER"] = "0"
    path = str(HERE) if code == "current" else f"{code}{os.pathsep}{HERE}"
    env = env_for(var, url, PYTHONPATH=path, VECHE_SERVER=server, **extra)
    try:
        veche(env, "migrate", "--noinput", "-v0")
        veche(env, "collectstatic", "--noinput", "-v0")
        thread_id = json.loads(script(env, "setup_bench.py").strip().splitlines()[-1])[
            "bench-post"]
        port = free_port()
        running = Server(
            [PY, "-m", "veche.cli", "serve", "--port", str(port), "--workers", "2",
             "--threads", "4", "--no-collectstatic"],
            env, port, var / "serve.log", "/health",
        )
        try:
            yield port, thread_id
        finally:
            running.stop()
    finally:
        if pg_name:
            drop_pg_database(pg_name)
            drop_redis_keys(prefix)
        shutil.rmtree(var, ignore_errors=True)
