"""A pytest plugin for tests that need outside services (Redis, PostgreSQL).

Tests marked ``redis`` get a reachable Redis: REDIS_URL points at it during the test
(``redis_url`` fixture). When none answers, the test is skipped with the reason, or
fails when CI=true, because CI must not pass by skipping.
Tests marked ``postgres`` run only when the test database is PostgreSQL.

Load it from the root conftest (``pytest_plugins = ["tests.core.services"]``) or with
``-p tests.core.services`` (scripts/test-sqlite and scripts/test-postgres pass it).
"""

from __future__ import annotations

import os
import uuid

import pytest

DEFAULT_REDIS_URL = "redis://127.0.0.1:6379/15"


def in_ci() -> bool:
    return os.environ.get("CI", "").strip().lower() in {"1", "true", "yes", "on"}


def missing_service(reason: str) -> None:
    """Skip the test, or fail it under CI=true."""
    if in_ci():
        pytest.fail(f"{reason} (CI=true: a missing service is a failure)", pytrace=False)
    pytest.skip(reason)


def redis_test_url() -> str:
    return (
        os.environ.get("VECHE_TEST_REDIS_URL", "").strip()
        or os.environ.get("REDIS_URL", "").strip()
        or DEFAULT_REDIS_URL
    )


def redis_problem(url: str) -> str | None:
    """None when Redis at ``url`` answers PING, else why not."""
    import redis

    try:
        client = redis.Redis.from_url(url, socket_connect_timeout=2, socket_timeout=2)
        client.ping()
        client.close()
    except Exception as exc:
        return f"{type(exc).__name__}: {exc}"
    return None


@pytest.fixture(scope="session")
def _redis_available() -> str:
    url = redis_test_url()
    problem = redis_problem(url)
    if problem:
        missing_service(f"Redis is not reachable at {url} ({problem}); set VECHE_TEST_REDIS_URL")
    return url


@pytest.fixture
def redis_url(_redis_available, monkeypatch, settings) -> str:
    """A reachable Redis URL; REDIS_URL (environment and settings) points at it."""
    monkeypatch.setenv("REDIS_URL", _redis_available)
    settings.REDIS_URL = _redis_available
    return _redis_available


@pytest.fixture
def redis_cache(redis_url, settings):
    """Django's default cache on Redis under a key prefix of its own, deleted after.

    (Not cache.clear(): that would FLUSHDB the whole Redis database.)
    """
    import redis
    from django.core.cache import cache

    prefix = f"veche-test-{uuid.uuid4().hex[:12]}"
    settings.CACHES = {
        "default": {
            "BACKEND": "veche.core.redis_cache.RedisCache",
            "LOCATION": redis_url,
            "KEY_PREFIX": prefix,
        }
    }
    yield cache
    client = redis.Redis.from_url(redis_url)
    keys = list(client.scan_iter(match=f"{prefix}:*", count=500))
    if keys:
        client.delete(*keys)
    client.close()


@pytest.fixture(autouse=True)
def _veche_service_markers(request) -> None:
    if request.node.get_closest_marker("redis"):
        request.getfixturevalue("redis_url")
    if request.node.get_closest_marker("postgres"):
        from django.conf import settings

        engine = settings.DATABASES["default"]["ENGINE"]
        if "postgresql" not in engine:
            pytest.skip("needs PostgreSQL (runs in scripts/test-postgres)")
