"""Read a Disqus export (Admin > Moderation > Export: one XML file).

    <disqus xmlns="http://disqus.com" xmlns:dsq="http://disqus.com/disqus-internals">
      <category dsq:id="1"> <forum/> <title/> <isDefault/> </category>
      <thread dsq:id="10"> <id/> <forum/> <category dsq:id="1"/> <link/> <title/>
        <message/> <createdAt/> <author>...</author> <isClosed/> <isDeleted/> </thread>
      <post dsq:id="100"> <id/> <message><![CDATA[<p>html</p>]]></message>
        <createdAt>2017-12-05T13:04:00Z</createdAt> <isDeleted/> <isSpam/>
        <author> <email/> <name/> <isAnonymous/> <username/> </author>
        <ipAddress/> <thread dsq:id="10"/> <parent dsq:id="99"/> </post>
    </disqus>

Every thread comes before the posts; a post may come before its parent. Statuses:
isDeleted -> deleted (a placeholder that keeps its replies), else isSpam -> spam, else
isApproved=false (when the element is there) -> pending, else published. Threads
marked deleted are not imported, nor their posts (counted as skipped). Threads nobody
commented on are not created.
"""

from __future__ import annotations

from datetime import datetime
from pathlib import Path

from veche.discussion.models import CommentStatus
from veche.importers.common import (
    CommentLoader,
    ImportedComment,
    ImportFileError,
    ImportStats,
    SourceThread,
    as_utc,
    iter_elements,
    local,
    parse_ip,
    truthy,
)

NS = "http://disqus.com"
DSQ = "http://disqus.com/disqus-internals"
DSQ_ID = f"{{{DSQ}}}id"


def _text(element, name: str) -> str:
    found = element.find(f"{{{NS}}}{name}")
    return (found.text or "").strip() if found is not None else ""


def _ref(element, name: str) -> str | None:
    found = element.find(f"{{{NS}}}{name}")
    if found is None:
        return None
    return found.get(DSQ_ID) or None


def _date(text: str, line: int | None) -> datetime:
    try:
        return as_utc(datetime.fromisoformat(text.strip()))
    except ValueError:
        raise ImportFileError(f"createdAt {text!r} is not a date (2017-12-05T13:04:00Z)",
                              line) from None


def _status(post, line: int | None) -> str:
    if truthy(_text(post, "isDeleted"), line, "isDeleted"):
        return CommentStatus.DELETED
    if truthy(_text(post, "isSpam"), line, "isSpam"):
        return CommentStatus.SPAM
    approved = post.find(f"{{{NS}}}isApproved")
    if approved is not None and not truthy(approved.text, line, "isApproved"):
        return CommentStatus.PENDING
    return CommentStatus.PUBLISHED


def import_disqus(path: str | Path, loader: CommentLoader, stats: ImportStats) -> None:
    stats.fmt = "Disqus export"
    deleted_threads: set[str] = set()
    seen_root = False
    for element, _level in iter_elements(path, depths=frozenset({1})):
        line = element.sourceline
        if not seen_root:
            root = element.getparent()
            if root is None or root.tag != f"{{{NS}}}disqus":
                raise ImportFileError("not a Disqus export (no <disqus> root)", line)
            seen_root = True
        kind = local(element.tag)
        if kind == "category":
            continue
        if kind == "thread":
            key = element.get(DSQ_ID)
            if not key:
                raise ImportFileError("<thread> has no dsq:id", line)
            if truthy(_text(element, "isDeleted"), line, "isDeleted"):
                deleted_threads.add(key)
                continue
            loader.add_thread(
                SourceThread(
                    key=key,
                    link=_text(element, "link"),
                    title=_text(element, "title"),
                    is_open=not truthy(_text(element, "isClosed"), line, "isClosed"),
                    line=line,
                )
            )
        elif kind == "post":
            post_id = element.get(DSQ_ID)
            if not post_id:
                raise ImportFileError("<post> has no dsq:id", line)
            thread_key = _ref(element, "thread")
            if not thread_key:
                raise ImportFileError(f"post {post_id} names no <thread dsq:id>", line)
            external_id = f"disqus:{post_id}"
            if thread_key in deleted_threads:
                loader.skip(external_id, "in a thread deleted on Disqus")
                continue
            author = element.find(f"{{{NS}}}author")
            name = email = ""
            anonymous = True
            if author is not None:
                name = _text(author, "name") or _text(author, "username")
                email = _text(author, "email")
                anonymous = truthy(_text(author, "isAnonymous"), line, "isAnonymous")
            created = _text(element, "createdAt")
            if not created:
                raise ImportFileError(f"post {post_id} has no createdAt", line)
            parent = _ref(element, "parent")
            message = element.find(f"{{{NS}}}message")
            loader.add(
                ImportedComment(
                    external_id=external_id,
                    thread_key=thread_key,
                    parent_external_id=f"disqus:{parent}" if parent else None,
                    author_name=name,
                    author_email=email,
                    is_anonymous=anonymous,
                    body_html=(message.text or "") if message is not None else "",
                    created_at=_date(created, line),
                    status=_status(element, line),
                    line=line,
                    ip_address=parse_ip(_text(element, "ipAddress")),
                )
            )
        # Anything else (elements a newer export may add) is not ours to read.
    if not seen_root:
        raise ImportFileError("the Disqus export is empty", 1)
    if deleted_threads:
        stats.notes.append(f"Threads deleted on Disqus, not imported: {len(deleted_threads)}")
