"""Ask the scoring process (``veche scorer``) for a score, with a short timeout.

One JSON object a line each way. score() returns the scorer's answer as a dict
(score, label, threshold, span, reason, model, details) or None when the scorer is absent,
slow or broken: the caller then falls back to the thread's mode.
"""

from __future__ import annotations

import json
import socket
import time

from veche.moderation.classifier import conf

MAX_REPLY = 1 << 16


def _connect(timeout: float) -> socket.socket:
    port = conf.port()
    if port:
        return socket.create_connection(("127.0.0.1", port), timeout=timeout)
    sock = socket.socket(socket.AF_UNIX, socket.SOCK_STREAM)
    sock.settimeout(timeout)
    try:
        sock.connect(conf.socket_path())
    except OSError:
        sock.close()
        raise
    return sock


def request(payload: dict, timeout: float) -> dict | None:
    deadline = time.monotonic() + timeout
    try:
        with _connect(timeout) as sock:
            sock.sendall(json.dumps(payload, ensure_ascii=False).encode() + b"\n")
            buf = b""
            while not buf.endswith(b"\n"):
                left = deadline - time.monotonic()
                if left <= 0 or len(buf) > MAX_REPLY:
                    return None
                sock.settimeout(left)
                chunk = sock.recv(4096)
                if not chunk:
                    return None
                buf += chunk
        reply = json.loads(buf)
    except (OSError, ValueError):
        return None
    return reply if isinstance(reply, dict) and "error" not in reply else None


def score(text: str, lang: str | None = None, timeout: float | None = None) -> dict | None:
    return request(
        {"op": "score", "text": text, "lang": lang},
        conf.timeout() if timeout is None else timeout,
    )


def ping(timeout: float = 0.2) -> dict | None:
    return request({"op": "ping"}, timeout)
