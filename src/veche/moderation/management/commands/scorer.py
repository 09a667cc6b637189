"""``veche scorer``: the classifier's scoring process. Loads the model once, re-checks the
comments left unscored (after a restart), then answers the posting checks."""

from __future__ import annotations

import threading

from django.core.management.base import BaseCommand

from veche.moderation.classifier import conf


class Command(BaseCommand):
    help = "Run the abuse classifier's scoring process (Unix socket or 127.0.0.1 port)."

    def add_arguments(self, parser):
        parser.add_argument("--socket", default=None, help="Unix socket path")
        parser.add_argument("--port", type=int, default=None, help="listen on 127.0.0.1:PORT")
        parser.add_argument("--no-sweep", action="store_true",
                            help="do not re-check unscored comments at start")

    def handle(self, *args, socket=None, port=None, no_sweep=False, **options):
        from veche.core.cpu_slice import set_process_slice
        from veche.core.settle import freeze_loaded
        from veche.moderation.classifier.model import load
        from veche.moderation.classifier.server import make_server

        classifier = load()
        freeze_loaded()  # the model's objects stay out of full collections
        if conf.scorer_slice_ms():
            # Before the server's threads start: they inherit it.
            set_process_slice(conf.scorer_slice_ms())
        port = port or (None if socket else conf.port())
        path = socket or conf.socket_path()
        server = make_server(socket_path=path, port=port, classifier=classifier)
        where = f"127.0.0.1:{port}" if port else path
        self.stdout.write(f"scorer: {classifier.name} listening on {where}")
        self.stdout.flush()
        if not no_sweep:
            threading.Thread(target=self._sweep, args=(classifier,), daemon=True).start()
        try:
            server.serve_forever()
        except KeyboardInterrupt:
            pass
        finally:
            server.server_close()

    def _sweep(self, classifier) -> None:
        from django.db import connection

        from veche.moderation.classifier.checks import sweep

        try:
            counts = sweep(scorer=lambda text, lang: classifier.score(text, lang).as_dict())
            self.stdout.write(f"scorer: swept unscored comments: {counts}")
        finally:
            connection.close()
