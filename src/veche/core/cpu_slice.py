"""A process off the request path makes way for the processes on it: a longer CPU slice.

Linux's scheduler (EEVDF, 6.6 and later) lets the running task finish its slice (1.4 ms
here) before a task that wakes may take its core, unless the waking task's slice is the
shorter one (6.12 and later). The classifier's scorer scores while a post's author facts
are read, on the same two cores as the web workers and PostgreSQL: a PostgreSQL backend
woken by the web worker's query waited behind the scorer, and the facts took 1.1-1.5 ms
with the scorer running against 0.5-0.65 ms without it. Given a longer slice, the scorer
is preempted at once by any task with the default slice that wakes, and keeps its fair
share of the CPU: nice changed nothing measurable (the slice protection is the same at
any weight), and SCHED_IDLE would starve it under load while posts wait for its answer.

sched_setattr's sched_runtime sets the slice of a SCHED_OTHER or SCHED_BATCH task (the
kernel clamps it to 0.1-100 ms; kernels before 6.12 ignore it). Threads and children
inherit it. Elsewhere than on Linux x86-64 or arm64 nothing is done.
"""

from __future__ import annotations

import ctypes
import os
import platform
import struct

# struct sched_attr up to sched_period (SCHED_ATTR_SIZE_VER0): size, policy, flags, nice,
# priority, runtime, deadline, period.
_ATTR = struct.Struct("IIQiIQQQ")
_SYSCALLS = {"x86_64": (314, 315), "aarch64": (274, 275)}  # sched_setattr, sched_getattr
_FAIR_POLICIES = (os.SCHED_OTHER, os.SCHED_BATCH) if hasattr(os, "SCHED_BATCH") else ()


def _syscalls() -> tuple[int, int] | None:
    if not _FAIR_POLICIES:
        return None
    return _SYSCALLS.get(platform.machine())


def _call(number: int, *args: object) -> None:
    libc = ctypes.CDLL(None, use_errno=True)
    if libc.syscall(number, *args) != 0:
        error = ctypes.get_errno()
        raise OSError(error, os.strerror(error))


def _attributes(tid: int) -> tuple | None:
    """The thread's struct sched_attr, unpacked (None where it cannot be asked)."""
    calls = _syscalls()
    if calls is None:
        return None
    buffer = ctypes.create_string_buffer(_ATTR.size)
    try:
        _call(calls[1], tid, buffer, _ATTR.size, 0)
    except OSError:
        return None
    return _ATTR.unpack(buffer.raw)


def current_slice_ns(tid: int = 0) -> int | None:
    """The thread's slice as the kernel reports it (None where it cannot be asked)."""
    attributes = _attributes(tid)
    return None if attributes is None else attributes[5]


def set_slice(milliseconds: float, tid: int = 0) -> bool:
    """Give the thread (0: the calling one) and what it starts later this slice, keeping
    its policy and nice; 0 gives back the kernel's default. False when not done: another
    platform, or a real-time or idle policy, which this leaves alone."""
    attributes = _attributes(tid)
    if attributes is None:
        return False
    _size, policy, _flags, nice, priority, *_ = attributes
    if policy not in _FAIR_POLICIES:
        return False
    wanted = _ATTR.pack(_ATTR.size, policy, 0, nice, priority,
                        int(milliseconds * 1_000_000), 0, 0)
    try:
        _call(_syscalls()[0], tid, ctypes.create_string_buffer(wanted, _ATTR.size), 0)
    except OSError:
        return False
    return True


def set_process_slice(milliseconds: float) -> bool:
    """set_slice for every thread of this process, those a library started already (a
    numerical library's worker threads, started at import) included. False when not
    done for any."""
    try:
        threads = [int(tid) for tid in os.listdir("/proc/self/task")]
    except OSError:
        return set_slice(milliseconds)
    return any([set_slice(milliseconds, tid) for tid in threads])
