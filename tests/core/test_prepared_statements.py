"""PostgreSQL: parameters are bound by the server and a statement run again on a
connection is kept prepared, so it is not planned anew (VECHE_DB_PREPARE)."""

from __future__ import annotations

import pytest
from django.db import connection

from veche.discussion.models import Thread


def _prepared_thread_lookups() -> list[tuple[str, int]]:
    with connection.cursor() as cursor:
        cursor.execute(
            "SELECT statement, generic_plans + custom_plans FROM pg_prepared_statements"
            " WHERE statement LIKE %s",
            ['%FROM "discussion_thread" WHERE "discussion_thread"."target_key" = $1%'],
        )
        return cursor.fetchall()


@pytest.mark.postgres
@pytest.mark.django_db
def test_a_lookup_run_again_on_a_connection_is_prepared_once_and_reused():
    Thread.objects.create(target_key="page:prepared", title="Prepared")
    assert _prepared_thread_lookups() == []
    for _ in range(5):
        assert Thread.objects.get(target_key="page:prepared").title == "Prepared"
    [(statement, runs)] = _prepared_thread_lookups()
    # Prepared on its second run, executed from the plan ever after.
    assert runs == 4
    assert "page:prepared" not in statement  # the value travels as a parameter
