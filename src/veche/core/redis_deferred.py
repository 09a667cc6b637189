"""A Redis command sent now whose reply is read later, so that the round trip overlaps
other work (posting counts its rate limits in Redis while PostgreSQL reads the author's
facts) or is not waited for at all (the page clock's bump).

redis-py waits for every reply inside the call that sends the command. On a small
virtual machine a round trip to Redis costs ~0.1-0.3 ms of waiting, more than the
command's own CPU, and a post made three of them in a row.
"""

from __future__ import annotations

import logging
import os
import threading
from typing import Any

from redis.exceptions import ConnectionError as RedisConnectionError
from redis.exceptions import ResponseError
from redis.exceptions import TimeoutError as RedisTimeoutError

logger = logging.getLogger(__name__)


class Deferred:
    """One command on a connection taken from `client`'s pool: sent by the constructor,
    its reply read by reply(), which gives the connection back. `sent` is False when
    the command could not be sent (the caller then runs it the ordinary way, with
    redis-py's retries)."""

    def __init__(self, client: Any, *command: Any) -> None:
        self._pool = client.connection_pool
        self._connection: Any = None
        try:
            connection = self._pool.get_connection()
        except Exception:
            logger.warning("redis: no connection for a deferred command", exc_info=True)
            return
        try:
            connection.send_command(*command)
        except Exception:
            logger.warning("redis: could not send a deferred command", exc_info=True)
            connection.disconnect()
            self._pool.release(connection)
            return
        self._connection = connection

    @property
    def sent(self) -> bool:
        return self._connection is not None

    def reply(self) -> Any:
        """The command's reply, raising what redis-py raises for it (a ResponseError,
        NoScriptError included, for an error reply; ConnectionError, TimeoutError)."""
        connection, self._connection = self._connection, None
        if connection is None:
            raise RuntimeError("the command was not sent, or its reply was read already")
        try:
            return connection.read_response()
        except ResponseError:
            raise  # an error reply: the connection is in step and goes back as it is
        except BaseException:
            connection.disconnect()  # a reply may still be on its way: never reuse it
            raise
        finally:
            self._pool.release(connection)

    def abandon(self) -> None:
        """Drop a reply nobody wants, keeping the connection in step."""
        if self._connection is not None:
            try:
                self.reply()
            except Exception:
                logger.debug("redis: an abandoned command failed", exc_info=True)


class FireAndCheckLater:
    """Commands whose replies nobody waits for, each superseding the ones before (the
    page clock's bump: the newest value is all that counts). Each thread sends on a
    connection of its own and reads the previous command's reply just before sending
    the next one; by then it has long arrived. A failed command is logged when its
    reply is read; the command being sent then supersedes it."""

    def __init__(self, describe: str) -> None:
        self.describe = describe
        self._local = threading.local()

    def send(self, client: Any, *command: Any) -> None:
        """Send `command` on this thread's connection, or else the ordinary way through
        `client` (which raises when that fails too)."""
        local = self._local
        connection = getattr(local, "connection", None)
        if connection is not None and local.pid != os.getpid():
            connection = None  # a forked child's socket is its parent's
        try:
            if connection is None:
                pool = client.connection_pool
                connection = pool.connection_class(**pool.connection_kwargs)
                local.connection, local.pid, local.unread = connection, os.getpid(), False
            if local.unread:
                local.unread = False
                try:
                    connection.read_response()
                except ResponseError:
                    logger.exception("redis: %s failed", self.describe)
            # A connection Redis closed meanwhile (a restart, a timeout) would take the
            # write and lose it: anything to read now, no reply being due, means closed.
            try:
                closed = connection.is_connected and connection.can_read(timeout=0)
            except (RedisConnectionError, RedisTimeoutError, OSError):
                closed = True
            if closed:
                connection.disconnect()
            connection.send_command(*command)
            local.unread = True
        except Exception:
            logger.warning("redis: %s: sent the ordinary way", self.describe, exc_info=True)
            self.close()
            client.execute_command(*command)

    def close(self) -> None:
        """Drop this thread's connection (an unread reply goes with it)."""
        connection = getattr(self._local, "connection", None)
        self._local.connection, self._local.unread = None, False
        if connection is not None:
            connection.disconnect()
