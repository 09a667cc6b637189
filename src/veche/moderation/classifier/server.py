"""The scoring process: loads the model once and answers on a Unix socket or a port."""

from __future__ import annotations

import contextlib
import json
import os
import socketserver
from datetime import UTC, datetime

from veche.moderation.classifier.model import Classifier, load

MAX_TEXT = 20_000


def answer(classifier: Classifier, started: str, request: dict) -> dict:
    op = request.get("op", "score")
    if op == "ping":
        return {"model": classifier.name, "started": started, "pid": os.getpid()}
    if op != "score" or not isinstance(request.get("text"), str):
        return {"error": "bad request"}
    return classifier.score(request["text"][:MAX_TEXT], request.get("lang") or "").as_dict()


def make_server(*, socket_path: str | None = None, port: int | None = None,
                classifier: Classifier | None = None) -> socketserver.BaseServer:
    classifier = classifier or load()
    started = datetime.now(UTC).isoformat(timespec="seconds")

    class Handler(socketserver.StreamRequestHandler):
        def handle(self):
            for line in self.rfile:
                try:
                    reply = answer(classifier, started, json.loads(line))
                except ValueError:
                    reply = {"error": "bad json"}
                try:
                    self.wfile.write(json.dumps(reply, ensure_ascii=False).encode() + b"\n")
                    self.wfile.flush()
                except (BrokenPipeError, ConnectionResetError):
                    # The client gave up (a timeout, or a post refused before it read
                    # the answer) and closed the connection: nothing to report.
                    return

    if port:
        socketserver.ThreadingTCPServer.allow_reuse_address = True
        server = socketserver.ThreadingTCPServer(("127.0.0.1", port), Handler)
    else:
        with contextlib.suppress(FileNotFoundError):
            os.unlink(socket_path)
        server = socketserver.ThreadingUnixStreamServer(socket_path, Handler)
        os.chmod(socket_path, 0o660)
    server.daemon_threads = True
    return server
