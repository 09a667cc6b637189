"""``veche serve``: granian (or gunicorn with gthread workers), WhiteNoise for static files."""

from __future__ import annotations

import json
import os
import socket
import subprocess
import sys
import time
import urllib.request
from pathlib import Path

import pytest

from tests.core.processes import stop
from veche.core.management.commands import serve

# Not passed to the server: its settings come from this test alone.
SCRUBBED = {"DATABASE_URL", "REDIS_URL", "DJANGO_SETTINGS_MODULE", "DJANGO_ALLOW_ASYNC_UNSAFE",
            "VECHE_TESTING"}


def free_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return sock.getsockname()[1]


def test_default_workers_come_from_the_environment(monkeypatch):
    monkeypatch.delenv("VECHE_WORKERS", raising=False)
    assert serve.default_workers() == 2
    monkeypatch.setenv("VECHE_WORKERS", "5")
    assert serve.default_workers() == 5


def test_ipv6_hosts_are_bracketed():
    assert serve.display_host("::1") == "[::1]"
    assert serve.display_host("127.0.0.1") == "127.0.0.1"


def test_gunicorn_configuration():
    app = serve.make_application(
        {"bind": "127.0.0.1:0", "workers": 3, "worker_class": "gthread", "threads": 4,
         "preload_app": False}
    )
    assert app.cfg.workers == 3
    assert app.cfg.threads == 4
    assert app.cfg.preload_app is False
    assert app.cfg.worker_class_str == "gthread"


def test_granian_configuration():
    server = serve.make_granian("127.0.0.1", 0, workers=3, threads=4, graceful_timeout=20)
    assert server.workers == 3
    assert server.blocking_threads == 4
    assert server.interface.value == "wsgi"
    assert server.target == "veche.config.wsgi:application"


def test_the_server_comes_from_the_environment(monkeypatch):
    monkeypatch.delenv("VECHE_SERVER", raising=False)
    assert serve.default_server() == "granian"
    monkeypatch.setenv("VECHE_SERVER", "Gunicorn")
    assert serve.default_server() == "gunicorn"


@pytest.mark.parametrize("server", serve.SERVERS)
def test_serve_answers_health_and_static_files(tmp_path: Path, server: str):
    """Migrate a fresh SQLite database, start ``veche serve``, fetch /health and CSS;
    SIGTERM stops it cleanly."""
    env = {
        key: value
        for key, value in os.environ.items()
        if key not in SCRUBBED
    }
    env.update(
        VECHE_VAR_DIR=str(tmp_path / "var"),
        DATABASE_URL=f"sqlite:///{tmp_path / 'serve.sqlite3'}",
        VECHE_DEBUG="0",
        PYTHONUNBUFFERED="1",
    )
    cli = [sys.executable, "-m", "veche.cli"]
    subprocess.run(  # noqa: S603 - our own argv
        [*cli, "migrate", "--noinput", "-v0"], env=env, cwd=tmp_path, check=True, timeout=120
    )
    port = free_port()
    log = tmp_path / "serve.log"
    with log.open("w") as out:
        process = subprocess.Popen(  # noqa: S603 - our own argv
            [*cli, "serve", "--port", str(port), "--workers", "1", "--threads", "2",
             "--server", server],
            env=env, cwd=tmp_path, stdout=out, stderr=subprocess.STDOUT,
        )
    try:
        base = f"http://127.0.0.1:{port}"
        deadline = time.monotonic() + 60
        while True:
            try:
                with urllib.request.urlopen(base + "/health", timeout=5) as response:  # noqa: S310
                    health = json.load(response)
                break
            except OSError:
                if process.poll() is not None or time.monotonic() > deadline:
                    raise AssertionError(log.read_text()) from None
                time.sleep(0.3)
        assert health["status"] == "ok"
        manifest = json.loads((tmp_path / "var" / "static" / "staticfiles.json").read_text())
        hashed = manifest["paths"]["admin/css/base.css"]
        with urllib.request.urlopen(f"{base}/static/{hashed}", timeout=5) as response:  # noqa: S310
            assert response.status == 200
            assert "immutable" in response.headers["Cache-Control"]
        assert f"Veche is serving at http://127.0.0.1:{port}/" in log.read_text()
        assert f"{server};" in log.read_text()
    finally:
        stop(process)
    assert process.returncode == 0, log.read_text()


def test_serve_starts_no_scorer_when_the_classifier_is_off(monkeypatch):
    from veche.core.management.commands.serve import background_commands

    monkeypatch.setenv("VECHE_CLASSIFIER", "1")
    assert [c[0] for c in background_commands()] == ["scorer", "db_worker"]
    monkeypatch.setenv("VECHE_CLASSIFIER", "0")
    assert [c[0] for c in background_commands()] == ["db_worker"]
