"""A least-recently-used store in this process's memory, bounded in bytes (the caller
says what each value weighs), with an optional expiry per value. Thread-safe."""

from __future__ import annotations

import threading
import time
from collections import OrderedDict
from collections.abc import Callable
from typing import Generic, TypeVar

V = TypeVar("V")


class BoundedLRU(Generic[V]):
    def __init__(self, max_bytes: int) -> None:
        self.max_bytes = max_bytes
        self.bytes = 0
        # key -> (value, size, monotonic expiry or None)
        self._items: OrderedDict[str, tuple[V, int, float | None]] = OrderedDict()
        self._lock = threading.Lock()

    def get(self, key: str) -> V | None:
        with self._lock:
            item = self._items.get(key)
            if item is None:
                return None
            value, size, expires = item
            if expires is not None and expires <= time.monotonic():
                del self._items[key]
                self.bytes -= size
                return None
            self._items.move_to_end(key)
            return value

    def put(self, key: str, value: V, size: int, ttl: float | None = None) -> None:
        if size > self.max_bytes:
            return
        expires = None if ttl is None else time.monotonic() + ttl
        with self._lock:
            old = self._items.pop(key, None)
            if old is not None:
                self.bytes -= old[1]
            self._items[key] = (value, size, expires)
            self.bytes += size
            while self.bytes > self.max_bytes:
                _, (_, evicted, _) = self._items.popitem(last=False)
                self.bytes -= evicted

    def get_through(
        self,
        key: str,
        fetch: Callable[[str], V | None],
        weigh: Callable[[V], int],
        ttl: float | None = None,
    ) -> V | None:
        """The value kept here, else fetch(key)'s (kept for next time unless None): a copy
        in front of a shared cache, for keys whose values never change."""
        value = self.get(key) if self.max_bytes > 0 else None
        if value is None:
            value = fetch(key)
            if value is not None and self.max_bytes > 0:
                self.put(key, value, weigh(value), ttl)
        return value

    def discard(self, key: str, value: V) -> None:
        """Drop the entry if it still holds this very value (not a newer one)."""
        with self._lock:
            item = self._items.get(key)
            if item is not None and item[0] is value:
                del self._items[key]
                self.bytes -= item[1]

    def clear(self) -> None:
        with self._lock:
            self._items.clear()
            self.bytes = 0

    def __len__(self) -> int:
        return len(self._items)
