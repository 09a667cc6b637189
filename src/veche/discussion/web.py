"""Rendering a thread for the web pages of whoever hosts it (the newsroom's articles).

render_discussion() is the one entry point: it reads a page of the thread through the
selectors and renders the comment tree with Jinja2, the form (or the notice asking the
reader to register) and the paging, and gives the schema.org comments for the page.
"""

from __future__ import annotations

import uuid
from collections.abc import Callable
from dataclasses import dataclass
from typing import Any
from urllib.parse import urlencode

from django.conf import settings
from django.http import HttpRequest
from django.middleware.csrf import get_token
from django.template.loader import get_template
from django.urls import reverse
from django.utils import timezone
from django.utils.safestring import SafeString, mark_safe

from veche.accounts.avatars import avatar_url
from veche.accounts.policy import participation_refusal
from veche.core.presentation import present_html
from veche.core.urlbuild import url_maker
from veche.discussion.actions import thread_accepts_comments
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
# per-author lookup costs one query per page, not one per comment.
PageAnnotator = Callable[[HttpRequest, list[Any]], dict]
_page_annotators: list[PageAnnotator] = []


def register_page_annotator(annotator: PageAnnotator) -> PageAnnotator:
    if annotator not in _page_annotators:
        _page_annotators.append(annotator)
    return annotator


def _page_comments(nodes: list[Node]) -> list[Any]:
    out, stack = [], list(nodes)
    while stack:
        node = stack.pop()
        out.append(node.comment)
        stack.extend(node.children)
    return out


SORT_LABELS = {"oldest": "In thread order", "newest": "Newest first", "best": "Best first"}


@dataclass
class DiscussionView:
    html: SafeString
    jsonld_comments: list[dict]
    comment_count: int
    page: ThreadPage


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
    thread_page = get_thread_page(thread, viewer=viewer, sort=sort, page=page)
    base_url = base_url or thread.url or request.path
    html = render_tree_section(request, thread_page, base_url=base_url)
    return DiscussionView(
        html=html,
        jsonld_comments=jsonld_comments(thread_page.roots),
        comment_count=thread.comment_count,
        page=thread_page,
    )


def _page_url(base_url: str, page: int, sort: str) -> str:
    params = {}
    if page > 1:
        params["page"] = page
    if sort != DEFAULT_SORT:
        params["sort"] = sort
    return base_url + ("?" + urlencode(params) if params else "") + "#comments"


def form_context(request: HttpRequest, thread: Any) -> dict:
    user = request.user
    refusal = participation_refusal(user)
    return {
        "can_post": refusal is None and thread_accepts_comments(thread),
        "refusal": refusal,
        "closed": not thread_accepts_comments(thread),
        "signed_in": user.is_authenticated,
        "csrf_token": get_token(request) if user.is_authenticated else "",
        "client_token": uuid.uuid4().hex,
        "post_url": reverse("discussion:post", args=[thread.pk]),
        "login_url": reverse("account_login") + "?" + urlencode({"next": request.get_full_path()}),
        "signup_url": reverse("account_signup"),
        "max_length": settings.VECHE_COMMENT_MAX_LENGTH,
    }


def render_tree_section(
    request: HttpRequest, thread_page: ThreadPage, *, base_url: str
) -> SafeString:
    thread = thread_page.thread
    sorts = [
        {
            "key": key,
            "label": SORT_LABELS[key],
            "url": _page_url(base_url, 1, key),
            "current": key == thread_page.sort,
        }
        for key in SORTS
    ]
    pages = [
        {
            "number": n,
            "url": _page_url(base_url, n, thread_page.sort),
            "current": n == thread_page.number,
        }
        for n in range(1, thread_page.page_count + 1)
    ]
    context = {
        "thread": thread,
        "page": thread_page,
        "sorts": sorts,
        "pages": pages,
        "tz": timezone.get_current_timezone(),
        **form_context(request, thread),
        **tree_helpers(request, thread_page.roots),
    }
    return mark_safe(get_template("discussion/section.html", using="jinja2").render(context))  # noqa: S308


def tree_helpers(request: HttpRequest, nodes: list[Node] | None = None) -> dict:
    user = request.user
    continue_url = url_maker("discussion:continue")
    helpers = {
        "present": lambda html: mark_safe(present_html(html)),  # noqa: S308 - sanitised HTML
        "avatar_url": avatar_url,
        "profile_url": url_maker("accounts:profile"),
        "permalink": url_maker("discussion:permalink"),
        "reply_url": url_maker("discussion:reply"),
        "vote_url": url_maker("discussion:vote"),
        "edit_url": url_maker("discussion:edit"),
        "delete_url": url_maker("discussion:delete"),
        "continue_url": lambda cid, after="": (
            continue_url(cid) + ("?" + urlencode({"after": after}) if after else "")
        ),
        "viewer_id": user.pk if user.is_authenticated else None,
        "is_moderator": bool(getattr(user, "is_moderator", False)),
        "may_vote": participation_refusal(user) is None,
        "csrf_token": get_token(request) if user.is_authenticated else "",
        "edit_window": settings.VECHE_EDIT_WINDOW_SECONDS,
        "now": timezone.now(),
        "timedelta_seconds": lambda delta: delta.total_seconds(),
    }
    comments = _page_comments(nodes or [])
    for annotator in _page_annotators:
        helpers.update(annotator(request, comments))
    return helpers


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
