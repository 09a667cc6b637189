"""A process off the request path (the scorer) gets a longer CPU slice, so that a web
worker or a database backend that wakes preempts it at once (core.cpu_slice)."""

from __future__ import annotations

import os
import platform
import subprocess
import sys
import threading

import pytest

from tests.processes import site_env
from veche.core.cpu_slice import current_slice_ns, set_slice


def _kernel_sets_slices() -> bool:
    release = platform.release().split("-")[0].split(".")
    try:
        major, minor = int(release[0]), int(release[1])
    except (IndexError, ValueError):
        return False
    return platform.system() == "Linux" and (major, minor) >= (6, 12) and (
        current_slice_ns() is not None)


pytestmark = pytest.mark.skipif(
    not _kernel_sets_slices(), reason="custom CPU slices need Linux 6.12 or later")


def in_a_thread(work):
    """work() in a thread of its own (a slice, nice and policy are per thread), its
    result or its exception."""
    outcome: dict = {}

    def run():
        try:
            outcome["value"] = work()
        except BaseException as error:  # handed to the test
            outcome["error"] = error

    thread = threading.Thread(target=run)
    thread.start()
    thread.join(timeout=30)
    if "error" in outcome:
        raise outcome["error"]
    return outcome["value"]


def test_a_thread_gets_the_slice_and_what_it_starts_inherits_it():
    def work():
        default = current_slice_ns()
        assert set_slice(20)
        child = in_a_thread(current_slice_ns)
        mine = current_slice_ns()
        assert set_slice(0)
        return default, mine, child, current_slice_ns()

    default, mine, child, restored = in_a_thread(work)
    assert mine == child == 20_000_000
    assert default != 20_000_000 and restored == default


def test_the_slice_keeps_the_threads_nice_value():
    def work():
        tid = threading.get_native_id()
        os.setpriority(os.PRIO_PROCESS, tid, 7)
        assert set_slice(20)
        return os.getpriority(os.PRIO_PROCESS, tid), current_slice_ns()

    assert in_a_thread(work) == (7, 20_000_000)


def test_an_idle_policy_is_left_alone():
    def work():
        os.sched_setscheduler(0, os.SCHED_IDLE, os.sched_param(0))
        done = set_slice(20)
        return done, os.sched_getscheduler(0)

    assert in_a_thread(work) == (False, os.SCHED_IDLE)


def test_the_scorer_runs_with_the_configured_slice(tmp_path):
    socket_path = tmp_path / "scorer.sock"
    env = site_env(tmp_path, VECHE_SCORER_SLICE_MS="30")
    scorer = subprocess.Popen(  # noqa: S603 - this interpreter, our own command
        [sys.executable, "-m", "veche.cli", "scorer", "--socket", str(socket_path),
         "--no-sweep"], env=env, stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True)
    try:
        line = scorer.stdout.readline()  # written once the model is loaded
        assert "listening" in line, scorer.stderr.read() if scorer.poll() is not None else line
        threads = os.listdir(f"/proc/{scorer.pid}/task")
        assert {current_slice_ns(int(tid)) for tid in threads} == {30_000_000}
    finally:
        scorer.terminate()
        scorer.wait(timeout=30)
