"""Building discussions for tests, through the actions."""

from __future__ import annotations

import random

from veche.core.markup import render_comment_markdown
from veche.discussion import actions
from veche.discussion.models import Comment, Thread


def make_thread(key: str = "test:thread", **fields) -> Thread:
    thread = actions.get_or_create_thread(
        key, title=fields.pop("title", "A thread"), url=fields.pop("url", "/a-thread/")
    )
    if fields:
        actions.update_thread(thread, **fields)
    return thread


def add_comment(
    thread: Thread, author, text: str = "A comment", parent: Comment | None = None, **fields
) -> Comment:
    """A published comment straight through do_create_comment (no permission checks)."""
    return actions.do_create_comment(
        thread=thread,
        author=author,
        author_name=author.public_name if author else "Guest",
        body_markdown=text,
        body_html=render_comment_markdown(text),
        parent=parent,
        **fields,
    )


def grow_thread(
    thread: Thread,
    authors: list,
    count: int,
    *,
    seed: int = 1,
    root_share: float = 0.3,
    max_depth: int = 8,
) -> list[Comment]:
    """count comments: about root_share top-level, the rest replies to random earlier ones."""
    rng = random.Random(seed)
    made: list[Comment] = []
    for i in range(count):
        parent = None
        if made and rng.random() > root_share:
            parent = rng.choice(made)
            if parent.depth >= max_depth - 1:
                parent = None
        made.append(add_comment(thread, rng.choice(authors), f"Comment number {i}", parent))
    return made
