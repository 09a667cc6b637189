"""Change clocks for the full-page cache (veche.core.pagecache).

A clock's value changes whenever committed data may have changed, so the page cache
asks the database (the page's validator) only when the value differs from the one it
saw when it last confirmed a page; while it is unchanged, nothing can have made the
page stale. ``None`` means "unknown": the page cache then asks the database every time.

* SQLite (a file): ``PRAGMA data_version`` on a connection of the page cache's own,
  which changes on every commit made by any other connection, in any process. Exact,
  and it needs no cooperation from the code that writes (nor from a sqlite3 shell).
* PostgreSQL with Redis: a random value in Redis, replaced after every committed write
  made through Django in any process of any server (``install()`` hooks every database
  connection), so servers sharing the database and Redis see each other's changes.
  Each process follows it through a Redis subscription rather than a GET per read.
* Otherwise (PostgreSQL without Redis, an in-memory database, or a thread inside a
  transaction, as in tests): None.

The page cache reads the clock before it validates or renders, and a writer replaces
the value after its commit: a page confirmed at value V was current at some moment
after V was read, so while the clock still reads V no commit has happened since.
"""

from __future__ import annotations

import contextlib
import logging
import os
import secrets
import sqlite3
import threading
import time
from typing import Any, Protocol

from django.conf import settings
from django.db import DEFAULT_DB_ALIAS, connections, transaction
from django.db.backends.signals import connection_created

from veche.core.redis_deferred import FireAndCheckLater

logger = logging.getLogger(__name__)

REDIS_KEY = "veche:pageclock:v1"
REDIS_CHANNEL = "veche:pageclock:v1:changes"
# Statements that write nothing, by their first word.
_READ_WORDS = frozenset(
    {"SELECT", "SAVEPOINT", "RELEASE", "ROLLBACK", "BEGIN", "COMMIT", "SET", "SHOW",
     "PRAGMA", "EXPLAIN", "VALUES"}
)
# Writes no anonymous page depends on, frequent enough to matter (sign-ins, job polls).
_QUIET_TABLES = ("django_session", "django_tasks_database_")


class Clock(Protocol):
    def read(self) -> str | None: ...


class NullClock:
    def read(self) -> None:
        return None


class SQLiteClock:
    """``PRAGMA data_version`` of read-only connections this process keeps open, one
    per thread (no lock to wait for); each value names its connection."""

    def __init__(self, path: str) -> None:
        self.path = path
        self._local = threading.local()

    def read(self) -> str | None:
        local = self._local
        try:
            conn = getattr(local, "conn", None)
            if conn is None or local.pid != os.getpid():
                conn = self._open()
            version = conn.execute("PRAGMA data_version").fetchone()[0]
        except sqlite3.Error:
            logger.warning("page cache: PRAGMA data_version failed", exc_info=True)
            local.conn = None
            return None
        # data_version counts per connection: the epoch names the connection.
        return f"s{local.epoch}:{version}"

    def _open(self) -> sqlite3.Connection:
        uri = "file:" + self.path.replace("?", "%3f").replace("#", "%23") + "?mode=ro"
        conn = sqlite3.connect(
            uri, uri=True, isolation_level=None, check_same_thread=False, timeout=5
        )
        self._local.conn, self._local.pid = conn, os.getpid()
        self._local.epoch = secrets.token_hex(6)
        return conn


# A bump: the new value set, then published, in one atomic step (a script: one command
# where MULTI, SET, PUBLISH, EXEC were four for redis-py to build and parse). Sent with
# its text (EVAL), not its digest: a bump's reply is read later (redis_deferred), too
# late to load a script a restarted Redis no longer has.
_BUMP_SCRIPT = b"""
redis.call('SET', KEYS[1], ARGV[1])
return redis.call('PUBLISH', ARGV[2], ARGV[1])
"""


class RedisClock:
    """A random value in Redis, replaced by ``bump()`` after every committed write.

    Each process follows the value through a subscription instead of asking Redis on
    every read: a GET per cached page cost ~0.2 ms of round trip and ~0.12 ms of CPU,
    as much as serving the page. ``bump()`` sets the value and publishes it in one
    atomic script, so the channel carries every value in the order Redis set them. To
    join that order, a new subscription reads the value and publishes a marker of its
    own in one transaction, at the same point: messages before the marker are older
    than the value read, every message after it is newer.
    ``read()`` takes what has arrived on the subscription (a look at its socket when
    nothing has) and answers from the last value. Until the marker has come, or after
    the subscription broke (it is then dropped and made anew later), ``read()`` asks
    Redis.
    """

    RESUBSCRIBE_SECONDS = 1.0
    # How long a read waits for a value this process published to come back.
    AWAIT_SECONDS = 0.05
    _MARKER = b"sync:"

    def __init__(self, url: str, prefix: str) -> None:
        self.url = url
        self.key = f"{prefix}:{REDIS_KEY}"
        self.channel = f"{prefix}:{REDIS_CHANNEL}"
        self._client: Any = None
        self._pid = 0
        self._lock = threading.Lock()
        self._subscription: Any = None
        self._marker = b""
        self._synced_value: bytes | None = None
        self._value: bytes | None = None  # the followed value; None until synced
        self._retry_at = 0.0
        self._awaited: set[bytes] = set()  # values this process set, not yet back
        self._reconnected = False
        self._bumps = FireAndCheckLater("a page clock bump")

    def client(self) -> Any:
        if self._client is None or self._pid != os.getpid():
            import redis
            from redis.backoff import NoBackoff
            from redis.retry import Retry

            # No retries: a broken subscription raises, and is dropped and made anew
            # (with a marker), instead of reconnecting behind this class's back.
            self._client = redis.Redis.from_url(
                self.url, socket_timeout=2, socket_connect_timeout=2,
                retry=Retry(NoBackoff(), 0),
            )
            self._pid = os.getpid()
            self._subscription, self._value = None, None  # a forked child's are its parent's
        return self._client

    def read(self) -> str | None:
        with self._lock:
            value = self._followed()
        if value is None:
            return self._get()
        return "r" + value.decode()

    def _get(self) -> str | None:
        try:
            client = self.client()
            value = client.get(self.key)
            if value is None:  # first use, or Redis lost it: a value never seen before
                client.set(self.key, secrets.token_hex(8), nx=True)
                value = client.get(self.key)
        except Exception:
            logger.warning("page cache: Redis clock unreadable", exc_info=True)
            return None
        return None if value is None else "r" + value.decode()

    @property
    def following(self) -> bool:
        """Whether reads are answered from the subscription (no round trip)."""
        return self._value is not None

    def _followed(self) -> bytes | None:
        """The value as the subscription tells it; None when it cannot tell."""
        if self._reconnected:
            self._reconnected = False
            self._drop()
        try:
            client = self.client()
            if self._subscription is None:
                if time.monotonic() < self._retry_at:
                    return None
                self._subscribe(client)
            while (message := self._subscription.get_message(timeout=0)) is not None:
                self._take(message)
            while self._awaited and self._value is not None:
                # This process's own change answers at once too.
                message = self._subscription.get_message(timeout=self.AWAIT_SECONDS)
                if message is None:
                    self._awaited.clear()
                    return None
                self._take(message)
            return self._value
        except Exception:
            logger.warning("page cache: Redis clock subscription broke", exc_info=True)
            self._drop()
            return None

    def _subscribe(self, client: Any) -> None:
        self._retry_at = time.monotonic() + self.RESUBSCRIBE_SECONDS
        subscription = client.pubsub()
        self._subscription = subscription
        subscription.subscribe(self.channel)
        confirmed = subscription.get_message(timeout=2)
        if not confirmed or confirmed.get("type") != "subscribe":
            raise RuntimeError(f"no subscription to {self.channel}: {confirmed!r}")
        subscription.connection.register_connect_callback(self._on_reconnect)
        self._value = None
        self._marker = self._MARKER + secrets.token_hex(8).encode()
        # One transaction (nothing runs between its commands): a value if there is
        # none, the value, and the marker at the same point of the channel's order.
        with client.pipeline(transaction=True) as both:
            both.set(self.key, secrets.token_hex(8), nx=True)
            both.get(self.key)
            both.publish(self.channel, self._marker)
            _, self._synced_value, _ = both.execute()

    def _take(self, message: dict) -> None:
        if message.get("type") != "message":
            return
        data = message["data"]
        if data.startswith(self._MARKER):
            if data == self._marker:  # ours: from here on, every value is newer
                self._value = self._synced_value
            return
        if self._value is not None:
            self._value = data
            self._awaited.discard(data)

    def _on_reconnect(self, connection: Any) -> None:
        # redis-py connected the subscription again by itself: messages may have been
        # lost meanwhile. Follow no more (read() asks Redis); the next read drops it,
        # and a new subscription with its own marker follows again.
        self._value = None
        self._reconnected = True

    def _drop(self) -> None:
        subscription, self._subscription, self._value = self._subscription, None, None
        self._awaited.clear()
        self._retry_at = time.monotonic() + self.RESUBSCRIBE_SECONDS
        if subscription is not None:
            with contextlib.suppress(Exception):
                subscription.close()

    def bump(self) -> None:
        """Announce a change. The command is sent before the request that changed
        something answers, but its reply is not waited for (~0.3 ms a post): Redis runs
        a connection's commands in order, and this process's next read waits for the
        value to come back on the subscription anyway."""
        value = secrets.token_hex(8).encode()
        try:
            self._bumps.send(self.client(), "EVAL", _BUMP_SCRIPT, 1, self.key, value,
                             self.channel)
        except Exception:
            logger.exception("page cache: could not announce a change through Redis")
            return
        with self._lock:
            if self._subscription is not None and self._value is not None:
                self._awaited.add(value)


_clock: Clock | None = None
_clock_lock = threading.Lock()


def make_clock() -> Clock:
    connection = connections[DEFAULT_DB_ALIAS]
    if connection.vendor == "sqlite":
        if connection.is_in_memory_db():
            return NullClock()
        return SQLiteClock(str(connection.settings_dict["NAME"]))
    url = getattr(settings, "REDIS_URL", "")
    if url:
        return RedisClock(url, getattr(settings, "VECHE_REDIS_PREFIX", "veche"))
    return NullClock()


def clock() -> Clock:
    global _clock
    if _clock is None:
        with _clock_lock:
            if _clock is None:
                _clock = make_clock()
    return _clock


def use(new: Clock | None) -> None:
    """Replace this process's clock (None: choose again from the settings); for tests."""
    global _clock
    _clock = new


def read() -> str | None:
    """The current value, or None when the database must be asked."""
    connection = connections[DEFAULT_DB_ALIAS]
    if connection.in_atomic_block:
        # This thread's open transaction may hold changes no clock has seen.
        return None
    return clock().read()


# --------------------------------------------------------------------------- writers


def is_write(sql: str) -> bool:
    head = sql.lstrip()[:96]
    word = head.split(None, 1)[0].upper() if head else ""
    if word in _READ_WORDS:
        return False
    return not any(table in head for table in _QUIET_TABLES)


def _bump() -> None:
    current = clock()
    if isinstance(current, RedisClock):
        current.bump()


def _announce_writes(execute, sql, params, many, context):
    result = execute(sql, params, many, context)
    if isinstance(sql, str) and is_write(sql):
        connection = context["connection"]
        if not connection.in_atomic_block:
            _bump()  # autocommit: already committed
        elif not any(entry[1] is _bump for entry in connection.run_on_commit):
            transaction.on_commit(_bump, using=connection.alias, robust=True)
    return result


def _on_connection_created(sender: Any, connection: Any, **kwargs: Any) -> None:
    if connection.alias == DEFAULT_DB_ALIAS and isinstance(clock(), RedisClock):
        announce_writes(connection)


def announce_writes(connection: Any) -> None:
    """Bump the clock after every write this connection commits."""
    if _announce_writes not in connection.execute_wrappers:
        connection.execute_wrappers.append(_announce_writes)


def install() -> None:
    """Announce this process's committed writes to the clock (called from apps.ready)."""
    connection_created.connect(_on_connection_created, dispatch_uid="veche.core.pageclock")
