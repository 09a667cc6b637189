"""Load a parsed page dump: publication, author, article, reader accounts and comments.

Everything goes through the owning apps' actions (save_article, create_imported_user,
do_create_comment), in one transaction: a file is imported whole or not at all.
"""

from __future__ import annotations

import hashlib
import re
from dataclasses import dataclass
from datetime import datetime, time
from pathlib import Path
from zoneinfo import ZoneInfo, ZoneInfoNotFoundError

from django.conf import settings
from django.db import transaction
from django.utils import timezone
from django.utils.text import slugify

from veche.accounts.actions import create_imported_user, find_user_by_name
from veche.accounts.models import User
from veche.core.markup import render_comment_markdown
from veche.core.site import forget_publication
from veche.discussion.actions import do_create_comment
from veche.discussion.models import Comment, CommentStatus, Thread
from veche.importers.page_dump import (
    PageFormatError,
    ParsedComment,
    ParsedPage,
    normalise_text,
    parse_page,
)
from veche.newsroom.actions import save_article
from veche.newsroom.models import Article, ArticleStatus, Author, Publication

# The dump carries no publication date; readers start commenting the same morning,
# so the article is dated 09:00 local on the day of the earliest comment.
PUBLISHED_HOUR = time(9, 0)

# Characters Markdown would act on anywhere in a line, and line starts it reads as
# lists, headings or quotes. The dump is plain text, so they are escaped.
MARKDOWN_INLINE = re.compile(r"([\\`*_\[\]<>&])")
MARKDOWN_BLOCK = re.compile(r"^\s*(?:[-+#>=|~]|\d+[.)])")


class PageImportError(Exception):
    """The dump cannot be imported (its format, or the options given)."""


@dataclass(frozen=True)
class ImportResult:
    article: Article
    created: bool  # False: this file was imported before, nothing changed
    comments_created: int = 0
    users_created: int = 0


def import_page_file(
    path: str | Path, *, publication: str | None = None, time_zone: str | None = None
) -> ImportResult:
    try:
        text = Path(path).read_text(encoding="utf-8-sig")
    except (OSError, UnicodeDecodeError) as exc:
        raise PageImportError(f"cannot read {path}: {exc}") from exc
    return import_page_text(text, publication=publication, time_zone=time_zone)


def import_page_text(
    text: str, *, publication: str | None = None, time_zone: str | None = None
) -> ImportResult:
    """Import one dump; a file imported before (same normalised text) changes nothing."""
    normalised = normalise_text(text)
    import_key = "page:" + hashlib.sha256(normalised.encode()).hexdigest()
    try:
        page = parse_page(normalised)
    except PageFormatError as exc:
        raise PageImportError(str(exc)) from exc
    with transaction.atomic():
        existing = Article.objects.filter(import_key=import_key).first()
        if existing is not None:
            return ImportResult(article=existing, created=False)
        pub = ensure_publication(publication or page.publication, time_zone)
        zone = _zone(time_zone or pub.time_zone)
        article = _create_article(page, import_key, zone)
        users = _ensure_users(page, source=f"page:{pub.name}")
        comments = _create_comments(page, article, users, zone)
    return ImportResult(
        article=article, created=True, comments_created=comments,
        users_created=sum(created for _, created in users.values()),
    )


def ensure_publication(name: str, time_zone: str | None = None) -> Publication:
    """The publication of that name, made if missing. (Belongs in newsroom.actions.)

    The site shows its first Publication row; a dump from another masthead adds a row
    that only records the name and the zone its times were read in."""
    pub = Publication.objects.filter(name__iexact=name).first()
    if pub is None:
        zone = time_zone or settings.TIME_ZONE or "Europe/Moscow"
        _zone(zone)
        pub = Publication.objects.create(name=name, time_zone=zone)
        # The first row becomes the site's masthead, which is cached.
        transaction.on_commit(forget_publication)
    return pub


def ensure_author(name: str) -> Author:
    """The byline of that name, made if missing, with a slug no other author has."""
    author = Author.objects.filter(name=name).first()
    if author is None:
        author = Author.objects.create(name=name, slug=_free_slug(Author, name, "author"))
    return author


def _zone(name: str) -> ZoneInfo:
    try:
        return ZoneInfo(name)
    except (ZoneInfoNotFoundError, ValueError) as exc:
        raise PageImportError(f"unknown time zone {name!r}") from exc


def _free_slug(model: type[Article] | type[Author], text: str, prefix: str) -> str:
    base = slugify(text, allow_unicode=False)[:180]
    if not base:
        base = f"{prefix}-{hashlib.sha256(text.encode()).hexdigest()[:10]}"
    slug, n = base, 2
    while model.objects.filter(slug=slug).exists():
        slug, n = f"{base}-{n}", n + 1
    return slug


def _create_article(page: ParsedPage, import_key: str, zone: ZoneInfo) -> Article:
    times = [c.created for c in page.walk()]
    if times:
        first = min(times)
        # ... but never after the first comment, should someone comment before nine.
        published_at = min(datetime.combine(first.date(), PUBLISHED_HOUR), first)
        published = published_at.replace(tzinfo=zone)
    else:
        published = timezone.now()
    article = Article(
        title=page.title[:300],
        slug=_free_slug(Article, page.title, "article"),
        lead=page.lead,
        body_markdown="\n\n".join(plain_to_markdown(p) for p in page.body_paragraphs),
        author=ensure_author(page.author_name),
        is_exclusive=page.is_exclusive,
        status=ArticleStatus.PUBLISHED,
        published_at=published,
        language="en",
        import_key=import_key,
    )
    return save_article(article)


def _ensure_users(page: ParsedPage, *, source: str) -> dict[str, tuple[User, bool]]:
    """name -> (account, made now), one imported account per commenter's name."""
    users: dict[str, tuple[User, bool]] = {}
    for comment in page.walk():
        if comment.name not in users:
            made = find_user_by_name(comment.name) is None
            users[comment.name] = (create_imported_user(comment.name, source=source), made)
    return users


def _create_comments(
    page: ParsedPage,
    article: Article,
    users: dict[str, tuple[User, bool]],
    zone: ZoneInfo,
) -> int:
    thread = article.thread
    assert thread is not None  # save_article gave it one
    by_position: dict[str, Comment] = {}
    # Posting order, as the site received them: sequence numbers (and so sibling order)
    # follow time, and a parent or quoted comment always exists before it is referenced
    # (the parser checks replies are not older than their parents).
    in_order = sorted(enumerate(page.walk()), key=lambda pair: (pair[1].created, pair[0]))
    for _, parsed in in_order:
        by_position[parsed.position] = _create_comment(parsed, thread, users, by_position, zone)
    return len(by_position)


def _create_comment(
    parsed: ParsedComment,
    thread: Thread,
    users: dict[str, tuple[User, bool]],
    by_position: dict[str, Comment],
    zone: ZoneInfo,
) -> Comment:
    body = plain_to_markdown(parsed.body)
    quoted = by_position[parsed.quoted_position] if parsed.quoted_position else None
    return do_create_comment(
        thread=thread,
        author=users[parsed.name][0],
        author_name=parsed.name,
        body_markdown=body,
        body_html=render_comment_markdown(body),
        parent=by_position[parsed.parent.position] if parsed.parent else None,
        quoted_comment=quoted,
        quotes_target=parsed.quotes_article,
        # Spacing collapsed, as post_comment stores a reader's quote.
        quoted_text=" ".join((parsed.quote_text or "").split()),
        # A quote of a comment not on the page keeps the name it was given.
        quoted_author_name="" if quoted or parsed.quotes_article else parsed.quote_name or "",
        status=CommentStatus.PUBLISHED,
        created_at=parsed.created.replace(tzinfo=zone),
        external_id=parsed.position,
    )


def plain_to_markdown(text: str) -> str:
    """Plain text as Markdown that renders back to the same words: paragraphs and line
    breaks kept, everything Markdown would act on escaped."""
    lines = []
    for line in text.split("\n"):
        line = MARKDOWN_INLINE.sub(r"\\\1", line)
        block = MARKDOWN_BLOCK.match(line)
        if block:  # escape the marker's last character: "\-", "1\.", "\#"
            line = line[: block.end() - 1] + "\\" + line[block.end() - 1 :]
        lines.append(line)
    return "\n".join(lines)
