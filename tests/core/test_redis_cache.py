"""The Redis cache keeps one client per connection pool and still behaves as Django's."""

from __future__ import annotations

import os
import threading

import pytest
from django.core.cache import caches

pytestmark = pytest.mark.redis


def test_one_client_serves_every_operation_and_thread(redis_cache):
    backend = caches["default"]
    client = backend._cache.get_client("a", write=True)
    assert backend._cache.get_client("b", write=True) is client
    backend.set("answer", 41)
    assert backend.incr("answer") == 42 and backend.get("answer") == 42
    backend.set_many({"x": {"nested": [1, 2]}, "y": "text"})
    assert backend.get_many(["x", "y"]) == {"x": {"nested": [1, 2]}, "y": "text"}
    seen = []
    worker = threading.Thread(target=lambda: seen.append(
        (backend._cache.get_client(write=True), backend.get("answer"))))
    worker.start()
    worker.join(10)
    assert seen == [(client, 42)]
    backend.delete_many(["answer", "x", "y"])
    assert backend.get("answer") is None
    assert client.connection_pool.pid == os.getpid()
