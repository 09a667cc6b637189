"""The same text posted again by the same reader within a day is held."""

from __future__ import annotations

from datetime import timedelta
from typing import Any

from django.db.models import QuerySet
from django.utils import timezone

from veche.accounts.facts import Fact, column, db_datetime, participant_id, table
from veche.discussion.hooks import HOLD, Draft, Verdict
from veche.discussion.models import Comment
from veche.discussion.text import body_digest
from veche.moderation import conf

EARLIER = "mod_duplicate_of"


def _same(author_id: Any, body_markdown: str, editing: Any) -> QuerySet[Comment]:
    since = timezone.now() - timedelta(hours=conf.duplicate_window_hours())
    same = Comment.objects.filter(
        author_id=author_id, body_digest=body_digest(body_markdown), created_at__gte=since,
        body_markdown=body_markdown,
    )
    if editing is not None:
        same = same.exclude(pk=editing.pk)
    return same.order_by("pk").values("pk")


def annotations(author: Any, body_markdown: str, editing: Any) -> dict[str, Fact]:
    """The earlier comment with this text (as _same finds it), read in posting's query
    of the author's row: found by the text's digest, the text compared as well."""
    since = timezone.now() - timedelta(hours=conf.duplicate_window_hours())
    pk = column(Comment, "id")
    sql = (
        f"SELECT c.{pk} FROM {table(Comment)} c WHERE c.{column(Comment, 'author')}"  # noqa: S608
        f" = {participant_id()} AND c.{column(Comment, 'body_digest')} = %s"
        f" AND c.{column(Comment, 'created_at')} >= %s"
        f" AND c.{column(Comment, 'body_markdown')} = %s"
    )
    params: list[Any] = [body_digest(body_markdown), db_datetime(since), body_markdown]
    if editing is not None:
        sql += f" AND c.{pk} <> %s"
        params.append(editing.pk)
    return {EARLIER: (f"{sql} ORDER BY c.{pk} LIMIT 1", params)}


def check(draft: Draft) -> Verdict | None:
    if draft.facts is not None and EARLIER in draft.facts:
        earlier = draft.facts[EARLIER]
    else:
        earlier = _same(draft.author.pk, draft.body_markdown, draft.editing).values_list(
            "pk", flat=True).first()
    if earlier is None:
        return None
    return Verdict(
        HOLD,
        f"Duplicate: the same text was posted in comment #{earlier} within "
        f"{conf.duplicate_window_hours()} h.",
        "duplicate",
        details={"earlier": earlier},
    )
