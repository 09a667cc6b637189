"""A loaded web worker keeps its long-lived objects out of the garbage collector's full
passes: loading the WSGI application imports every view and freezes what is alive."""

from __future__ import annotations

import subprocess
import sys

from tests.processes import site_env

LOAD_THE_WORKER = """
import gc
import sys
from veche.config.wsgi import application
print("veche.discussion.views" in sys.modules, "veche.api.api" in sys.modules)
print(gc.get_freeze_count(), len(gc.get_objects()))
"""


def test_loading_the_worker_freezes_what_every_request_needs(tmp_path):
    env = site_env(tmp_path)
    out = subprocess.run(  # noqa: S603 - this interpreter, our own code
        [sys.executable, "-c", LOAD_THE_WORKER], env=env, capture_output=True, text=True,
        timeout=120, check=False,
    )
    assert out.returncode == 0, out.stderr
    loaded, counts = out.stdout.splitlines()
    assert loaded.split() == ["True", "True"]
    frozen, tracked = map(int, counts.split())
    # A full collection walks only the tracked objects: a small part of the worker.
    assert frozen > 10 * tracked, (frozen, tracked)
