"""The service plugin: Redis-marked and PostgreSQL-marked tests get their service."""

from __future__ import annotations

import os

import pytest
from django.conf import settings
from django.core.cache import caches
from django.db import connection


@pytest.mark.redis
def test_redis_marked_tests_get_a_reachable_redis(redis_url, redis_cache):
    assert os.environ["REDIS_URL"] == redis_url == settings.REDIS_URL
    redis_cache.set("greeting", "hello", 30)
    assert redis_cache.get("greeting") == "hello"
    assert type(caches["default"]).__name__ == "RedisCache"


@pytest.mark.postgres
@pytest.mark.django_db
def test_postgres_marked_tests_run_on_postgresql():
    assert connection.vendor == "postgresql"
    with connection.cursor() as cursor:
        cursor.execute("SELECT current_database()")
        assert cursor.fetchone()[0] == connection.settings_dict["NAME"]
