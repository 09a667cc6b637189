"""Which rows of a thread its whole JSON document (GET /t/<id>/comments.json) shows:
one query, the visibility rules applied in SQL.

Only the columns the document shows are read, with the quoted comment's status joined
in: comments the viewer may not see and that have no replies are never read, and a
hidden comment's text never leaves the database. The document itself is written from
this query by api.stream_sql (the database writes the JSON); authors' usernames come
from one more query per batch (usernames()).

The rules are those of selectors.Viewer / Node.quote_visible: a reader sees published
comments and their own pending ones, a moderator sees everything; a hidden comment with
replies comes as a placeholder so the tree stays whole.
"""

from __future__ import annotations

from collections.abc import Iterable
from typing import Any

from django.contrib.auth import get_user_model
from django.db.models import (
    BooleanField,
    Case,
    F,
    Field,
    Q,
    QuerySet,
    TextField,
    Value,
    When,
)

from veche.discussion.models import Comment, CommentStatus, Thread
from veche.discussion.selectors import Viewer

# The columns of visible_rows(), in the order of its SQL (Django selects the model's
# columns before the annotations, whatever the order asked for).
FIELD_COLUMNS = (
    "id",
    "thread_id",
    "parent_id",
    "depth",
    "status",
    "author_name",
    "author_id",  # None when there is no account behind the comment
    "created_at",
    "edited_at",
    "score",
    "upvotes",
    "downvotes",
    "quoted_comment_id",
    "quotes_target",
    "quoted_text",
    "quoted_author_name",
    "path",  # the thread order
)
ANNOTATED_COLUMNS = (
    "shown",  # the viewer sees its text; otherwise a placeholder
    "text",  # the stored HTML; "" when not shown
    "quote_visible",  # shown and its quote may be shown
)
VISIBLE_COLUMNS = FIELD_COLUMNS + ANNOTATED_COLUMNS


def _shown(viewer: Viewer) -> Q | None:
    """Who may read a comment's text; None: everything (a moderator)."""
    if viewer.is_moderator:
        return None
    seen = Q(status=CommentStatus.PUBLISHED)
    if viewer.user_id is not None:
        # A guest's pending comment (no account) is nobody's to see but moderators'.
        seen |= Q(status=CommentStatus.PENDING, author_id=viewer.user_id)
    return seen


def _case(condition: Q, then: Any, otherwise: Any, field: Field) -> Case:
    return Case(When(condition, then=then), default=otherwise, output_field=field)


def visible_rows(thread: Thread, *, viewer: Viewer) -> QuerySet:
    """The rows of the thread's document, unordered, values in VISIBLE_COLUMNS order:
    every comment the viewer may see, and a placeholder row for each hidden one that
    has replies. Order by "path" for the thread order (parents before replies)."""
    seen = _shown(viewer)
    quote_ok = (Q(quotes_target=True) & ~Q(quoted_text="")) | Q(
        quotes_target=False, quoted_comment__status=CommentStatus.PUBLISHED
    )
    query = Comment.objects.filter(thread=thread)
    if seen is None:
        query = query.annotate(
            shown=Value(True, output_field=BooleanField()),
            text=F("body_html"),
            quote_visible=_case(quote_ok, True, False, BooleanField()),
        )
    else:
        query = query.filter(seen | Q(reply_count__gt=0)).annotate(
            shown=_case(seen, True, False, BooleanField()),
            text=_case(seen, F("body_html"), Value(""), TextField()),
            quote_visible=_case(seen & quote_ok, True, False, BooleanField()),
        )
    rows = query.order_by().values_list(*VISIBLE_COLUMNS)
    selected = (*rows.query.values_select, *rows.query.annotation_select)
    if selected != VISIBLE_COLUMNS:  # the raw SQL users rely on this order
        raise AssertionError(f"visible_rows selects {selected}")
    return rows


def usernames(author_ids: Iterable[int | None]) -> dict[int, str]:
    """The usernames of these accounts."""
    # A query per batch rather than a join: on a freshly loaded table (no statistics
    # yet) PostgreSQL planned the join as a nested loop over every account per comment.
    ids = set(author_ids) - {None}
    users = get_user_model().objects.filter(pk__in=ids)
    return dict(users.values_list("pk", "username")) if ids else {}
