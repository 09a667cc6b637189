"""Rendering a thread for the web pages of whoever hosts it (the newsroom's articles).

render_discussion() is the one entry point: it reads a page of the thread through the
selectors and renders the comment tree with Jinja2, the form (or the notice asking the
reader to register) and the paging, and gives the schema.org comments for the page.

The comment tree of a page is the same for every reader of one visibility class (all
readers, or moderators), so it is rendered once per thread version and kept in
Django's cache as HTML with *slots*: the few places that differ per reader (the vote
buttons with the reader's own vote and CSRF token, edit, delete and report links, the
reason shown to the author of a rejected comment). A request fills the slots from small
per-comment facts kept beside the HTML (author, status, time): no comment row is read
and no template runs for the tree, so a page costs about the same at 20 or 200
comments. The key holds the thread's version (bumped by every visible change, read
fresh from the database on every request), the page, the order, the class, the
language, the time zone and the presentation's version, so a changed thread or setting
is never served from an old entry. What changes without a new thread version (authors'
ranks, which depend on their comments elsewhere) is bounded by the entry's lifetime,
VECHE_PAGE_CACHE_SECONDS, as on the full-page cache. A reader with a pending comment
on the page (only they see its text) gets the page rendered for them, uncached.
"""

from __future__ import annotations

import html
import re
import secrets
import uuid
from collections.abc import Callable, Iterator
from dataclasses import dataclass, field
from datetime import datetime
from typing import Any
from urllib.parse import urlencode

from django.conf import settings
from django.core.cache import cache
from django.http import HttpRequest
from django.middleware.csrf import get_token
from django.template.loader import get_template
from django.urls import reverse
from django.utils import timezone, translation
from django.utils.safestring import SafeString, mark_safe

from veche.accounts.avatars import avatar_url
from veche.accounts.policy import participation_refusal
from veche.core.lru import BoundedLRU
from veche.core.presentation import present_html, presentation_version
from veche.core.urlbuild import MARKER, url_maker
from veche.discussion.actions import thread_accepts_comments
from veche.discussion.models import CommentStatus, Thread, Vote
from veche.discussion.selectors import (
    DEFAULT_SORT,
    SORTS,
    Node,
    ThreadPage,
    Viewer,
    get_thread_page,
)
from veche.discussion.text import plain_text

# Per-page extras from other apps (moderation's ranks, report links): each is called
# once per rendered page with the page's comments and returns template helpers, so a
# per-author lookup costs one query per page, not one per comment. When the tree comes
# from the cache, annotators get only the reader's own comments on the page (as
# PageComment: pk, author_id, status, created_at), for the per-reader parts.
PageAnnotator = Callable[[HttpRequest, list[Any]], dict]
_page_annotators: list[PageAnnotator] = []


def register_page_annotator(annotator: PageAnnotator) -> PageAnnotator:
    if annotator not in _page_annotators:
        _page_annotators.append(annotator)
    return annotator


def _walk(nodes: list[Node]) -> Iterator[Node]:
    stack = list(nodes)
    while stack:
        node = stack.pop()
        yield node
        stack.extend(node.children)


def _page_comments(nodes: list[Node]) -> list[Any]:
    return [node.comment for node in _walk(nodes)]


SORT_LABELS = {"oldest": "In thread order", "newest": "Newest first", "best": "Best first"}


@dataclass
class DiscussionView:
    html: SafeString
    jsonld_comments: list[dict]
    comment_count: int
    page_number: int = 1
    page_count: int = 1


@dataclass(frozen=True)
class PageComment:
    """The facts about a comment of a cached tree that its per-reader parts depend on."""

    pk: int
    author_id: int | None
    status: str
    created_at: datetime

    @property
    def id(self) -> int:
        return self.pk


@dataclass
class RenderedTree:
    """A page's comment tree as HTML with slots: parts[0] slot[0] parts[1] slot[1] ..."""

    parts: list[str]
    slots: list[tuple[str, int]]
    # comment id -> (author id, status, created_at), for filling the slots
    facts: dict[int, tuple[int | None, str, datetime]]
    jsonld: list[dict]
    number: int
    page_count: int
    sort: str
    has_comments: bool
    # Readers who must get this page rendered for them (ThreadPage.pending_authors).
    personal: frozenset[int] = field(default_factory=frozenset)

    @property
    def size(self) -> int:
        """About the bytes it holds: the HTML, and per comment its facts and its
        schema.org object (whose text is about as long as its HTML's)."""
        return 2 * sum(map(len, self.parts)) + 600 * len(self.facts) + 1024


def parse_page_args(request: HttpRequest) -> tuple[int, str]:
    try:
        page = int(request.GET.get("page", "1"))
    except ValueError:
        page = 1
    sort = request.GET.get("sort", DEFAULT_SORT)
    return page, sort if sort in SORTS else DEFAULT_SORT


def render_discussion(
    request: HttpRequest,
    thread: Any,
    *,
    page: int = 1,
    sort: str = DEFAULT_SORT,
    base_url: str | None = None,
) -> DiscussionView:
    viewer = Viewer.of(request.user)
    sort = sort if sort in SORTS else DEFAULT_SORT
    refusal = participation_refusal(request.user)
    tree, annotations = page_tree(request, thread, viewer=viewer, sort=sort, page=page)
    tree_html = fill_slots(request, tree, viewer, refusal=refusal, annotations=annotations)
    base_url = base_url or thread.url or request.path
    html = render_tree_section(
        request, thread, tree, mark_safe(tree_html), base_url=base_url, refusal=refusal  # noqa: S308
    )
    return DiscussionView(
        html=html,
        jsonld_comments=tree.jsonld,
        comment_count=thread.comment_count,
        page_number=tree.number,
        page_count=tree.page_count,
    )


# --- The cached tree -----------------------------------------------------------------


def page_tree(
    request: HttpRequest, thread: Thread, *, viewer: Viewer, sort: str, page: int
) -> tuple[RenderedTree, dict | None]:
    """The page's tree for this viewer, from the cache when possible. Also gives the
    annotators' helpers when it rendered the tree (None from the cache)."""
    current = Thread.objects.filter(pk=thread.pk).values_list("version", flat=True).first()
    key = _tree_key(thread, current, sort, page, viewer)
    personal = False
    tree = _cached_tree(key) if key else None
    if tree is not None:
        if viewer.is_moderator or viewer.user_id not in tree.personal:
            return tree, None
        personal = True
    class_viewer = Viewer(is_moderator=viewer.is_moderator)
    thread_page = None
    if not personal:
        thread_page = get_thread_page(thread, viewer=class_viewer, sort=sort, page=page)
        personal = (
            not viewer.is_moderator
            and viewer.user_id is not None
            and viewer.user_id in thread_page.pending_authors
        )
    if personal:
        thread_page = get_thread_page(thread, viewer=viewer, sort=sort, page=page)
    tree, annotations = render_page_tree(request, thread_page, viewer)
    # Only the page that was asked for (no clamped page numbers: they are unbounded).
    if key and not personal and tree.number == page:
        _store_tree(key, tree)
    return tree, annotations


# A key names one thread version, so what it holds never changes (but for the ranks,
# bounded by the lifetime): a worker may keep a copy. Unpickling a 200-comment tree
# fetched from Redis cost about 0.6 ms of a page's 5.
_local_trees: BoundedLRU[RenderedTree] = BoundedLRU(settings.VECHE_TREE_CACHE_LOCAL_BYTES)


def _cached_tree(key: str) -> RenderedTree | None:
    return _local_trees.get_through(
        key, cache.get, lambda tree: tree.size, settings.VECHE_PAGE_CACHE_SECONDS
    )


def _store_tree(key: str, tree: RenderedTree) -> None:
    cache.set(key, tree, settings.VECHE_PAGE_CACHE_SECONDS)
    if _local_trees.max_bytes > 0:
        _local_trees.put(key, tree, tree.size, ttl=settings.VECHE_PAGE_CACHE_SECONDS)


def _tree_key(
    thread: Thread, version: int | None, sort: str, page: int, viewer: Viewer
) -> str | None:
    if version is None or settings.VECHE_PAGE_CACHE_SECONDS <= 0:
        return None
    visibility = "moderator" if viewer.is_moderator else "reader"
    return page_version_key("veche:tree:v1", thread, version, sort, page, visibility)


def page_version_key(
    prefix: str, thread: Thread, version: int, sort: str, page: int, *variant: object
) -> str:
    """A cache key for what one page of one thread version renders to: everything the
    rendering depends on besides the reader (`variant`: what else the caller's does)."""
    # created_at too: a recreated database (or a rolled-back test) reuses ids.
    born = int(thread.created_at.timestamp() * 1_000_000) if thread.created_at else 0
    return ":".join(
        str(part)
        for part in (
            prefix,
            thread.pk,
            born,
            version,
            sort,
            page,
            *variant,
            translation.get_language() or "",
            timezone.get_current_timezone_name(),
            presentation_version(),
            settings.VECHE_PAGE_SIZE,
            settings.VECHE_VISUAL_DEPTH,
        )
    )


def render_page_tree(
    request: HttpRequest, thread_page: ThreadPage, viewer: Viewer
) -> tuple[RenderedTree, dict]:
    roots = thread_page.roots
    return _render_slotted_tree(
        request, "discussion/tree.html", {"roots": roots}, roots,
        jsonld=jsonld_comments(roots),
        number=thread_page.number,
        page_count=thread_page.page_count,
        sort=thread_page.sort,
        personal=thread_page.pending_authors,
    )


def _render_slotted_tree(
    request: HttpRequest, template: str, context: dict, nodes: list[Node], **page: Any
) -> tuple[RenderedTree, dict]:
    """Render nodes once, leaving slots for what varies per reader; page: the rest of
    RenderedTree's fields."""
    annotations = annotate_page(request, _page_comments(nodes))
    parts, slots = render_slotted(template, {**context, **shared_helpers(annotations)})
    facts = {
        n.comment.pk: (n.comment.author_id, n.comment.status, n.comment.created_at)
        for n in _walk(nodes)
    }
    tree = RenderedTree(parts=parts, slots=slots, facts=facts, has_comments=bool(nodes), **page)
    return tree, annotations


def annotate_page(request: HttpRequest, comments: list[Any]) -> dict:
    helpers: dict = {}
    for annotator in _page_annotators:
        helpers.update(annotator(request, comments))
    return helpers


def shared_helpers(annotations: dict) -> dict:
    """What the tree template needs that is the same for every reader."""
    continue_url = url_maker("discussion:continue")
    return {
        "present": annotations.get("present")
        or (lambda html: mark_safe(present_html(html))),  # noqa: S308 - sanitised HTML
        "rank": annotations.get("rank") or (lambda author_id: ""),
        "avatar_url": avatar_url,
        "profile_url": url_maker("accounts:profile"),
        "permalink": url_maker("discussion:permalink"),
        "reply_url": url_maker("discussion:reply"),
        "continue_url": lambda cid, after="": (
            continue_url(cid) + ("?" + urlencode({"after": after}) if after else "")
        ),
    }


def render_slotted(template: str, context: dict) -> tuple[list[str], list[tuple[str, int]]]:
    """Render `template`, whose `slot(kind, id)` calls mark the per-reader places; give
    the text between them and the slots. The marker carries a fresh random nonce, so no
    stored text (names, bodies) can pose as a slot."""
    nonce = secrets.token_hex(8)

    def slot(kind: str, ident: int) -> SafeString:
        return mark_safe(f"\x00{nonce}{kind}:{int(ident)}\x00")  # noqa: S308 - no user text

    html = get_template(template, using="jinja2").render({**context, "slot": slot})
    pieces = re.split(f"\x00{nonce}(\\w+):(\\d+)\x00", html)
    return pieces[0::3], list(zip(pieces[1::3], map(int, pieces[2::3]), strict=True))


# --- Filling the slots for one reader ------------------------------------------------

def _vote_form(mine: int) -> str:
    """The vote buttons for a reader whose vote is `mine`; {action} and {csrf} left."""
    up, down = ("0", "-1") if mine == 1 else ("1", "0") if mine == -1 else ("1", "-1")
    return (
        '\n      <form class="c__vote" method="post" action="{action}">\n'
        '        <input type="hidden" name="csrfmiddlewaretoken" value="{csrf}">\n'
        f'        <button type="submit" name="value" value="{up}" class="c__vote-up"'
        f' aria-pressed="{str(mine == 1).lower()}" aria-label="Vote up">&#9650;</button>\n'
        f'        <button type="submit" name="value" value="{down}" class="c__vote-down"'
        f' aria-pressed="{str(mine == -1).lower()}" aria-label="Vote down">&#9660;</button>\n'
        "      </form>"
    )


VOTE_FORMS = {mine: _vote_form(mine) for mine in (-1, 0, 1)}


def _escaped_maker(route: str) -> Callable[[int], str]:
    head, _, tail = html.escape(url_maker(route)(MARKER)).partition(MARKER)
    return lambda cid: f"{head}{cid}{tail}"


def fill_slots(
    request: HttpRequest,
    tree: RenderedTree,
    viewer: Viewer,
    *,
    refusal: tuple[str, str] | None = None,
    annotations: dict | None = None,
    votes: dict[int, int] | None = None,
) -> str:
    """The tree's HTML for this reader. An anonymous reader's slots are all empty."""
    if viewer.user_id is None:
        return "".join(tree.parts)
    viewer_id = viewer.user_id
    facts = tree.facts
    own = [
        PageComment(cid, author_id, status, created)
        for cid, (author_id, status, created) in facts.items()
        if author_id == viewer_id
    ]
    if annotations is None:
        annotations = annotate_page(request, own)
    may_vote = refusal is None
    if votes is None:
        votes = {}
        votable = [
            cid
            for cid, (author_id, status, _) in facts.items()
            if status == CommentStatus.PUBLISHED and author_id != viewer_id
        ]
        if may_vote and votable:
            votes = dict(
                Vote.objects.filter(user_id=viewer_id, comment_id__in=votable).values_list(
                    "comment_id", "value"
                )
            )
    csrf = html.escape(get_token(request))
    # URLs of one route differ only in the id (veche.core.urlbuild): escape the rest once.
    vote_url = _escaped_maker("discussion:vote")
    edit_url = _escaped_maker("discussion:edit")
    delete_url = _escaped_maker("discussion:delete")
    report_url = annotations.get("report_url")
    reason_of = annotations.get("rejection_reason")
    now = timezone.now()
    window = settings.VECHE_EDIT_WINDOW_SECONDS
    published, pending = CommentStatus.PUBLISHED.value, CommentStatus.PENDING.value

    def vote(cid: int) -> str:
        author_id, status, _ = facts[cid]
        if not may_vote or author_id == viewer_id or status != published:
            return ""
        mine = votes.get(cid, 0)
        return VOTE_FORMS[mine].format(action=vote_url(cid), csrf=csrf)

    def controls(cid: int) -> str:
        author_id, status, created = facts[cid]
        if author_id == viewer_id:
            out = ""
            if status in (published, pending):
                if (now - created).total_seconds() < window:
                    out += f'\n      <a class="c__edit" href="{edit_url(cid)}">Edit</a>'
                out += f'\n      <a class="c__delete" href="{delete_url(cid)}">Delete</a>'
            return out
        if status == published and report_url is not None:
            return (
                f'\n      <a class="c__report" href="{html.escape(report_url(cid))}"'
                ' rel="nofollow">Report</a>'
            )
        return ""

    def reason(cid: int) -> str:
        author_id, _, _ = facts[cid]
        if author_id != viewer_id or reason_of is None:
            return ""
        text = reason_of(cid)
        return f' <span class="c__reason">Reason: {html.escape(text)}</span>' if text else ""

    fillers = {"vote": vote, "controls": controls, "reason": reason}
    parts = tree.parts
    out = [parts[0]]
    for (kind, cid), text in zip(tree.slots, parts[1:], strict=True):
        out.append(fillers[kind](cid))
        out.append(text)
    return "".join(out)


# --- The section around the tree -----------------------------------------------------


def _page_url(base_url: str, page: int, sort: str) -> str:
    params = {}
    if page > 1:
        params["page"] = page
    if sort != DEFAULT_SORT:
        params["sort"] = sort
    return base_url + ("?" + urlencode(params) if params else "") + "#comments"


_UNSET: Any = object()


def form_context(
    request: HttpRequest, thread: Any, *, refusal: tuple[str, str] | None = _UNSET
) -> dict:
    user = request.user
    if refusal is _UNSET:
        refusal = participation_refusal(user)
    accepts = thread_accepts_comments(thread)
    return {
        "can_post": refusal is None and accepts,
        "refusal": refusal,
        "closed": not accepts,
        "signed_in": user.is_authenticated,
        "csrf_token": get_token(request) if user.is_authenticated else "",
        "client_token": uuid.uuid4().hex,
        "post_url": reverse("discussion:post", args=[thread.pk]),
        "login_url": reverse("account_login") + "?" + urlencode({"next": request.get_full_path()}),
        "signup_url": reverse("account_signup"),
        "max_length": settings.VECHE_COMMENT_MAX_LENGTH,
    }


def render_tree_section(
    request: HttpRequest,
    thread: Any,
    tree: RenderedTree,
    tree_html: SafeString,
    *,
    base_url: str,
    refusal: tuple[str, str] | None = _UNSET,
) -> SafeString:
    sorts = [
        {
            "key": key,
            "label": SORT_LABELS[key],
            "url": _page_url(base_url, 1, key),
            "current": key == tree.sort,
        }
        for key in SORTS
    ]
    pages = [
        {
            "number": n,
            "url": _page_url(base_url, n, tree.sort),
            "current": n == tree.number,
        }
        for n in range(1, tree.page_count + 1)
    ]
    context = {
        "thread": thread,
        "has_comments": tree.has_comments,
        "tree_html": tree_html,
        "sorts": sorts,
        "pages": pages,
        **form_context(request, thread, refusal=refusal),
    }
    return mark_safe(get_template("discussion/section.html", using="jinja2").render(context))  # noqa: S308


def render_tree_page(
    request: HttpRequest, template: str, context: dict, nodes: list[Node]
) -> SafeString:
    """An uncached tree (the continue view) through the same slots as the article page."""
    viewer = Viewer.of(request.user)
    tree, annotations = _render_slotted_tree(
        request, template, context, nodes, jsonld=[], number=1, page_count=1, sort=DEFAULT_SORT
    )
    votes = {n.comment.pk: n.my_vote for n in _walk(nodes) if n.my_vote}
    html = fill_slots(
        request,
        tree,
        viewer,
        refusal=participation_refusal(request.user),
        annotations=annotations,
        votes=votes,
    )
    return mark_safe(html)  # noqa: S308 - rendered with autoescape


def jsonld_comments(nodes: list[Node]) -> list[dict]:
    out: list[dict] = []
    for node in nodes:
        replies = jsonld_comments(node.children)
        c = node.comment
        if node.shown and c.status == "published":
            item: dict = {
                "@type": "Comment",
                "author": {"@type": "Person", "name": c.author_name},
                "dateCreated": c.created_at.isoformat(),
                "text": plain_text(c.body_html).strip(),
            }
            if replies:
                item["comment"] = replies
            out.append(item)
        else:
            out.extend(replies)  # replies of a hidden comment move up a level
    return out
