"""``veche serve``: the production HTTP server (gunicorn, gthread workers).

Static files are served by WhiteNoise from STATIC_ROOT; when the collected files (or
WhiteNoise's manifest) are missing, ``collectstatic --noinput`` runs first.
"""

from __future__ import annotations

import os
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


def display_host(host: str) -> str:
    return f"[{host}]" if ":" in host and not host.startswith("[") else host


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
    help = "Serve Veche over HTTP with gunicorn (gthread workers) and WhiteNoise."
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
        parser.add_argument("--timeout", type=int, default=30, help="worker timeout, seconds")
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

        host, port = opts["host"], opts["port"]
        url = f"http://{display_host(host)}:{port}/"
        stdout = self.stdout

        def on_ready(server) -> None:
            stdout.write(
                f"Veche is serving at {url} "
                f"({workers} workers x {opts['threads']} threads; Ctrl-C stops it)"
            )
            stdout.flush()

        server = make_application(
            {
                "bind": f"{display_host(host)}:{port}",
                "workers": workers,
                "worker_class": "gthread",
                "threads": opts["threads"],
                "timeout": opts["timeout"],
                "graceful_timeout": 20,
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
