"""Helpers for tests that run `veche serve` as a real process."""

from __future__ import annotations

import signal
import subprocess


def stop(process: subprocess.Popen) -> None:
    """SIGTERM, as an init system would stop the server; kill it if it hangs."""
    if process.poll() is None:
        process.send_signal(signal.SIGTERM)
    try:
        process.wait(timeout=30)
    except subprocess.TimeoutExpired:
        process.kill()
        process.wait(timeout=10)
