"""Comments and threads as the API shows them (the same tree the web page shows)."""

from __future__ import annotations

from typing import Any

from django.urls import reverse

from veche.accounts.avatars import avatar_url
from veche.accounts.policy import participation_refusal
from veche.api.presentation import present_many
from veche.core.presentation import present_html
from veche.core.urlbuild import url_maker
from veche.discussion.actions import thread_accepts_comments
from veche.discussion.models import Comment, CommentStatus, Thread
from veche.discussion.selectors import Node


def thread_out(thread: Thread) -> dict:
    return {
        "id": thread.pk,
        "title": thread.title,
        "url": thread.url,
        "comment_count": thread.comment_count,
        "accepts_comments": thread_accepts_comments(thread),
        "page": reverse("api-site:thread", args=[thread.pk]),
    }


def _author(c: Comment) -> dict:
    user = c.author if c.author_id else None
    if user is None:
        return {"name": c.author_name, "username": None, "avatar": avatar_url(c.author_name),
                "profile": None}
    return {
        "name": c.author_name,
        "username": user.username,
        "avatar": avatar_url(user.username),
        "profile": url_maker("accounts:profile")(user.username),
    }


class _Tree:
    """What every comment of one response shares: its routes' URL makers, the author
    objects (one per author), and the comments' presented HTML, computed in one batch
    (present_many) before the dicts are built."""

    def __init__(self, roots: list[Node]) -> None:
        self.permalink = url_maker("discussion:permalink")
        self.authors: dict[tuple[str, int | None], dict] = {}
        shown: list[Comment] = []
        stack = list(reversed(roots))
        while stack:
            node = stack.pop()
            if node.shown:
                shown.append(node.comment)
            stack.extend(reversed(node.children))
        presented = present_many([c.body_html for c in shown])
        self.html = {c.pk: html for c, html in zip(shown, presented, strict=True)}

    def author(self, c: Comment) -> dict:
        key = (c.author_name, c.author_id)
        found = self.authors.get(key)
        if found is None:
            found = self.authors[key] = _author(c)
        return found


def _quote(c: Comment, quote_visible: bool) -> dict | None:
    if not c.quoted_text and not c.quoted_comment_id:
        return None
    if not quote_visible:
        return None
    return {
        "comment_id": c.quoted_comment_id,
        "of_target": c.quotes_target,
        "text": c.quoted_text,
        "author_name": c.quoted_author_name,
    }


def comment_out(
    c: Comment,
    *,
    shown: bool,
    number: int = 0,
    my_vote: int = 0,
    quote_visible: bool = False,
    replies: list[dict] | None = None,
    more_replies: int = 0,
    continues: bool = False,
    tree: _Tree | None = None,
) -> dict:
    status = c.status if shown else (
        CommentStatus.DELETED if c.status == CommentStatus.DELETED else CommentStatus.REMOVED
    )
    return {
        "id": c.pk,
        "thread": c.thread_id,
        "parent": c.parent_id,
        "number": number,
        "author": (_author(c) if tree is None else tree.author(c)) if shown else None,
        "html": (present_html(c.body_html) if tree is None else tree.html[c.pk]) if shown
        else "",
        "created": c.created_at,
        "edited": c.edited_at if shown else None,
        "score": c.score,
        "upvotes": c.upvotes,
        "downvotes": c.downvotes,
        "my_vote": my_vote,
        "status": str(status),
        "quote": _quote(c, quote_visible) if shown else None,
        "url": (url_maker("discussion:permalink") if tree is None else tree.permalink)(c.pk),
        "replies": replies or [],
        "more_replies": more_replies,
        "continues": continues,
    }


def node_out(node: Node, tree: _Tree | None = None) -> dict:
    tree = tree or _Tree([node])
    return comment_out(
        node.comment,
        shown=node.shown,
        number=node.number,
        my_vote=node.my_vote,
        quote_visible=node.shown and node.quote_visible,
        replies=[node_out(child, tree) for child in node.children],
        more_replies=node.more_replies,
        continues=node.continues,
        tree=tree,
    )


def nodes_out(roots: list[Node]) -> list[dict]:
    """[node_out(root) for root in roots], sharing the per-response work."""
    tree = _Tree(roots)
    return [node_out(root, tree) for root in roots]


def single_comment_out(c: Comment, *, shown: bool, my_vote: int = 0) -> dict:
    quote_visible = c.quotes_target and bool(c.quoted_text)
    if c.quoted_comment_id is not None and not c.quotes_target:
        quote_visible = c.quoted_comment.status == CommentStatus.PUBLISHED
    return comment_out(c, shown=shown, my_vote=my_vote, quote_visible=quote_visible,
                       continues=c.reply_count > 0)


def me_out(user: Any) -> dict:
    refusal = participation_refusal(user)
    return {
        "id": user.pk,
        "username": user.username,
        "name": user.public_name,
        "avatar": avatar_url(user.username),
        "profile": url_maker("accounts:profile")(user.username),
        "can_participate": refusal is None,
        "refusal": refusal[1] if refusal else None,
    }


def token_out(token: Any, secret: str | None = None) -> dict:
    data = {
        "id": token.pk,
        "name": token.name,
        "prefix": token.prefix,
        "kind": token.kind,
        "created": token.created_at,
        "last_used": token.last_used_at,
        "expires": token.expires_at,
    }
    if secret is not None:
        data["token"] = secret
    return data
