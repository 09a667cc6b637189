"""Reading a whole thread for its JSON document (GET /t/<id>/comments.json): rows, not
models.

A 10,000-comment thread read as Comment instances spent most of its time building
models and following their relations. Here one query reads only the columns the
document shows, with the quoted comment's status joined in and the visibility rules
applied in SQL: comments the viewer may not see and that have no replies are never
read, and a hidden comment's text never leaves the database. Authors' usernames come
from one more query per chunk. Rows come in chunks from a database iterator (a
server-side cursor on PostgreSQL), so memory stays flat whatever the thread's size.

The rules are those of selectors.Viewer / Node.quote_visible: a reader sees published
comments and their own pending ones, a moderator sees everything; a hidden comment with
replies comes as a placeholder so the tree stays whole.
"""

from __future__ import annotations

from collections.abc import Iterator
from typing import Any, NamedTuple

from django.contrib.auth import get_user_model
from django.db.models import BooleanField, Case, F, Field, Q, TextField, Value, When

from veche.discussion.models import Comment, CommentStatus, Thread
from veche.discussion.selectors import Viewer

# The order of the values in every row iter_thread_rows() yields.
ROW_FIELDS = (
    "id",
    "parent_id",
    "depth",
    "status",
    "shown",  # the viewer sees its text; otherwise a placeholder
    "author_name",
    "author_id",  # None when there is no account behind the comment
    "body_html",  # "" when not shown
    "created_at",
    "edited_at",
    "score",
    "upvotes",
    "downvotes",
    "quote_visible",  # shown and its quote may be shown
    "quoted_comment_id",
    "quotes_target",
    "quoted_text",
    "quoted_author_name",
)
# Where a row's value comes from, when not the column of its name.
COLUMNS = {"body_html": "text"}
AUTHOR = ROW_FIELDS.index("author_id")
# Rows held at once: the peak memory of a document (about 1 MiB at 500, the same for a
# thousand comments as for ten thousand); bigger chunks were hardly faster.
DEFAULT_CHUNK = 500


class ThreadChunk(NamedTuple):
    rows: list[tuple]  # values in ROW_FIELDS order
    usernames: dict[int, str]  # of the rows' authors


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


def iter_thread_rows(
    thread: Thread, *, viewer: Viewer, chunk_size: int = DEFAULT_CHUNK
) -> Iterator[ThreadChunk]:
    """Chunks of at most chunk_size rows (values in ROW_FIELDS order), in thread order:
    every comment the viewer may see, and a placeholder row for each hidden one that
    has replies. Parents come before their replies (the order is by path)."""
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
    rows = query.order_by("path").values_list(*(COLUMNS.get(n, n) for n in ROW_FIELDS))
    chunk: list[tuple] = []
    for row in rows.iterator(chunk_size=chunk_size):
        chunk.append(row)
        if len(chunk) >= chunk_size:
            yield ThreadChunk(chunk, _usernames(chunk))
            chunk = []
    if chunk:
        yield ThreadChunk(chunk, _usernames(chunk))


def _usernames(rows: list[tuple]) -> dict[int, str]:
    # A query per chunk rather than a join: on a freshly loaded table (no statistics
    # yet) PostgreSQL planned the join as a nested loop over every account per comment.
    ids = {row[AUTHOR] for row in rows} - {None}
    users = get_user_model().objects.filter(pk__in=ids)
    return dict(users.values_list("pk", "username")) if ids else {}
