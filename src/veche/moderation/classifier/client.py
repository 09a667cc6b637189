"""Ask the scoring process (``veche scorer``) for a score, with a short timeout.

One JSON object a line each way. score() returns the scorer's answer as a dict
(score, label, threshold, span, reason, model, details) or None when the scorer is absent,
slow or broken: the caller then falls back to the thread's mode.

Each thread keeps its connection open between requests (the scorer answers any number
of lines on one connection), so a post costs one write and one read, not a connect and
a close as well. start_score() sends a request at once and reads its answer only when
the caller asks, so the caller can work meanwhile. A connection that timed out or broke
is closed, never reused: a late answer must not be read as the next request's.
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


def _read_line(sock: socket.socket, deadline: float) -> bytes | None:
    """One reply line; None on timeout, end of stream or an oversize reply."""
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


class Pending:
    """A request sent now and answered later: the caller works while the scorer scores
    (posting reads the author's facts meanwhile). result() reads the answer once;
    abandon() drops a request whose answer nobody will read, closing the connection so
    that the late answer is never read as the next request's."""

    def __init__(self, payload: dict, timeout: float) -> None:
        self.deadline = time.monotonic() + timeout
        self.data = json.dumps(payload, ensure_ascii=False).encode() + b"\n"
        self.finished = False
        self.sock = _kept()
        self.reused = self.sock is not None
        self._send()

    def _send(self) -> None:
        try:
            if self.sock is None:
                self.sock = _connect(max(self.deadline - time.monotonic(), 0.001))
                _local.sock, _local.pid, _local.address = self.sock, os.getpid(), _address()
            self.sock.settimeout(max(self.deadline - time.monotonic(), 0.001))
            self.sock.sendall(self.data)
        except OSError:
            close()
            self.sock = None

    def result(self) -> dict | None:
        """The scorer's answer, or None when it is absent, slow or broken."""
        if self.finished:
            raise RuntimeError("the answer was read already")
        self.finished = True
        buf = self._receive()
        if buf is None and self.reused and time.monotonic() < self.deadline:
            # A kept connection may have been closed by a restarted scorer: one fresh try.
            self.reused = False
            self._send()
            buf = self._receive()
        if buf is None:
            return None
        try:
            reply = json.loads(buf)
        except ValueError:
            return None
        return reply if isinstance(reply, dict) and "error" not in reply else None

    def _receive(self) -> bytes | None:
        buf = None
        if self.sock is not None:
            try:
                buf = _read_line(self.sock, self.deadline)
            except OSError:
                buf = None
        if buf is None:
            close()
            self.sock = None
        return buf

    def abandon(self) -> None:
        if not self.finished:
            self.finished = True
            close()


def request(payload: dict, timeout: float) -> dict | None:
    return Pending(payload, timeout).result()


def start_score(text: str, lang: str | None = None, timeout: float | None = None) -> Pending:
    """Send a text to the scorer now; read the answer with .result() later."""
    return Pending(
        {"op": "score", "text": text, "lang": lang},
        conf.timeout() if timeout is None else timeout,
    )


def score(text: str, lang: str | None = None, timeout: float | None = None) -> dict | None:
    return start_score(text, lang, timeout).result()


def ping(timeout: float = 0.2) -> dict | None:
    return request({"op": "ping"}, timeout)
