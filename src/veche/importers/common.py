"""What the Disqus and WordPress importers share.

An exporter's file is turned into a stream of `ImportedComment`s (one per post, in
file order); `CommentLoader` takes them and stores them through the discussion actions:

* threads are resolved once per source thread: a link whose path is an article's URL
  path gives that article's thread, else a thread with target key "url:<link>";
* a reply is stored after its parent (do_create_comment needs the parent row, and
  sequence numbers follow creation order): a reply met before its parent waits in
  memory until the parent arrives; whatever still waits at the end is an error;
* a comment whose external id is already in its thread is left alone, so importing
  the same file again changes nothing;
* authors with an e-mail address (and not anonymous) get an unclaimed imported
  account; guests keep only their name on the comment.

Bad input raises `ImportFileError` with the line; the caller runs everything in one
transaction, so nothing is stored.
"""

from __future__ import annotations

import html
import ipaddress
import re
from collections import Counter
from dataclasses import dataclass, field
from datetime import UTC, datetime
from urllib.parse import urlsplit

from django.urls import Resolver404, resolve

from veche.accounts.actions import create_imported_user, find_user_by_name, username_from_name
from veche.accounts.models import User
from veche.core.markup import sanitize_html
from veche.discussion.actions import do_create_comment, get_or_create_thread
from veche.discussion.models import Comment, Thread
from veche.newsroom.models import Article

GUEST_NAME = "Guest"


class ImportFileError(Exception):
    """The file cannot be imported; the message names the line when it is known."""

    def __init__(self, message: str, line: int | None = None) -> None:
        self.line = line
        super().__init__(f"line {line}: {message}" if line else message)


@dataclass
class ImportStats:
    fmt: str = ""
    threads_created: int = 0
    threads_matched: int = 0  # existing threads (articles' or earlier imports') reused
    threads_without_comments: int = 0
    comments: Counter = field(default_factory=Counter)  # status -> created
    already_imported: int = 0
    skipped: Counter = field(default_factory=Counter)  # reason -> count
    users_created: int = 0
    guests: int = 0
    dry_run: bool = False
    peak_memory_kb: int | None = None
    seconds: float | None = None
    notes: list[str] = field(default_factory=list)

    @property
    def comments_created(self) -> int:
        return sum(self.comments.values())

    def lines(self) -> list[str]:
        out = [
            f"Format: {self.fmt}" + (" (dry run: nothing stored)" if self.dry_run else ""),
            f"Threads: {self.threads_created} created, {self.threads_matched} existing "
            f"used, {self.threads_without_comments} without comments not created",
            f"Comments created: {self.comments_created}"
            + "".join(f", {status} {n}" for status, n in sorted(self.comments.items())),
            f"Already imported (unchanged): {self.already_imported}",
            f"Accounts created: {self.users_created}; comments by guests: {self.guests}",
        ]
        skipped = sum(self.skipped.values())
        out.append(
            f"Skipped: {skipped}"
            + "".join(f"; {reason}: {n}" for reason, n in sorted(self.skipped.items()))
        )
        if self.seconds is not None:
            rate = self.comments_created / self.seconds if self.seconds else 0.0
            out.append(f"Time: {self.seconds:.1f} s ({rate:,.0f} comments/s)")
        if self.peak_memory_kb is not None:
            out.append(f"Peak memory (max RSS): {self.peak_memory_kb / 1024:,.0f} MiB")
        out.extend(self.notes)
        return out


@dataclass
class SourceThread:
    key: str  # the exporter's id for the thread
    link: str
    title: str = ""
    is_open: bool = True
    line: int | None = None


@dataclass
class ImportedComment:
    external_id: str  # "disqus:123" / "wxr:45", stored on the comment
    thread_key: str
    parent_external_id: str | None
    author_name: str
    author_email: str
    is_anonymous: bool
    body_html: str  # as exported, not yet sanitised
    created_at: datetime  # aware, UTC
    status: str
    line: int | None
    ip_address: str | None = None
    pingback: bool = False


@dataclass(frozen=True)
class StoredRef:
    """Just what a child needs of its parent (keeps 100,000s of comments cheap)."""

    pk: int
    path: str
    depth: int
    root_id: int | None

    def as_parent(self, thread_id: int) -> Comment:
        return Comment(
            pk=self.pk, thread_id=thread_id, path=self.path, depth=self.depth,
            root_id=self.root_id,
        )


# --- Text ------------------------------------------------------------------------------

BLOCK_BREAK = re.compile(r"</p\s*>|<br\s*/?>|</li\s*>|</blockquote\s*>|</pre\s*>", re.I)
TAG = re.compile(r"<[^>]+>")
BLANK_LINES = re.compile(r"\n\s*\n+")


def clean_html(raw: str) -> str:
    return sanitize_html(raw or "")


def html_to_text(body_html: str) -> str:
    """The sanitised HTML as plain text with paragraphs, kept as the comment's source."""
    text = BLOCK_BREAK.sub(lambda m: "\n\n" if m.group(0).lower().startswith("</p") else "\n",
                           body_html)
    text = html.unescape(TAG.sub("", text))
    return BLANK_LINES.sub("\n\n", text).strip()


def autop(text: str) -> str:
    """WordPress stores comments as text and adds paragraphs when showing them
    (wpautop): blank lines part paragraphs, single newlines are line breaks."""
    text = (text or "").replace("\r\n", "\n").strip()
    if not text:
        return ""
    paragraphs = [p.strip() for p in BLANK_LINES.split(text) if p.strip()]
    return "".join("<p>" + p.replace("\n", "<br>\n") + "</p>" for p in paragraphs)


def parse_ip(value: str | None) -> str | None:
    value = (value or "").strip()
    if not value:
        return None
    try:
        return str(ipaddress.ip_address(value))
    except ValueError:
        return None


def as_utc(moment: datetime) -> datetime:
    if moment.tzinfo is None:
        return moment.replace(tzinfo=UTC)
    return moment.astimezone(UTC)


def truthy(text: str | None, line: int | None, what: str) -> bool:
    value = (text or "").strip().lower()
    if value in ("true", "1"):
        return True
    if value in ("false", "0", ""):
        return False
    raise ImportFileError(f"{what} should be true or false, not {text!r}", line)


# --- Threads ---------------------------------------------------------------------------


def article_for_link(link: str) -> Article | None:
    """The article whose URL path is the link's path (any host), if there is one."""
    path = urlsplit(link).path or "/"
    try:
        match = resolve(path)
    except Resolver404:
        return None
    if match.view_name != "newsroom:article":
        return None
    article = Article.objects.filter(slug=match.kwargs.get("slug")).first()
    if article is None or article.get_absolute_url() != path:
        return None
    return article


class CommentLoader:
    def __init__(self, stats: ImportStats, *, source: str, progress=None) -> None:
        self.stats = stats
        self.source = source
        self.progress = progress
        self.threads: dict[str, SourceThread] = {}
        self._resolved: dict[str, Thread] = {}
        self._stored: dict[str, dict[str, StoredRef]] = {}  # thread key -> ext id -> ref
        self._skipped_ids: set[str] = set()
        self._waiting: dict[str, list[ImportedComment]] = {}  # parent ext id -> replies
        self._users: dict[tuple[str, str], User | None] = {}
        self._thread_of: dict[str, str] = {}  # ext id -> thread key, for seen comments
        self.threads_with_comments: set[str] = set()

    # Threads

    def add_thread(self, thread: SourceThread) -> None:
        if thread.key in self.threads:
            raise ImportFileError(f"thread {thread.key} appears twice", thread.line)
        self.threads[thread.key] = thread

    def _thread(self, key: str) -> Thread:
        thread = self._resolved.get(key)
        if thread is not None:
            return thread
        source = self.threads[key]
        article = article_for_link(source.link) if source.link else None
        if article is not None and article.thread_id:
            thread = Thread.objects.get(pk=article.thread_id)
            self.stats.threads_matched += 1
        else:
            target_key = f"url:{source.link}" if source.link else f"{self.source}:{key}"
            if len(target_key) > 255:
                raise ImportFileError(f"thread link is too long ({len(source.link)})",
                                      source.line)
            existing = Thread.objects.filter(target_key=target_key).first()
            if existing is not None:
                thread = existing
                self.stats.threads_matched += 1
            else:
                thread = get_or_create_thread(
                    target_key, title=source.title[:500], url=source.link[:2000],
                    is_open=source.is_open,
                )
                self.stats.threads_created += 1
        self._resolved[key] = thread
        self._stored[key] = {
            ext: StoredRef(pk, path, depth, root_id)
            for ext, pk, path, depth, root_id in Comment.objects.filter(thread=thread)
            .exclude(external_id="")
            .values_list("external_id", "pk", "path", "depth", "root_id")
            .iterator(chunk_size=5000)
        }
        return thread

    # Authors

    def _author(self, item: ImportedComment) -> User | None:
        email = item.author_email.strip()
        if item.is_anonymous or not email or not item.author_name.strip():
            return None
        cache_key = (item.author_name.strip(), email.lower())
        if cache_key in self._users:
            return self._users[cache_key]
        user = User.objects.filter(is_imported=True, email__iexact=email).first()
        if user is None:
            holder = find_user_by_name(item.author_name)
            if holder is None:
                user = create_imported_user(item.author_name, source=self.source, email=email)
                self.stats.users_created += 1
            elif holder.is_imported and holder.claim_email.lower() == email.lower():
                user = holder
            else:
                # The name is another person's (a local reader, or an imported account
                # with another address): the comment keeps the name, not the account.
                self.stats.notes.append(
                    f"Name {item.author_name!r} ({email}) belongs to another account "
                    f"({username_from_name(item.author_name)}); its comments are kept "
                    "as a guest's."
                )
                user = None
        self._users[cache_key] = user
        return user

    # Comments

    def skip(self, item_id: str | None, reason: str) -> None:
        self.stats.skipped[reason] += 1
        if item_id:
            self._skipped_ids.add(item_id)
        if self.progress is not None:
            self.progress.update(1)

    def add(self, item: ImportedComment) -> None:
        if item.thread_key not in self.threads:
            raise ImportFileError(
                f"comment {item.external_id} refers to thread {item.thread_key}, "
                "which the file does not define (before it)",
                item.line,
            )
        if item.external_id in self._thread_of:
            raise ImportFileError(f"comment {item.external_id} appears twice", item.line)
        self._thread_of[item.external_id] = item.thread_key
        parent = item.parent_external_id
        if parent and parent in self._skipped_ids:
            parent = item.parent_external_id = None  # a reply to a skipped pingback
        if parent and parent not in self._stored.get(item.thread_key, {}):
            if parent in self._thread_of and self._thread_of[parent] != item.thread_key:
                raise ImportFileError(
                    f"comment {item.external_id} replies to {parent}, "
                    "which belongs to another thread",
                    item.line,
                )
            if not self._already_stored(item.thread_key, parent):
                self._waiting.setdefault(parent, []).append(item)
                return
        self._store_with_replies(item)

    def _already_stored(self, thread_key: str, ext_id: str) -> bool:
        self._thread(thread_key)
        return ext_id in self._stored[thread_key]

    def _store_with_replies(self, item: ImportedComment) -> None:
        todo = [item]
        while todo:
            current = todo.pop()
            self._store(current)
            todo.extend(reversed(self._waiting.pop(current.external_id, [])))

    def _store(self, item: ImportedComment) -> None:
        thread = self._thread(item.thread_key)
        self.threads_with_comments.add(item.thread_key)
        stored = self._stored[item.thread_key]
        if self.progress is not None:
            self.progress.update(1)
        if item.external_id in stored:
            self.stats.already_imported += 1
            return
        parent = None
        if item.parent_external_id:
            parent = stored[item.parent_external_id].as_parent(thread.pk)
        author = self._author(item)
        name = (item.author_name or "").strip() or GUEST_NAME
        body_html = clean_html(item.body_html)
        if item.pingback:
            name = f"[pingback] {name}"
            body_html = "<p><em>Pingback</em></p>" + body_html
        if author is None:
            self.stats.guests += 1
        comment = do_create_comment(
            thread=thread,
            author=author,
            author_name=name,
            body_markdown=html_to_text(body_html),
            body_html=body_html,
            parent=parent,
            status=item.status,
            created_at=item.created_at,
            ip_address=item.ip_address,
            external_id=item.external_id,
        )
        stored[item.external_id] = StoredRef(
            comment.pk, comment.path, comment.depth, comment.root_id
        )
        self.stats.comments[item.status] += 1

    def finish(self) -> None:
        """Every reply waiting for a parent that never came is an error."""
        for parent, replies in self._waiting.items():
            first = min(replies, key=lambda r: r.line or 0)
            raise ImportFileError(
                f"comment {first.external_id} replies to {parent}, which never appears "
                "in the file",
                first.line,
            )
        self.stats.threads_without_comments += sum(
            1 for key in self.threads if key not in self.threads_with_comments
        )



# --- Streaming XML -----------------------------------------------------------------------


def iter_elements(path, *, depths: frozenset[int]):
    """(element, level) for every element `level` in `depths` below the root as it ends,
    parsed in a stream: entities are not resolved, nothing is fetched, and each element
    is dropped once the caller is done with it (so memory stays flat)."""
    from lxml import etree

    context = etree.iterparse(
        str(path), events=("start", "end"), resolve_entities=False, no_network=True,
        huge_tree=False, load_dtd=False, remove_comments=True, remove_pis=True,
    )
    level = -1
    try:
        for event, element in context:
            if event == "start":
                level += 1
                continue
            if level in depths:
                yield element, level
                element.clear(keep_tail=False)
                parent = element.getparent()
                if parent is not None:
                    # Drop the finished siblings too, or the root keeps them all.
                    while element.getprevious() is not None:
                        del parent[0]
            level -= 1
    except etree.XMLSyntaxError as exc:
        line = exc.position[0] if exc.position else exc.lineno
        raise ImportFileError(f"the file is not well-formed XML: {exc.msg}", line) from exc


def local(tag: object) -> str:
    """The tag without its namespace ("{http://disqus.com}post" -> "post")."""
    text = str(tag)
    return text.rsplit("}", 1)[-1]


def child_text(element, name: str, ns: str = "") -> str:
    found = element.find(f"{{{ns}}}{name}" if ns else name)
    return (found.text or "") if found is not None else ""
