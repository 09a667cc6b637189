"""PostgreSQL: a reused connection is checked at the start of each request without a
round trip when it is plainly fine, and replaced when the server has closed it
(core/postgresql/base.py)."""

from __future__ import annotations

import select

import psycopg
import pytest
from django.db import connection

pytestmark = [pytest.mark.postgres, pytest.mark.django_db(transaction=True)]


def _backend_pid() -> int:
    with connection.cursor() as cursor:
        cursor.execute("SELECT pg_backend_pid()")
        return cursor.fetchone()[0]


def _next_request() -> None:
    """What Django does to the connection when a request starts, up to its first query."""
    connection.health_check_done = False
    connection.close_if_health_check_failed()


def test_a_healthy_connection_is_kept_without_asking_the_server(monkeypatch):
    assert connection.health_check_enabled
    pid = _backend_pid()
    asked = []
    monkeypatch.setattr(connection, "is_usable", lambda: asked.append(1) or True)
    _next_request()
    assert asked == []
    assert connection.health_check_done
    assert _backend_pid() == pid


def test_a_connection_the_server_closed_is_replaced_before_the_first_query():
    pid = _backend_pid()
    with psycopg.connect(_conninfo(), autocommit=True) as admin:
        admin.execute("SELECT pg_terminate_backend(%s)", [pid])
    # The server's goodbye reaches the socket (bounded wait, no sleep).
    readable, _, _ = select.select([connection.connection.fileno()], [], [], 10)
    assert readable
    _next_request()
    assert _backend_pid() != pid  # a new connection, and no error on the way


def test_a_connection_in_a_transaction_is_asked(monkeypatch):
    asked = []
    monkeypatch.setattr(connection, "is_usable", lambda: asked.append(1) or True)
    connection.ensure_connection()
    with connection.connection.transaction():
        connection.connection.execute("SELECT 1")
        _next_request()
    assert asked == [1]


def _conninfo() -> str:
    params = connection.get_connection_params()
    keys = ("dbname", "user", "host", "port", "password")
    return " ".join(f"{k}={params[k]}" for k in keys if params.get(k))
