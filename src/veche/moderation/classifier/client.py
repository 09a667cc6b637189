"""Ask the scoring process (``veche scorer``) for a score, with a short timeout.

One JSON object a line each way. score() returns the scorer's answer as a dict
(score, label, threshold, span, reason, model, details) or None when the scorer is absent,
slow or broken: the caller then falls back to the thread's mode.

Each thread keeps its connection open between requests (the scorer answers any number
of lines on one connection), so a post costs one write and one read, not a connect and
a close as well. A connection that timed out or broke is closed, never reused: a late
answer must not be read as the next request's.
"""

from __future__ import annotations

import json
import os
import socket
import threading
import time

from veche.moderation.classifier import conf

MAX_REPLY = 1 << 16
_local = threading.local()


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


def _address() -> tuple:
    return (conf.port(), conf.socket_path())


def _kept() -> socket.socket | None:
    sock = getattr(_local, "sock", None)
    # After a fork the child must not share the parent's connection; a changed setting
    # means another scorer.
    if sock is not None and (_local.pid != os.getpid() or _local.address != _address()):
        close()
        sock = None
    return sock


def close() -> None:
    """Close this thread's connection (tests; a changed socket path)."""
    sock = getattr(_local, "sock", None)
    _local.sock = None
    if sock is not None and getattr(_local, "pid", None) == os.getpid():
        sock.close()


def _exchange(sock: socket.socket, data: bytes, deadline: float) -> bytes | None:
    """Send one line, read one line; None on timeout, end of stream or an oversize reply."""
    sock.settimeout(max(deadline - time.monotonic(), 0.001))
    sock.sendall(data)
    buf = b""
    while not buf.endswith(b"\n"):
        left = deadline - time.monotonic()
        if left <= 0 or len(buf) > MAX_REPLY:
            return None
        sock.settimeout(left)
        chunk = sock.recv(MAX_REPLY)
        if not chunk:
            return None
        buf += chunk
    return buf


def request(payload: dict, timeout: float) -> dict | None:
    deadline = time.monotonic() + timeout
    data = json.dumps(payload, ensure_ascii=False).encode() + b"\n"
    buf = None
    # A kept connection may have been closed by a restarted scorer: one fresh try then.
    for _attempt in range(2):
        sock = _kept()
        reused = sock is not None
        try:
            if sock is None:
                sock = _connect(max(deadline - time.monotonic(), 0.001))
                _local.sock, _local.pid, _local.address = sock, os.getpid(), _address()
            buf = _exchange(sock, data, deadline)
        except OSError:
            buf = None
        if buf is not None:
            break
        close()
        if not reused or time.monotonic() >= deadline:
            return None
    if buf is None:
        return None
    try:
        reply = json.loads(buf)
    except ValueError:
        return None
    return reply if isinstance(reply, dict) and "error" not in reply else None


def score(text: str, lang: str | None = None, timeout: float | None = None) -> dict | None:
    return request(
        {"op": "score", "text": text, "lang": lang},
        conf.timeout() if timeout is None else timeout,
    )


def ping(timeout: float = 0.2) -> dict | None:
    return request({"op": "ping"}, timeout)
