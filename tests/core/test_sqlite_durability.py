"""On SQLite, a comment is on disk before the poster is told it was posted."""

from __future__ import annotations

import pytest
from django.db import connection


@pytest.mark.django_db
@pytest.mark.skipif(connection.vendor != "sqlite", reason="SQLite's own setting (the SQLite run)")
def test_every_sqlite_commit_is_synced_before_it_is_acknowledged():
    with connection.cursor() as cursor:
        cursor.execute("PRAGMA synchronous")
        (level,) = cursor.fetchone()
    assert level == 2  # FULL: the log is synced at every commit, not only at checkpoints
