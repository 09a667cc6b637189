"""``veche serve``: the production HTTP server.

Granian (a Rust HTTP server running the WSGI application in worker processes, each with
a pool of Python threads) by default; ``--server gunicorn`` (or VECHE_SERVER=gunicorn)
runs gunicorn with gthread workers instead. Measured on the cached article page (wrk,
2 workers x 4 threads, 2 cores): granian served about 1.5 times what gunicorn did, whose
own HTTP handling in Python was most of a cached hit's cost.

Static files are served by WhiteNoise from STATIC_ROOT; when the collected files (or
WhiteNoise's manifest) are missing, ``collectstatic --noinput`` runs first.

Unless told not to, it also runs the two background processes a site needs, so one
command serves a whole small site: the abuse classifier's scorer (the model stays out of
the web workers' memory) and the database job worker (re-checks of unscored comments).
Bigger sites run those as their own services and pass --no-background.
"""

from __future__ import annotations

import atexit
import contextlib
import ctypes
import os
import signal
import subprocess
import sys
from typing import Any

from django.conf import settings
from django.contrib.staticfiles.storage import staticfiles_storage
from django.core.management import call_command
from django.core.management.base import BaseCommand, CommandError
from django.db import connections


def default_workers() -> int:
    value = os.environ.get("VECHE_WORKERS", "").strip()
    return int(value) if value else 2


def static_files_missing() -> bool:
    root = settings.STATIC_ROOT
    if not root or not os.path.isdir(root):
        return True
    manifest_name = getattr(staticfiles_storage, "manifest_name", None)
    if manifest_name:  # ManifestStaticFilesStorage and WhiteNoise's subclass
        return not os.path.exists(os.path.join(root, manifest_name))
    return not any(os.scandir(root))


GRACEFUL_TIMEOUT = 20  # seconds requests in flight get on shutdown
BACKGROUND_COMMANDS = (["scorer"], ["db_worker", "--no-startup-delay"])


def _die_with_parent() -> None:
    """Linux: the child gets SIGTERM when `veche serve` dies, even by SIGKILL."""
    with contextlib.suppress(OSError):
        ctypes.CDLL("libc.so.6", use_errno=True).prctl(1, signal.SIGTERM)  # PR_SET_PDEATHSIG


def background_commands() -> list[list[str]]:
    """The scorer only when the classifier is on (VECHE_CLASSIFIER=0: light checks only)."""
    classifier_on = os.environ.get("VECHE_CLASSIFIER", "1").strip().lower() not in {
        "0", "false", "no", "off"}
    return [list(c) for c in BACKGROUND_COMMANDS if classifier_on or c[0] != "scorer"]


def start_background() -> list[subprocess.Popen]:
    children = [
        subprocess.Popen(  # noqa: S603 - our own interpreter and command
            [sys.executable, "-m", "veche.cli", *command], preexec_fn=_die_with_parent
        )
        for command in background_commands()
    ]

    def stop() -> None:
        for child in children:
            if child.poll() is None:
                child.terminate()
        for child in children:
            try:
                child.wait(timeout=10)
            except subprocess.TimeoutExpired:
                child.kill()

    atexit.register(stop)
    return children


def display_host(host: str) -> str:
    return f"[{host}]" if ":" in host and not host.startswith("[") else host


SERVERS = ("granian", "gunicorn")


def default_server() -> str:
    value = os.environ.get("VECHE_SERVER", "").strip().lower()
    return value or "granian"


def make_granian(
    host: str, port: int, workers: int, threads: int, graceful_timeout: int
):  # -> granian.server.Server
    """A granian server for veche.config.wsgi (WSGI interface, no preloading)."""
    from granian.constants import Interfaces
    from granian.server import Server

    return Server(
        "veche.config.wsgi:application",
        address=host,
        port=port,
        interface=Interfaces.WSGI,
        websockets=False,
        workers=workers,
        blocking_threads=threads,
        backlog=2048,
        log_access=True,
        workers_kill_timeout=graceful_timeout,
    )


def make_application(options: dict[str, Any]):
    """A gunicorn application for veche.config.wsgi, configured from ``options``."""
    from gunicorn.app.base import BaseApplication

    class VecheServer(BaseApplication):
        def load_config(self) -> None:
            for key, value in options.items():
                self.cfg.set(key, value)

        def load(self):
            from veche.config.wsgi import application

            return application

    return VecheServer(prog="veche serve")


class Command(BaseCommand):
    help = "Serve Veche over HTTP (granian or gunicorn) with WhiteNoise for static files."
    requires_system_checks = []  # checked below, once, before forking

    def add_arguments(self, parser) -> None:
        parser.add_argument("--host", default="127.0.0.1")
        parser.add_argument("--port", type=int, default=8000)
        parser.add_argument(
            "--workers",
            type=int,
            default=None,
            help="worker processes (default: $VECHE_WORKERS or 2)",
        )
        parser.add_argument("--threads", type=int, default=4, help="threads per worker")
        parser.add_argument(
            "--server",
            choices=SERVERS,
            default=default_server(),
            help="HTTP server (default: $VECHE_SERVER or granian)",
        )
        parser.add_argument(
            "--timeout", type=int, default=30, help="gunicorn's worker timeout, seconds"
        )
        parser.add_argument(
            "--no-background",
            action="store_true",
            default=os.environ.get("VECHE_SERVE_BACKGROUND", "1") == "0",
            help="do not start the classifier scorer and the job worker "
            "(also: VECHE_SERVE_BACKGROUND=0)",
        )
        parser.add_argument(
            "--no-collectstatic",
            action="store_true",
            help="do not run collectstatic even when the static files are missing",
        )

    def handle(self, *args, **opts) -> None:
        workers = opts["workers"] or default_workers()
        if workers < 1 or opts["threads"] < 1:
            raise CommandError("--workers and --threads must be at least 1")
        self.check()
        if not opts["no_collectstatic"] and static_files_missing():
            self.stdout.write("Static files are not collected yet: running collectstatic.")
            call_command("collectstatic", interactive=False, verbosity=0)
        # Workers are forked without preloading; none must inherit a connection.
        connections.close_all()
        if not opts["no_background"]:
            started = start_background()
            names = " and ".join(" ".join(p.args[3:4]) for p in started)
            self.stdout.write(f"Started the background processes: {names}.")

        host, port = opts["host"], opts["port"]
        url = f"http://{display_host(host)}:{port}/"
        stdout = self.stdout

        def on_ready(_server: Any = None) -> None:  # gunicorn passes its arbiter
            stdout.write(
                f"Veche is serving at {url} ({workers} workers x {opts['threads']} threads, "
                f"{opts['server']}; Ctrl-C stops it)"
            )
            stdout.flush()

        if opts["server"] == "granian":
            # The socket is bound before the startup hooks run: requests wait for the
            # workers in the backlog. SIGTERM/SIGINT let requests in flight finish.
            server = make_granian(host, port, workers, opts["threads"], GRACEFUL_TIMEOUT)
            server.on_startup(on_ready)
            server.serve()
            return
        server = make_application(
            {
                "bind": f"{display_host(host)}:{port}",
                "workers": workers,
                "worker_class": "gthread",
                "threads": opts["threads"],
                "timeout": opts["timeout"],
                "graceful_timeout": GRACEFUL_TIMEOUT,
                "keepalive": 5,
                "preload_app": False,
                "accesslog": "-",
                "errorlog": "-",
                "loglevel": "info",
                "proc_name": "veche",
                "control_socket_disable": True,
                "when_ready": on_ready,
            }
        )
        server.run()
