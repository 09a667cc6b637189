"""Inserting a comment with its counters: the thread's next sequence number (which
also takes the thread's row lock), the row, the author's tally, a reply's ancestors'
counters and the rows stored with it (hooks.CompanionRow: what the checks said).
actions.do_create_comment owns the transaction and calls these; on PostgreSQL all of it
is one statement (insert_folded), elsewhere one statement a step (insert_companions).
"""

from __future__ import annotations

from collections.abc import Sequence
from datetime import datetime
from functools import cache
from typing import Any

from django.db import connection
from django.db.models import Case, F, Model, PositiveIntegerField, When

from veche.discussion.hooks import CompanionRow
from veche.discussion.models import SEQ_WIDTH, AuthorTally, Comment, Thread, encode_seq


def _thread_counters(*, published: bool, created_at: datetime) -> tuple[str, list[Any]]:
    """The SET clause that takes the thread's next number, bumps its version and, for a
    published comment, counts it; with its parameters."""
    params: list[Any] = []
    if published:
        field = Thread._meta.get_field("last_comment_at")
        params.append(field.get_db_prep_value(created_at, connection))
    return _thread_counters_sql(published), params


def _thread_counters_sql(published: bool) -> str:
    meta = Thread._meta

    def col(name: str) -> str:
        return connection.ops.quote_name(meta.get_field(name).column)

    sets = [f"{col(name)} = {col(name)} + 1" for name in ("next_seq", "version")]
    if published:
        sets += [f"{col('comment_count')} = {col('comment_count')} + 1",
                 f"{col('last_comment_at')} = %s"]
    return ", ".join(sets)


def count_reply(parent_id: int, root_id: int) -> None:
    """The parent's replies and the root's descendants in one statement (the parent may
    be the root itself)."""
    Comment.objects.filter(pk__in={parent_id, root_id}).update(
        reply_count=Case(
            When(pk=parent_id, then=F("reply_count") + 1),
            default=F("reply_count"),
            output_field=PositiveIntegerField(),
        ),
        descendant_count=Case(
            When(pk=root_id, then=F("descendant_count") + 1),
            default=F("descendant_count"),
            output_field=PositiveIntegerField(),
        ),
    )


_SEQ_DIGITS = "0123456789abcdefghijklmnopqrstuvwxyz"


def _seq_code_sql(seq: str) -> str:
    """SQL for encode_seq(seq): SEQ_WIDTH base-36 digits, most significant first (it
    wraps past 36**SEQ_WIDTH; the caller compares with encode_seq, which raises)."""
    return " || ".join(
        f"substr('{_SEQ_DIGITS}', (({seq}) / {36 ** k} %% 36)::int + 1, 1)"
        for k in reversed(range(SEQ_WIDTH))
    )


def _row_params(instance: Any, skip: str = "") -> list[Any]:
    """The values of a new row of `instance` (its primary key and the field `skip` left
    out), prepared as Model.save() would prepare them, in _companion_sql's order."""
    return [field.get_db_prep_save(field.pre_save(instance, True), connection)
            for field in instance._meta.concrete_fields
            if not field.primary_key and field.name != skip]


def _companion_sql(n: int, model: type, comment_field: str) -> str:
    """A data-modifying CTE inserting a companion row of `model`, reading the new
    comment's id from the CTE "c"; its parameters are _row_params(instance, skip=
    comment_field)."""
    qn = connection.ops.quote_name
    meta = model._meta
    names = [qn(f.column) for f in meta.concrete_fields
             if not f.primary_key and f.name != comment_field]
    count = len(names)
    names.append(qn(meta.get_field(comment_field).column))
    return (
        f", k{n} AS (INSERT INTO {qn(meta.db_table)} ({', '.join(names)})"  # noqa: S608
        f" SELECT {', '.join(['%s'] * count)}, c.{qn(Comment._meta.pk.column)}"
        " FROM c)"
    )


def insert_companions(comment: Comment, companions: Sequence[CompanionRow]) -> None:
    """Elsewhere than on PostgreSQL: the companion rows, once the comment has its id."""
    for row in companions:
        setattr(row.instance, row.comment_field, comment)
        insert_row(row.instance)


def insert_row(instance: Model) -> None:
    """A new row of `instance` (with an automatic primary key), as
    save(force_insert=True) writes it but from an INSERT written once per model: the
    ORM compiled one for every save, a third of a post's time in Python on SQLite. No
    save signals: nothing listens to them for comments and the rows stored with them
    (on PostgreSQL the folded insert never sent them either). Sets the primary key."""
    sql, returns = _insert_sql(type(instance), connection.vendor)
    with connection.cursor() as cursor:
        cursor.execute(sql, _row_params(instance))
        instance.pk = cursor.fetchone()[0] if returns else cursor.lastrowid
    instance._state.adding, instance._state.db = False, connection.alias


@cache
def _insert_sql(model: type[Model], vendor: str) -> tuple[str, bool]:
    """The INSERT of a new row of `model` (every column but the primary key, in
    _row_params's order) and whether it returns the new primary key."""
    qn = connection.ops.quote_name
    meta = model._meta
    names = [qn(f.column) for f in meta.concrete_fields if not f.primary_key]
    returns = connection.features.can_return_columns_from_insert
    sql = (f"INSERT INTO {qn(meta.db_table)} ({', '.join(names)})"  # noqa: S608
           f" VALUES ({', '.join(['%s'] * len(names))})")
    if returns:
        sql += f" RETURNING {qn(meta.pk.column)}"
    return sql, returns


def insert_folded(
    comment: Comment,
    prefix: str,
    *,
    published: bool,
    companions: Sequence[CompanionRow] = (),
) -> None:
    """PostgreSQL: the thread's next number, the comment row, the author's tally, a
    reply's counters and the companion rows in ONE statement (data-modifying CTEs),
    instead of a round trip each; being one statement it is atomic without a
    transaction around it. Same rows, same locks in the same order as the general path:
    the thread's row first (the UPDATE, which the INSERT reads), then the tally, the
    ancestors and the companions (CTEs nobody reads run after the main query, in
    order). Sets comment.pk, seq and path."""
    shapes = tuple((type(row.instance), row.comment_field) for row in companions)
    sql = _folded_sql(published, comment.author_id is not None, comment.parent_id is not None,
                      shapes, connection.vendor)
    params: list[Any] = []
    if published:
        params.append(Thread._meta.get_field("last_comment_at").get_db_prep_value(
            comment.created_at, connection))
    params.append(comment.thread_id)
    for field in _comment_fields():
        if field.name == "path":
            params.append(prefix)
        elif field.name != "seq":
            params.append(field.get_db_prep_save(field.pre_save(comment, True), connection))
    if comment.author_id is not None:
        params += [comment.author_id, str(comment.status)]
    if comment.parent_id is not None:
        params += [comment.parent_id, comment.root_id, comment.parent_id, comment.root_id]
    for row in companions:
        params += _row_params(row.instance, skip=row.comment_field)
    with connection.cursor() as cursor:
        cursor.execute(sql, params)
        rows = cursor.fetchall()
    if not rows:
        raise Thread.DoesNotExist(f"thread {comment.thread_id} is gone")
    comment.pk, comment.seq, comment.path = rows[0]
    if comment.path != prefix + encode_seq(comment.seq):  # raises past the last number
        raise RuntimeError(f"comment path {comment.path!r} does not encode {comment.seq}")
    comment._state.adding, comment._state.db = False, connection.alias


@cache
def _comment_fields() -> list[Any]:
    """The comment's columns a new row gets (all but the primary key), in order."""
    return [f for f in Comment._meta.concrete_fields if not f.primary_key]


@cache
def _folded_sql(published: bool, with_author: bool, with_parent: bool,
                companions: tuple[tuple[type, str], ...], vendor: str) -> str:
    """insert_folded's statement for one shape of post, written once: a post had spent
    more time quoting names and joining this text than PostgreSQL took to plan it.
    Parameters, in order: the thread's counters', the thread's id, the comment's fields
    but seq (the path's prefix for path), the tally's, the ancestors', the companions'."""
    qn = connection.ops.quote_name
    thread_meta, meta = Thread._meta, Comment._meta

    def tcol(name: str) -> str:
        return qn(thread_meta.get_field(name).column)

    def col(name: str) -> str:
        return qn(meta.get_field(name).column)

    sets = _thread_counters_sql(published)
    # Only quoted names of our own columns and fixed SQL go into the text; values are
    # parameters.
    sql = [
        f"WITH t AS (UPDATE {qn(thread_meta.db_table)} SET {sets}"  # noqa: S608
        f" WHERE {qn(thread_meta.pk.column)} = %s RETURNING {tcol('next_seq')} - 1 AS seq)"
    ]
    names, values = [], []
    for field in _comment_fields():
        names.append(qn(field.column))
        if field.name == "seq":
            values.append("t.seq")
        elif field.name == "path":
            values.append(f"%s || {_seq_code_sql('t.seq')}")
        else:
            values.append("%s")
    sql.append(
        f", c AS (INSERT INTO {qn(meta.db_table)} ({', '.join(names)})"  # noqa: S608
        f" SELECT {', '.join(values)} FROM t"
        f" RETURNING {qn(meta.pk.column)}, {col('seq')}, {col('path')})"
    )
    if with_author:
        tally = AuthorTally._meta
        name = qn(tally.db_table)
        user, status_col = (qn(tally.get_field(n).column) for n in ("user", "status"))
        count, upvotes = (qn(tally.get_field(n).column) for n in ("comments", "upvotes"))
        sql.append(
            f", a AS (INSERT INTO {name} ({user}, {status_col}, {count}, {upvotes})"  # noqa: S608
            f" SELECT %s, %s, 1, 0 FROM c ON CONFLICT ({user}, {status_col}) DO UPDATE"
            f" SET {count} = {name}.{count} + excluded.{count},"
            f" {upvotes} = {name}.{upvotes} + excluded.{upvotes})"
        )
    if with_parent:
        replies, descendants = col("reply_count"), col("descendant_count")
        pk = qn(meta.pk.column)
        sql.append(
            f", p AS (UPDATE {qn(meta.db_table)}"  # noqa: S608
            f" SET {replies} = {replies} + (CASE WHEN {pk} = %s THEN 1 ELSE 0 END),"
            f" {descendants} = {descendants} + (CASE WHEN {pk} = %s THEN 1 ELSE 0 END)"
            f" WHERE {pk} IN (%s, %s) AND EXISTS (SELECT 1 FROM c))"
        )
    for n, (model, comment_field) in enumerate(companions):
        sql.append(_companion_sql(n, model, comment_field))
    sql.append(f" SELECT {qn(meta.pk.column)}, {col('seq')}, {col('path')} FROM c")  # noqa: S608
    return "".join(sql)


def take_seq(thread_id: int, *, published: bool, created_at: datetime) -> int:
    """Take the thread's next sequence number and count the new comment, in ONE update
    that also takes the thread's row lock until the transaction ends, so concurrent
    posts get distinct, ordered numbers."""
    if not connection.features.can_return_columns_from_insert:  # no UPDATE … RETURNING
        locked = Thread.objects.select_for_update().only("pk", "next_seq").get(pk=thread_id)
        seq = locked.next_seq
        updates: dict[str, Any] = {"next_seq": seq + 1, "version": F("version") + 1}
        if published:
            updates["comment_count"] = F("comment_count") + 1
            updates["last_comment_at"] = created_at
        Thread.objects.filter(pk=thread_id).update(**updates)
        return seq
    qn = connection.ops.quote_name
    meta = Thread._meta
    sets, params = _thread_counters(published=published, created_at=created_at)
    # Only quoted names of our own columns go into the text; values are parameters.
    sql = (
        f"UPDATE {qn(meta.db_table)} SET {sets}"  # noqa: S608
        f" WHERE {qn(meta.pk.column)} = %s RETURNING {qn(meta.get_field('next_seq').column)}"
    )
    with connection.cursor() as cursor:
        cursor.execute(sql, [*params, thread_id])
        rows = cursor.fetchall()
    if not rows:
        raise Thread.DoesNotExist(f"thread {thread_id} is gone")
    return rows[0][0] - 1
