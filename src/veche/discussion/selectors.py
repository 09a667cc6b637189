"""Reading threads: the page of a thread a reader sees, as a tree of nodes.

A page is bounded by the number of comments it shows (VECHE_PAGE_SIZE), not by its
top-level comments: top-level subtrees are packed in order, counting the comments the
page shows (those above the visual depth). A subtree that does not fit in the room
left gets that room: its first replies and a "show N more replies" link (the rest is
on the continue view); only when the room left is small (under a tenth of a page) does
the subtree move to the next page instead. So every page but the last shows between
nine tenths of a page and a page, whatever the shape of the thread.

The page's boundaries come from one query over the thread's top-level comments (id,
status, shown subtree size), cached per thread version, and its comments from one
indexed query (two when the page ends in a cut subtree), so a page costs the same
however big the thread grows.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from functools import lru_cache
from typing import Any

from django.conf import settings
from django.core.cache import cache
from django.db import connection
from django.db.models import Count, OuterRef, Q, Subquery
from django.db.models.functions import Coalesce

from veche.core.lru import BoundedLRU
from veche.discussion.models import SEQ_WIDTH, Comment, CommentStatus, Thread, Vote

SORTS = {
    "oldest": ("seq",),
    "newest": ("-seq",),
    "best": ("-wilson", "seq"),
}
DEFAULT_SORT = "oldest"
COMMENT_FIELDS = (
    "id",
    "thread_id",
    "parent_id",
    "root_id",
    "seq",
    "path",
    "depth",
    "author_id",
    "author_name",
    "body_html",
    "quoted_comment_id",
    "quotes_target",
    "quoted_text",
    "quoted_author_name",
    "status",
    "created_at",
    "edited_at",
    "upvotes",
    "downvotes",
    "score",
    "reply_count",
    "descendant_count",
    "author__username",
    "author__display_name",
    "quoted_comment__status",
)


@dataclass
class Viewer:
    """Who is reading, as far as visibility goes."""

    user_id: int | None = None
    is_moderator: bool = False

    @classmethod
    def of(cls, user: Any) -> Viewer:
        if user is None or not getattr(user, "is_authenticated", False):
            return cls()
        return cls(user_id=user.pk, is_moderator=bool(getattr(user, "is_moderator", False)))

    def sees_text(self, comment: Comment) -> bool:
        if comment.status == CommentStatus.PUBLISHED or self.is_moderator:
            return True
        # A guest's comment has no author: None == None must not show it to every guest.
        return (comment.status == CommentStatus.PENDING and self.user_id is not None
                and comment.author_id == self.user_id)


@dataclass
class Node:
    comment: Comment
    shown: bool  # the reader sees its text; otherwise a placeholder
    number: int = 0
    children: list[Node] = field(default_factory=list)
    more_replies: int = 0  # replies of a big subtree left for the "show more" view
    more_after: str = ""  # path to continue after
    continues: bool = False  # has replies beyond the visual depth
    my_vote: int = 0

    @property
    def quote_visible(self) -> bool:
        c = self.comment
        if c.quotes_target:
            return bool(c.quoted_text)
        return c.quoted_comment_id is not None and (
            c.quoted_comment.status == CommentStatus.PUBLISHED
        )


@dataclass
class ThreadPage:
    thread: Thread
    sort: str
    number: int
    page_count: int
    roots: list[Node]
    head: Node | None = None  # the comment a "continue this thread" view hangs from
    next_after: str = ""  # for a continue view: where its next chunk starts
    # Readers who would see this page differently from everyone else: authors of pending
    # comments on it (only they see the text) or of pending top-level comments with no
    # replies (only they get them in the page layout). Caches of rendered pages use it.
    pending_authors: frozenset[int] = frozenset()


def _root_visible(status: str, descendants: int, author_id: int | None, viewer: Viewer) -> bool:
    if status == CommentStatus.PUBLISHED or descendants > 0 or viewer.is_moderator:
        return True
    return (status == CommentStatus.PENDING and viewer.user_id is not None
            and author_id == viewer.user_id)


def page_layout(thread: Thread, sort: str, viewer: Viewer) -> list[list[tuple[int, int, int]]]:
    """Pages as lists of (root id, shown subtree size, comments shown on this page) of the
    roots the viewer sees; the last two differ only for a subtree cut at the page's end.

    Cached per thread version (bumped on every visible change), so a page view does
    not read the list of roots once the layout of that version is known: the big
    cost of a page of a thread with thousands of top-level comments. Either way it
    is one query: a hit checks that the version is still the thread's (the caller's
    Thread may be older than the rows it is about to read); a miss reads the roots
    with the current version. Two layouts are kept per (version, order): a reader's
    and a moderator's; a signed-in reader who has a pending top-level comment with
    no replies (seen only by them) gets a layout computed for them.
    """
    return _pick_layout(_layout_entry_for(thread, sort), viewer)


def _layout_entry_for(thread: Thread, sort: str) -> dict[str, Any]:
    entry = _cached_layout(_layout_key(thread.pk, thread.created_at, thread.version, sort))
    if entry is not None:
        current = Thread.objects.filter(pk=thread.pk).values_list("version", flat=True).first()
        if current != thread.version:
            entry = _cached_layout(_layout_key(thread.pk, thread.created_at, current, sort))
    if entry is None:
        version, rows = _root_rows(thread, sort)
        entry = _layout_entry(rows)
        key = _layout_key(thread.pk, thread.created_at, version, sort)
        cache.set(key, entry, LAYOUT_CACHE_SECONDS)
        _keep_layout(key, entry)
    return entry


# A layout key names one thread version, so what it holds never changes: a worker may
# keep a copy (its readers only note counts of that version in it: _counted_after).
# Unpickling the layout of a 10,000-comment thread (~3,000 top-level comments) from the
# cache cost ~1.8 ms of its API page's ~24.
_local_layouts: BoundedLRU[dict[str, Any]] = BoundedLRU(
    settings.VECHE_LAYOUT_CACHE_LOCAL_BYTES
)
LAYOUT_ROOT_BYTES = 200  # what one root's tuple weighs in a kept layout, roughly


def _cached_layout(key: str) -> dict[str, Any] | None:
    return _local_layouts.get_through(key, cache.get, _layout_weight, LAYOUT_CACHE_SECONDS)


def _keep_layout(key: str, entry: dict[str, Any]) -> None:
    _local_layouts.put(key, entry, _layout_weight(entry), ttl=LAYOUT_CACHE_SECONDS)


def _layout_weight(entry: dict[str, Any]) -> int:
    roots = sum(len(page) for layout in ("reader", "moderator") for page in entry[layout])
    return LAYOUT_ROOT_BYTES * (roots + len(entry["rows"]) + 1)


def _pick_layout(entry: dict[str, Any], viewer: Viewer) -> list[list[tuple[int, int, int]]]:
    if viewer.is_moderator:
        return entry["moderator"]
    if viewer.user_id is None or viewer.user_id not in entry["pending_authors"]:
        return entry["reader"]
    return _compute_layout(entry["rows"], viewer)


LAYOUT_CACHE_SECONDS = 24 * 3600


def _layout_key(pk: int, created_at: Any, version: int | None, sort: str) -> str:
    # created_at too: a recreated database (or a rolled-back test) reuses ids.
    born = int(created_at.timestamp() * 1_000_000) if created_at else 0
    shape = f"{settings.VECHE_PAGE_SIZE}:{settings.VECHE_VISUAL_DEPTH}"
    return f"veche:layout:v2:{pk}:{born}:{version}:{sort}:{shape}"


def _root_rows(thread: Thread, sort: str) -> tuple[int | None, list[tuple]]:
    """The thread's current version and its top-level comments with the size of their
    subtrees as the page shows them (above the visual depth), in one query."""
    current = Thread.objects.filter(pk=thread.pk).values("version")[:1]
    shown = (
        Comment.objects.filter(root_id=OuterRef("pk"), depth__lt=settings.VECHE_VISUAL_DEPTH)
        .order_by()
        .values("root_id")
        .annotate(n=Count("pk"))
        .values("n")
    )
    rows = list(
        Comment.objects.filter(thread=thread, depth=0)
        .annotate(thread_version=Subquery(current), shown=Coalesce(Subquery(shown), 0))
        .order_by(*SORTS[sort])
        .values_list("id", "status", "descendant_count", "author_id", "shown", "thread_version")
    )
    version = rows[0][5] if rows else thread.version
    return version, [row[:5] for row in rows]


def _layout_entry(rows: list[tuple]) -> dict[str, Any]:
    pending_authors = {
        author_id
        for _, status, descendants, author_id, _ in rows
        if status == CommentStatus.PENDING and not descendants and author_id is not None
    }
    return {
        "reader": _compute_layout(rows, Viewer()),
        "moderator": _compute_layout(rows, Viewer(is_moderator=True)),
        "pending_authors": pending_authors,
        # Kept only when someone needs a layout of their own (rare).
        "rows": rows if pending_authors else [],
    }


def _compute_layout(
    rows: list[tuple[int, str, int, int | None, int]], viewer: Viewer
) -> list[list[tuple[int, int, int]]]:
    page_size = settings.VECHE_PAGE_SIZE
    # Below this much room a subtree that does not fit starts the next page rather than
    # being cut to a root and a reply or two.
    min_room = max(2, page_size // 10)
    pages: list[list[tuple[int, int, int]]] = [[]]
    room = page_size
    for root_id, status, descendants, author_id, shown in rows:
        if not _root_visible(status, descendants, author_id, viewer):
            continue
        size = 1 + shown
        if pages[-1] and size > room and room < min_room:
            pages.append([])
            room = page_size
        taken = min(size, room)
        pages[-1].append((root_id, size, taken))
        room -= taken
    return pages


def get_thread_page(
    thread: Thread, *, viewer: Viewer, sort: str = DEFAULT_SORT, page: int = 1
) -> ThreadPage:
    sort = sort if sort in SORTS else DEFAULT_SORT
    entry = _layout_entry_for(thread, sort)
    layout = _pick_layout(entry, viewer)
    page = min(max(page, 1), len(layout))
    roots = layout[page - 1]
    first_number = 1 + sum(len(p) for p in layout[: page - 1])
    visual_depth = settings.VECHE_VISUAL_DEPTH
    nodes: list[Node] = []
    rows: list[Comment] = []
    if roots:
        whole = [rid for rid, size, taken in roots if taken >= size]
        cut = [(rid, taken) for rid, size, taken in roots if taken < size]
        rows += _page_rows(whole, cut, visual_depth)
        by_id = _build_forest(rows, viewer)
        order = {rid: i for i, (rid, _, _) in enumerate(roots)}
        nodes = sorted(
            (n for n in by_id.values() if n.comment.depth == 0), key=lambda n: order[n.comment.pk]
        )
        for rid, _ in cut:
            node = by_id.get(rid)
            if node is not None:
                last = max((c.path for c in rows if c.root_id == rid), default=node.comment.path)
                node.more_after = last
                node.more_replies = _counted_after(entry, rid, last)
        _finish(nodes, by_id, viewer, first_number=first_number)
    pending = {
        c.author_id for c in rows if c.status == CommentStatus.PENDING and c.author_id is not None
    }
    return ThreadPage(
        thread=thread,
        sort=sort,
        number=page,
        page_count=len(layout),
        roots=nodes,
        pending_authors=frozenset(pending | entry["pending_authors"]),
    )


def _page_rows(whole: list[int], cut: list[tuple[int, int]], visual_depth: int) -> list[Comment]:
    """A page's comments in ONE query: the roots it shows whole with their subtrees, and
    the subtree it ends with (at most one), cut after its first `taken` comments.

    Read by their roots alone, through the (root, path) index: a condition on the thread
    as well let SQLite walk the whole thread along (thread, path) instead, which made the
    first page of a 10,000-comment thread twice as slow as a 1,000 one's. Roots come
    from this thread's layout, so their comments are this thread's. The cut subtree's
    first replies were a query of their own, a round trip and a compilation that only
    pages ending in a cut subtree paid.
    """
    wanted = Q(id__in=[*whole, *(rid for rid, _ in cut)]) | Q(root_id__in=whole)
    for rid, taken in cut:
        if taken > 1:  # the root and its first replies, which end at the (taken - 1)th's
            # path: every condition stays a range of an index (an IN (SELECT … LIMIT)
            # made PostgreSQL read ten times as much). Fewer left: up to the last one.
            replies = Comment.objects.filter(root_id=rid, depth__lt=visual_depth)
            last = Coalesce(
                Subquery(replies.order_by("path").values("path")[taken - 2 : taken - 1]),
                Subquery(replies.order_by("-path").values("path")[:1]),
            )
            wanted |= Q(root_id=rid, path__lte=last)
    return list(_comments().filter(wanted, depth__lt=visual_depth).order_by("path"))


def _counted_after(entry: dict[str, Any], root_id: int, path: str) -> int:
    """_count_after, noted in the layout entry of the thread version it was counted in
    (a worker's kept copy): the next reader of that page, signed in or a moderator
    whose page is built for them, gets it without a query. The path is in the key, so
    replies gone without a new version (a delete between the layout's read and the
    rows') give a new count."""
    counts = entry.setdefault("counts_after", {})
    found = counts.get((root_id, path))
    if found is None:
        if len(counts) >= COUNTS_KEPT:
            counts.clear()
        found = counts[(root_id, path)] = _count_after(root_id, path)
    return found


COUNTS_KEPT = 64  # a version's pages that end in a cut subtree, at most one each


def _count_after(root_id: int, path: str) -> int:
    """How many comments of the subtree come after `path`, by a statement written once:
    the ORM compiled this count anew for every page that ends in a cut subtree."""
    with connection.cursor() as cursor:
        cursor.execute(_count_after_sql(), [root_id, path])
        return cursor.fetchone()[0]


@lru_cache(maxsize=1)  # one default database a process
def _count_after_sql() -> str:
    qn = connection.ops.quote_name
    meta = Comment._meta
    return (f"SELECT COUNT(*) FROM {qn(meta.db_table)}"  # noqa: S608 - names from _meta
            f" WHERE {qn(meta.get_field('root').column)} = %s"
            f" AND {qn(meta.get_field('path').column)} > %s")


def get_continued_thread(head: Comment, *, viewer: Viewer, after: str = "") -> ThreadPage:
    """The replies under `head` beyond the article page: a chunk of its subtree in thread
    order, up to the visual depth below it, starting after the path `after`."""
    visual_depth = settings.VECHE_VISUAL_DEPTH
    page_size = settings.VECHE_PAGE_SIZE
    query = _comments().filter(
        thread_id=head.thread_id,
        path__startswith=head.path,
        depth__gt=head.depth,
        depth__lte=head.depth + visual_depth,
    )
    if after:
        query = query.filter(path__gt=after)
    rows = list(query.order_by("path")[: page_size + 1])
    next_after = ""
    if len(rows) > page_size:
        rows = rows[:page_size]
        next_after = rows[-1].path
    head_row = _comments().get(pk=head.pk)
    by_id = _build_forest([head_row, *rows], viewer)
    head_node = by_id[head.pk]
    # Replies whose parent came in an earlier chunk hang directly under the head.
    for node in list(by_id.values()):
        parent_id = node.comment.parent_id
        if node is not head_node and parent_id not in by_id:
            head_node.children.append(node)
    _finish(head_node.children, by_id, viewer, first_number=1, base_depth=head.depth + 1)
    if after:
        _renumber_continuation(head_node.children, viewer)
    thread = Thread.objects.get(pk=head.thread_id)
    return ThreadPage(
        thread=thread,
        sort=DEFAULT_SORT,
        number=1,
        page_count=1,
        roots=head_node.children,
        head=head_node,
        next_after=next_after,
    )


def _comments():
    return Comment.objects.select_related("author", "quoted_comment").only(*COMMENT_FIELDS)


def _build_forest(rows: list[Comment], viewer: Viewer) -> dict[int, Node]:
    by_id: dict[int, Node] = {}
    for c in rows:
        node = Node(comment=c, shown=viewer.sees_text(c))
        by_id[c.pk] = node
        parent = by_id.get(c.parent_id) if c.parent_id else None
        if parent is not None:
            parent.children.append(node)
    return by_id


def _prune(nodes: list[Node]) -> list[Node]:
    """Drop hidden comments that have nothing shown under them (bottom-up)."""
    kept = []
    for node in nodes:
        node.children = _prune(node.children)
        if node.shown or node.children or (node.comment.depth == 0 and node.more_replies):
            kept.append(node)
        elif node.comment.depth == 0 and node.comment.descendant_count:
            kept.append(node)  # counted in the page layout; keeps root numbers stable
    return kept


def _finish(
    roots: list[Node],
    by_id: dict[int, Node],
    viewer: Viewer,
    *,
    first_number: int,
    base_depth: int = 0,
) -> None:
    visual_depth = settings.VECHE_VISUAL_DEPTH
    roots[:] = _prune(roots)
    for i, node in enumerate(roots):
        node.number = first_number + i
    stack = list(roots)
    while stack:
        node = stack.pop()
        for i, child in enumerate(node.children, start=1):
            child.number = i
        c = node.comment
        node.continues = c.reply_count > 0 and c.depth - base_depth >= visual_depth - 1
        stack.extend(node.children)
    if viewer.user_id:
        votes = dict(
            Vote.objects.filter(user_id=viewer.user_id, comment_id__in=list(by_id)).values_list(
                "comment_id", "value"
            )
        )
        for comment_id, value in votes.items():
            by_id[comment_id].my_vote = value


def _renumber_continuation(children: list[Node], viewer: Viewer) -> None:
    """In a later chunk, a first-level reply's number counts the siblings before it."""
    for node in children:
        c = node.comment
        earlier = Comment.objects.filter(parent_id=c.parent_id, seq__lt=c.seq)
        if not viewer.is_moderator:
            earlier = earlier.filter(Q(status=CommentStatus.PUBLISHED) | Q(reply_count__gt=0))
        node.number = earlier.count() + 1
        break
    for i, node in enumerate(children[1:], start=1):
        node.number = children[0].number + i


def locate_comment(comment: Comment, *, viewer: Viewer) -> tuple[str, int, str]:
    """Where a permalink leads: ("page", page number, "") on the thread's page, or
    ("continue", head comment id, after-path) for replies shown on a continue view."""
    visual_depth = settings.VECHE_VISUAL_DEPTH
    if comment.depth >= visual_depth:
        head_depth = (comment.depth // visual_depth) * visual_depth - 1
        head_path = comment.path[: (head_depth + 1) * SEQ_WIDTH]
        head = Comment.objects.only("id").get(thread_id=comment.thread_id, path=head_path)
        return "continue", head.pk, ""
    thread = Thread.objects.get(pk=comment.thread_id)
    root_id = comment.root_id or comment.pk
    layout = page_layout(thread, DEFAULT_SORT, viewer)
    for number, roots in enumerate(layout, start=1):
        for rid, size, taken in roots:
            if rid != root_id:
                continue
            if taken < size and comment.pk != rid:
                # The page shows the root and its first taken - 1 replies above the
                # visual depth; a later one is on the continue view of the root.
                position = Comment.objects.filter(
                    root_id=rid, depth__lt=visual_depth, path__lt=comment.path
                ).count()
                if position >= taken - 1:
                    chunk_start = Comment.objects.filter(root_id=rid, path__lt=comment.path)
                    after = (
                        chunk_start.order_by("-path").values_list("path", flat=True).first() or ""
                    )
                    return "continue", rid, after
            return "page", number, ""
    return "page", 1, ""


def recent_comments_of(user: Any, limit: int = 20) -> list[Comment]:
    return list(
        Comment.objects.filter(author=user, status=CommentStatus.PUBLISHED)
        .select_related("thread")
        .order_by("-created_at")[:limit]
    )


def iter_whole_thread(thread: Thread, *, viewer: Viewer, chunk_size: int = 2000):
    """Every comment of the thread the viewer may see, in thread order, one at a time:
    (comment, shown). Hidden comments come as placeholders when they have replies.

    Streams from the database in chunks, so memory stays flat whatever the thread's
    size; the order (by path) lets a consumer rebuild the tree from `parent_id`."""
    rows = _comments().filter(thread=thread).order_by("path").iterator(chunk_size=chunk_size)
    for comment in rows:
        shown = viewer.sees_text(comment)
        if shown or comment.reply_count > 0:
            yield comment, shown


def sees_as_anonymous(thread: Thread, viewer: Viewer) -> bool:
    """Whether this reader sees the thread's comments exactly as a reader who is not
    signed in: not a moderator, and none of their own comments in it awaits moderation
    (readers see their own held comments, nobody else's)."""
    if viewer.user_id is None:
        return True
    if viewer.is_moderator:
        return False
    return not Comment.objects.filter(
        author_id=viewer.user_id, thread=thread, status=CommentStatus.PENDING
    ).exists()
