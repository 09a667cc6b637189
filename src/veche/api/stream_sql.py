"""The whole-thread document's comment objects, written by the database.

Reading a 10,000-comment thread as rows and formatting each comment in Python spent
two thirds of the document's time on Python objects: a value per column, Django's
converters, a datetime per timestamp, a JSON escape of every body. Here the database
writes each comment's JSON itself (SQLite's json_quote, PostgreSQL's to_json, both in
C) in two text pieces around the two things only Python knows:

    head   {"id":1,"thread":2,"parent":null,
           "author":{…} or null                    (Python: avatar and profile URLs)
           "html":"<p>…</p>"                         (Python: the presentation transforms)
    tail   ,"created":"…","edited":…,…,"depth":3}

The HTML comes raw: Python applies the presentation transforms (smileys, legal labels;
api.presentation.present_many) and encodes it. The visibility rules are discussion's
(thread_json.visible_rows): its query becomes a common table expression this module's
SELECT reads.

Every value is encoded exactly as DjangoJSONEncoder(ensure_ascii=False) would encode
it, so the document stays byte for byte the dict path's
(tests/api/test_stream_document.py checks that on SQLite and on PostgreSQL).
"""

from __future__ import annotations

import contextlib
from collections.abc import Iterator
from typing import NamedTuple

from django.db import connection

from veche.discussion.models import Thread
from veche.discussion.selectors import Viewer
from veche.discussion.thread_json import VISIBLE_COLUMNS, visible_rows

# Rows per query: about 1 MiB held at once, whatever the thread's size (2,000 held 8 MB
# more at the peak and were no faster); the first query is shorter, so that the first
# bytes leave soon.
FETCH = 500
FIRST_FETCH = 250


class Fragment(NamedTuple):
    head: str  # '{"id":…,"thread":…,"parent":…,'
    shown: bool  # False: a placeholder ("author":null, "html":"")
    author_name: str
    author_id: int | None
    html: str  # the stored HTML, "" when not shown
    tail: str  # ',"created":…}' to the end of the object
    path: str  # the comment's place in the thread order


def _sql_json_string(expression: str) -> str:
    """SQL of `expression` (text, never NULL) as a JSON string literal."""
    if connection.vendor == "postgresql":
        return f"to_json(CAST({expression} AS text))::text"
    return f"json_quote({expression})"


def _sql_json_time(column: str) -> str:
    """SQL of a timestamp as DjangoJSONEncoder writes it ("2026-11-25T08:00:00.123Z",
    without a fraction when there is none), quoted; "null" for NULL."""
    if connection.vendor == "postgresql":
        # The ISO text of the UTC time ("YYYY-MM-DD HH:MM:SS[.f…]", the fraction without
        # its trailing zeros), cut to milliseconds: to_char cost ten times as much.
        # psycopg reads timestamps only in the ISO DateStyle, so the app has it anyway.
        iso = f"CAST(({column} AT TIME ZONE 'UTC') AS text)"
        text = (f"replace(CASE WHEN length({iso}) = 19 THEN {iso}"
                f" ELSE substr(rpad({iso}, 26, '0'), 1, 23) END, ' ', 'T')")
    else:
        # Django stores "YYYY-MM-DD HH:MM:SS[.ffffff]" in UTC; the encoder keeps milliseconds.
        text = f"replace(substr({column}, 1, 23), ' ', 'T')"
    return f"COALESCE('\"' || {text} || 'Z\"', 'null')"


def _sql_format(template: str, *arguments: str) -> tuple[str, str]:
    """SQL filling each %s of `template` (a parameter, so never parsed as SQL) with the
    text of an argument, in one pass (chains of || copied the text at every step)."""
    function = "format" if connection.vendor == "postgresql" else "printf"
    return f"{function}(%s, {', '.join(arguments)})", template


def _sql_int(column: str) -> str:
    return f"COALESCE(CAST({column} AS text), 'null')"


def _select(permalink: tuple[str, str], status_json: dict[str, str]) -> tuple[str, list]:
    """The SELECT over the visible rows (CTE "r") and its own parameters."""
    q, t, i = _sql_json_string, _sql_json_time, _sql_int
    head, head_template = _sql_format(
        '{"id":%s,"thread":%s,"parent":%s,', "r.id", "r.thread_id", i("r.parent_id")
    )
    quote, quote_template = _sql_format(
        '{"comment_id":%s,"of_target":%s,"text":%s,"author_name":%s}',
        i("r.quoted_comment_id"),
        "CASE WHEN r.quotes_target THEN 'true' ELSE 'false' END",
        q("r.quoted_text"),
        q("r.quoted_author_name"),
    )
    url_head, url_tail = (part.replace("%", "%%") for part in permalink)
    tail, tail_template = _sql_format(
        ',"created":%s,"edited":%s,"score":%s,"upvotes":%s,"downvotes":%s,"my_vote":0,'
        f'"status":%s,"quote":%s,"url":{url_head}%s{url_tail},"continues":false,"depth":%s}}',
        t("r.created_at"),
        f"CASE WHEN r.shown THEN {t('r.edited_at')} ELSE 'null' END",
        "r.score",
        "r.upvotes",
        "r.downvotes",
        f"CASE WHEN r.shown THEN {q('r.status')} WHEN r.status = %s THEN %s ELSE %s END",
        f"CASE WHEN r.quote_visible THEN {quote} ELSE 'null' END",
        "r.id",
        "r.depth",
    )
    # The HTML comes once, raw: Python checks its presentation and encodes it (C, about
    # as fast as PostgreSQL's to_json, which also made the rows twice as long).
    # The order and the limit are this query's, not the CTE's: SQLite then merges the
    # two into one scan of the (thread, path) index (a CTE with its own LIMIT ran as a
    # co-routine whose rows went through a sorter, 20% of the query's time); PostgreSQL
    # inlines the CTE either way.
    sql = (f"SELECT {head}, r.shown, r.author_name, r.author_id, r.text,"  # noqa: S608
           f" {tail}, r.path FROM r ORDER BY r.path LIMIT %s")
    # In the order of the placeholders: the head's, the tail's (whose status and quote
    # come before the quote's own); the limit, last, is the caller's.
    params = [head_template, tail_template, "deleted", status_json["deleted"],
              status_json["removed"], quote_template]
    return sql, params


def iter_fragments(
    thread: Thread,
    viewer: Viewer,
    *,
    permalink: tuple[str, str],
    status_json: dict[str, str],
    fetch: int | None = None,
) -> Iterator[list[tuple]]:
    """Lists of comments in thread order (parents before replies), each a tuple of
    Fragment's fields (a plain tuple: cheaper than the named one); the first lists are
    short, so the first bytes leave soon, later ones up to `fetch` (FETCH) long.

    permalink: the JSON string of a comment's URL, split where its id goes
    ('"/c/', '/"'); status_json: "deleted" and "removed" as JSON strings.

    One query a list, each going on from the last path the one before read: the
    (thread, path) index gives the rows in order, where one query for the whole thread
    had PostgreSQL sort them (on disk, past a few thousand comments) or hold them all
    for a cursor. Each list is read as the database stands then, as a reader paging
    through the thread would see it. The next list is asked for before this one is
    handed on: on PostgreSQL (pipeline mode) the database reads it while Python writes
    this one out, which took a 10,000-comment document from ~160 to ~115 ms."""
    fetch = fetch or FETCH
    select_sql, select_params = _select(permalink, status_json)
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
