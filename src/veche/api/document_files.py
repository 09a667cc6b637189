"""The whole-thread document of anonymous readers, kept as a file per thread version.

Every anonymous reader gets the same document until the thread's version changes (each
visible change bumps it), so the first request writes the document to a file while it
streams it, and later requests stream the file: building a 10,000-comment thread's
7.8 MB took about 80 ms, sending the file a few. The file's name holds everything the
bytes depend on (the thread, its version, the presentation's version, the deployment),
so a change is never served from an old file and nothing has to be deleted on a change
for correctness; old versions of a thread are removed when a new one is written, and
the oldest files when the folder passes VECHE_THREAD_JSON_FILES_BYTES. Files are per
host, in VECHE_VAR_DIR, and read in pieces, so memory stays flat.

Signed-in readers (who may see their own held comments) get the document built for them.
"""

from __future__ import annotations

import contextlib
import hashlib
import os
import secrets
from collections.abc import Iterator
from pathlib import Path

from django.conf import settings

from veche.core.pagecache import deploy_id
from veche.core.presentation import presentation_version
from veche.discussion.models import Thread

PIECE = 64 * 1024


def folder() -> Path:
    return Path(settings.VAR_DIR) / "thread-json"


def enabled() -> bool:
    return settings.VECHE_THREAD_JSON_FILES_BYTES > 0


def version_token(thread: Thread) -> str:
    """What the anonymous document of this thread version depends on."""
    born = int(thread.created_at.timestamp() * 1_000_000) if thread.created_at else 0
    return f"{thread.pk}:{born}:{thread.version}:{presentation_version()}"


def _path(token: str) -> Path:
    """<thread>_<its birth>_<digest of the rest>.json: a thread's versions share the
    part before the digest."""
    digest = hashlib.sha256(f"{deploy_id()}|{token}".encode()).hexdigest()[:16]
    pk, born, _ = token.split(":", 2)
    return folder() / f"{pk}_{born}_{digest}.json"


def read(token: str) -> Iterator[bytes] | None:
    """The stored document's pieces, or None when this version has no file yet."""
    try:
        handle = _path(token).open("rb")
    except FileNotFoundError:
        return None

    def pieces() -> Iterator[bytes]:
        with handle:
            while piece := handle.read(PIECE):
                yield piece

    return pieces()


def write_through(token: str, pieces: Iterator[bytes]) -> Iterator[bytes]:
    """Yield the pieces and keep them as this version's file once all were sent; a
    client that goes away leaves no file (nor a partial one)."""
    target = _path(token)
    target.parent.mkdir(parents=True, exist_ok=True)
    temporary = target.with_name(f".{target.name}.{secrets.token_hex(4)}.tmp")
    complete = False
    try:
        with temporary.open("wb") as out:
            for piece in pieces:
                out.write(piece)
                yield piece
        complete = True
    finally:
        if complete:
            os.replace(temporary, target)
            _tidy(target)
        else:
            temporary.unlink(missing_ok=True)


def _tidy(kept: Path) -> None:
    """Remove the thread's other versions, then the oldest files past the budget."""
    prefix = kept.name.rsplit("_", 1)[0] + "_"
    files = []
    for entry in os.scandir(kept.parent):
        if not entry.name.endswith(".json") or entry.name == kept.name:
            continue
        try:
            if entry.name.startswith(prefix):
                os.unlink(entry.path)
            else:
                stat = entry.stat()
                files.append((stat.st_mtime, stat.st_size, entry.path))
        except FileNotFoundError:  # another worker tidied it first
            continue
    total = kept.stat().st_size + sum(size for _, size, _ in files)
    for _, size, path in sorted(files):
        if total <= settings.VECHE_THREAD_JSON_FILES_BYTES:
            break
        with contextlib.suppress(FileNotFoundError):
            os.unlink(path)
        total -= size
