"""A progress bar on stderr (tqdm): items done and the rate. Off with enabled=False."""

from __future__ import annotations

import sys
from typing import TextIO

from tqdm import tqdm


class Progress:
    def __init__(self, *, enabled: bool = True, unit: str = "comments",
                 stream: TextIO | None = None) -> None:
        self._bar = (
            tqdm(unit=f" {unit}", file=stream or sys.stderr, dynamic_ncols=True,
                 mininterval=0.5, smoothing=0.1)
            if enabled
            else None
        )
        self.count = 0

    def update(self, n: int = 1) -> None:
        self.count += n
        if self._bar is not None:
            self._bar.update(n)

    def close(self) -> None:
        if self._bar is not None:
            self._bar.close()
            self._bar = None
