"""The whole-thread document's rows: every comment a reader may see, in thread order,
read in batches along the (thread, path) index.

The visibility rules are discussion's (thread_json.visible_rows): its query becomes a
common table expression this module's SELECT reads. Each row carries the raw values
api.stream writes into the comment's JSON, with two things done by the database: the
times come as the text of their UTC time (Python cuts it to the encoder's
milliseconds), and the quote, present on few comments, comes as its JSON object.
What is the same for most rows comes as NULL (a published comment's status, the absent
quote) and the thread's id not at all: each value the driver turns into a Python object
costs (about 5% of SQLite's read of 10,000 rows).

The database had written each comment's JSON itself (printf/format around every
value). On PostgreSQL that made the database the slower side of the pipeline (its
format() of the comment's tail alone was ~44 of ~97 ms for 10,000 rows) while Python
waited; Python writing the same bytes from the values took a 10,000-comment document
from 85 to 67 ms in-process, and cost nothing on SQLite (86 against 87 ms).

Every value ends up encoded exactly as DjangoJSONEncoder(ensure_ascii=False) would
encode it, so the document stays byte for byte the dict path's
(tests/api/test_stream_document.py checks that on SQLite and on PostgreSQL).
"""

from __future__ import annotations

import contextlib
from collections.abc import Iterator
from typing import NamedTuple

from django.db import connection

from veche.discussion.models import CommentStatus, Thread
from veche.discussion.selectors import Viewer
from veche.discussion.thread_json import VISIBLE_COLUMNS, visible_rows

# Rows per query: about 1 MiB held at once, whatever the thread's size (2,000 held 8 MB
# more at the peak and were no faster); the first query is shorter, so that the first
# bytes leave soon.
FETCH = 500
FIRST_FETCH = 250


class Row(NamedTuple):
    id: int
    parent_id: int | None
    shown: bool  # False: a placeholder ("author":null, "html":"")
    author_name: str
    author_id: int | None
    html: str  # the stored HTML, "" when not shown
    created: str  # the UTC time as text, "YYYY-MM-DD HH:MM:SS[.f…]"
    edited: str | None  # likewise; None when never edited, or not shown
    score: int
    upvotes: int
    downvotes: int
    status: str | None  # None: published (the common case costs no string)
    quote: str | None  # the quote's JSON object; None when there is none to show
    depth: int
    path: str  # the comment's place in the thread order


def _sql_json_string(expression: str) -> str:
    """SQL of `expression` (text, never NULL) as a JSON string literal."""
    if connection.vendor == "postgresql":
        return f"to_json(CAST({expression} AS text))::text"
    return f"json_quote({expression})"


def _sql_time_text(column: str) -> str:
    """SQL of a timestamp as the text of its UTC time ("YYYY-MM-DD HH:MM:SS[.f…]")."""
    if connection.vendor == "postgresql":
        # psycopg reads timestamps only in the ISO DateStyle, so the app has it anyway.
        return f"CAST(({column} AT TIME ZONE 'UTC') AS text)"
    # Django stores the UTC time as this text; the cast keeps sqlite3's converter away.
    return f"CAST({column} AS text)"


def _sql_format(template: str, *arguments: str) -> tuple[str, str]:
    """SQL filling each %s of `template` (a parameter, so never parsed as SQL) with the
    text of an argument, in one pass (chains of || copied the text at every step)."""
    function = "format" if connection.vendor == "postgresql" else "printf"
    return f"{function}(%s, {', '.join(arguments)})", template


def _select() -> tuple[str, list]:
    """The SELECT over the visible rows (CTE "r") and its own parameters."""
    quote, quote_template = _sql_format(
        '{"comment_id":%s,"of_target":%s,"text":%s,"author_name":%s}',
        "COALESCE(CAST(r.quoted_comment_id AS text), 'null')",
        "CASE WHEN r.quotes_target THEN 'true' ELSE 'false' END",
        _sql_json_string("r.quoted_text"),
        _sql_json_string("r.quoted_author_name"),
    )
    # The order and the limit are this query's, not the CTE's: SQLite then merges the
    # two into one scan of the (thread, path) index (a CTE with its own LIMIT ran as a
    # co-routine whose rows went through a sorter, 20% of the query's time); PostgreSQL
    # inlines the CTE either way.
    sql = (
        "SELECT r.id, r.parent_id, r.shown, r.author_name, r.author_id,"  # noqa: S608
        f" r.text, {_sql_time_text('r.created_at')},"
        f" CASE WHEN r.shown THEN {_sql_time_text('r.edited_at')} END,"
        " r.score, r.upvotes, r.downvotes, NULLIF(r.status, %s),"
        f" CASE WHEN r.quote_visible THEN {quote} END, r.depth, r.path"
        " FROM r ORDER BY r.path LIMIT %s"
    )
    # The limit, last, is the caller's.
    return sql, [CommentStatus.PUBLISHED.value, quote_template]


def iter_rows(
    thread: Thread,
    viewer: Viewer,
    *,
    fetch: int | None = None,
) -> Iterator[list[tuple]]:
    """Lists of comments in thread order (parents before replies), each a tuple of
    Row's fields (a plain tuple: cheaper than the named one); the first lists are
    short, so the first bytes leave soon, later ones up to `fetch` (FETCH) long.

    One query a list, each going on from the last path the one before read: the
    (thread, path) index gives the rows in order, where one query for the whole thread
    had PostgreSQL sort them (on disk, past a few thousand comments) or hold them all
    for a cursor. Each list is read as the database stands then, as a reader paging
    through the thread would see it. The next list is asked for before this one is
    handed on: on PostgreSQL (pipeline mode) the database reads it while Python writes
    this one out, which took a 10,000-comment document from ~160 to ~115 ms."""
    fetch = fetch or FETCH
    select_sql, select_params = _select()
    # Compiled once; each query sets the path to go on from and its size.
    after = _After("")
    rows = visible_rows(thread, viewer=viewer).filter(path__gt=after)
    inner_sql, inner_params = rows.query.sql_with_params()
    at = next((i for i, param in enumerate(inner_params) if param is after), None)
    if at is None:  # Django copied the value: the batches could not go on
        raise RuntimeError("the path parameter is not among the compiled query's")
    sql = f"WITH r ({', '.join(VISIBLE_COLUMNS)}) AS ({inner_sql}) {select_sql}"
    params = [*inner_params, *select_params, 0]
    limit = len(params) - 1
    size = min(FIRST_FETCH, fetch)
    with _pipeline(), connection.cursor() as ahead, connection.cursor() as current:
        params[limit] = size
        ahead.execute(sql, params)
        while True:
            current, ahead = ahead, current
            batch = current.fetchall()
            more = len(batch) == size
            if more:
                # Asked for before this batch goes out: on PostgreSQL the database reads
                # the next batch while Python writes this one.
                params[at] = batch[-1][-1]
                size = min(size * 2, fetch)
                params[limit] = size
                ahead.execute(sql, params)
            if batch:
                yield batch
            if not more:
                return


def _pipeline() -> contextlib.AbstractContextManager:
    """PostgreSQL's pipeline mode on Django's connection (a query is sent without
    waiting for the answers before it); elsewhere nothing."""
    if connection.vendor != "postgresql":
        return contextlib.nullcontext()
    connection.ensure_connection()
    return connection.connection.pipeline()


class _After(str):
    """The path parameter, found again by identity among the compiled query's."""
