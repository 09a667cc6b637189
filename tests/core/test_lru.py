"""The worker's own bounded store: least recently used out, within its bytes, and an
entry given a lifetime is gone once it has passed."""

from __future__ import annotations

from veche.core import lru
from veche.core.lru import BoundedLRU


def test_least_recently_used_goes_first_and_the_bytes_stay_bounded():
    store: BoundedLRU[str] = BoundedLRU(max_bytes=30)
    for key in "abc":
        store.put(key, key.upper(), 10)
    assert store.get("a") == "A"  # now the most recently used
    store.put("d", "D", 10)
    assert store.get("b") is None and store.get("a") == "A" and len(store) == 3
    store.put("huge", "H", 31)  # more than the whole budget: not kept
    assert store.get("huge") is None and store.bytes == 30


def test_an_entry_past_its_lifetime_is_gone(monkeypatch):
    now = [1000.0]
    monkeypatch.setattr(lru.time, "monotonic", lambda: now[0])
    store: BoundedLRU[str] = BoundedLRU(max_bytes=100)
    store.put("short", "s", 10, ttl=5)
    store.put("forever", "f", 10)
    now[0] += 4.9
    assert store.get("short") == "s"
    now[0] += 0.2
    assert store.get("short") is None and store.bytes == 10
    assert store.get("forever") == "f"


def test_discard_drops_only_the_value_it_names():
    store: BoundedLRU[list] = BoundedLRU(max_bytes=100)
    old, new = ["old"], ["new"]
    store.put("k", old, 1)
    store.put("k", new, 1)
    store.discard("k", old)  # a newer value took its place: kept
    assert store.get("k") is new
    store.discard("k", new)
    assert store.get("k") is None and store.bytes == 0


def test_get_through_fetches_once_and_keeps_what_it_fetched():
    fetched = []

    def fetch(key):
        fetched.append(key)
        return None if key == "missing" else f"value of {key}"

    store = BoundedLRU(100)
    assert store.get_through("a", fetch, len) == "value of a"
    assert store.get_through("a", fetch, len) == "value of a"
    assert store.get_through("missing", fetch, len) is None
    assert store.get_through("missing", fetch, len) is None
    assert fetched == ["a", "missing", "missing"]  # nothing kept for a miss

    nothing_kept = BoundedLRU(0)
    nothing_kept.get_through("a", fetch, len)
    nothing_kept.get_through("a", fetch, len)
    assert fetched[-2:] == ["a", "a"] and len(nothing_kept) == 0
