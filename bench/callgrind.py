"""Instructions counted by valgrind's callgrind: steady on a loaded machine, where
seconds are not. A script runs itself again under callgrind with instrumentation off,
switches it on around the work to count (instrument(True/False)), and reads the total.
"""

from __future__ import annotations

import os
import shutil
import subprocess
import sys
import tempfile
from pathlib import Path

UNDER = "VECHE_UNDER_CALLGRIND"


def under_callgrind() -> bool:
    return bool(os.environ.get(UNDER))


def instrument(on: bool) -> None:
    """Count from here (True) or stop counting (False); nothing outside callgrind."""
    if under_callgrind():
        subprocess.run(  # noqa: S603 - valgrind's own tool, this process's id
            ["callgrind_control", f"--instr={'on' if on else 'off'}",  # noqa: S607
             str(os.getpid())], check=True, stdout=subprocess.DEVNULL)


def counted(script: str, argv: list[str], timeout: float) -> int:
    """Run `script argv` under callgrind; the instructions it counted."""
    out = Path(tempfile.mkdtemp(prefix="veche-callgrind-")) / "callgrind.out"
    try:
        subprocess.run(  # noqa: S603 - a bench script of this directory, under valgrind
            ["valgrind", "--tool=callgrind", "--instr-atstart=no",  # noqa: S607
             f"--callgrind-out-file={out}", sys.executable, script, *argv],
            check=True, env={**os.environ, UNDER: "1"}, stderr=subprocess.DEVNULL,
            timeout=timeout)
        totals = next(line for line in out.read_text().splitlines()
                      if line.startswith("totals:"))
        return int(totals.split()[1])
    finally:
        shutil.rmtree(out.parent, ignore_errors=True)
