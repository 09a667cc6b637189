"""Read a WordPress export (WXR 1.0-1.2: Tools > Export, an RSS file with wp: fields).

    <rss xmlns:wp="http://wordpress.org/export/1.2/" ...><channel>
      <item> <title/> <link/> <wp:post_id/> <wp:post_type/> <wp:comment_status/>
        <wp:comment> <wp:comment_id/> <wp:comment_author/> <wp:comment_author_email/>
          <wp:comment_author_url/> <wp:comment_author_IP/>
          <wp:comment_date/> (the site's local time) <wp:comment_date_gmt/> (UTC)
          <wp:comment_content/> (text; WordPress adds <p> and <br> when showing it)
          <wp:comment_approved/> (1, 0, spam, trash) <wp:comment_type/>
          (''/comment, pingback, trackback) <wp:comment_parent/> (0: top level)
          <wp:comment_user_id/> </wp:comment>
      </item>
    </channel></rss>

Dates: comment_date_gmt is used; when it is 0000-00-00 (WordPress leaves it so for
some comments) the local comment_date is read in the zone given (--time-zone, else
the publication's). Statuses: 1 -> published, 0 -> pending, spam -> spam, trash and
post-trashed -> deleted. Pingbacks and trackbacks are skipped unless keep_pingbacks.
Only items with comments become threads. Each <wp:comment> is handled and dropped as
soon as it ends, so a post with very many comments does not fill memory.
"""

from __future__ import annotations

import html
from datetime import datetime
from pathlib import Path
from zoneinfo import ZoneInfo

from veche.discussion.models import CommentStatus
from veche.importers.common import (
    CommentLoader,
    ImportedComment,
    ImportFileError,
    ImportStats,
    SourceThread,
    as_utc,
    autop,
    iter_elements,
    local,
    parse_ip,
)

WP_NAMESPACES = tuple(f"http://wordpress.org/export/1.{n}/" for n in (2, 1, 0))
APPROVED = {
    "1": CommentStatus.PUBLISHED,
    "approve": CommentStatus.PUBLISHED,
    "0": CommentStatus.PENDING,
    "hold": CommentStatus.PENDING,
    "spam": CommentStatus.SPAM,
    "trash": CommentStatus.DELETED,
    "post-trashed": CommentStatus.DELETED,
}
PINGBACKS = ("pingback", "trackback")
ITEM_FIELDS = {"title", "link", "post_id", "post_type", "comment_status"}
DATE_FORMAT = "%Y-%m-%d %H:%M:%S"


class _Item:
    def __init__(self, element) -> None:
        self.element = element
        self.fields: dict[str, str] = {}
        self.line = element.sourceline
        self.thread_key: str | None = None


def _date(text: str, line: int | None, what: str) -> datetime:
    try:
        return datetime.strptime(text.strip(), DATE_FORMAT)  # noqa: DTZ007 - zone set by caller
    except ValueError:
        raise ImportFileError(
            f"{what} {text!r} is not a date (YYYY-MM-DD HH:MM:SS)", line
        ) from None


def import_wordpress(
    path: str | Path,
    loader: CommentLoader,
    stats: ImportStats,
    *,
    zone: ZoneInfo,
    keep_pingbacks: bool = False,
) -> None:
    stats.fmt = "WordPress export (WXR)"
    wp = None
    item: _Item | None = None
    items_without_comments = 0
    for element, level in iter_elements(path, depths=frozenset({2, 3})):
        if wp is None:
            root = element.getroottree().getroot()
            wp = next((ns for ns in WP_NAMESPACES if ns in root.nsmap.values()), None)
            if local(root.tag) != "rss" or wp is None:
                raise ImportFileError("not a WordPress export (no <rss> with xmlns:wp)",
                                      element.sourceline)
        if level == 2:
            if local(element.tag) == "item":
                if item is None or item.element is not element:
                    item = _Item(element)  # an item with no fields we read
                if item.thread_key is None:
                    items_without_comments += 1
                item = None
            continue
        parent = element.getparent()
        if local(parent.tag) != "item":
            continue
        if item is None or item.element is not parent:
            item = _Item(parent)
        name = local(element.tag)
        if element.tag == f"{{{wp}}}comment":
            _comment(element, item, loader, wp, zone, keep_pingbacks)
        elif name in ITEM_FIELDS and (name in ("title", "link") or element.tag.startswith(
            f"{{{wp}}}"
        )):
            item.fields[name] = (element.text or "").strip()
    if wp is None:
        raise ImportFileError("the WordPress export has no items", 1)
    stats.threads_without_comments += items_without_comments


def _comment(element, item: _Item, loader: CommentLoader, wp: str, zone: ZoneInfo,
             keep_pingbacks: bool) -> None:
    line = element.sourceline

    def text(name: str) -> str:
        found = element.find(f"{{{wp}}}{name}")
        return (found.text or "") if found is not None else ""

    comment_id = text("comment_id").strip()
    if not comment_id.isdigit():
        raise ImportFileError(f"wp:comment_id {comment_id!r} is not a number", line)
    external_id = f"wxr:{comment_id}"
    if item.thread_key is None:
        post_id = item.fields.get("post_id") or f"line-{item.line}"
        item.thread_key = post_id
        loader.add_thread(
            SourceThread(
                key=post_id,
                link=item.fields.get("link", ""),
                title=item.fields.get("title", ""),
                is_open=item.fields.get("comment_status", "open") != "closed",
                line=item.line,
            )
        )
    kind = text("comment_type").strip() or "comment"
    pingback = kind in PINGBACKS
    if pingback and not keep_pingbacks:
        loader.skip(external_id, f"{kind} (use --keep-pingbacks to keep)")
        return
    if kind not in ("comment", *PINGBACKS):
        loader.skip(external_id, f"comment type {kind!r}")
        return
    approved = text("comment_approved").strip()
    if approved not in APPROVED:
        raise ImportFileError(f"wp:comment_approved {approved!r} is not 1, 0, spam or trash",
                              line)
    gmt = text("comment_date_gmt").strip()
    if gmt and not gmt.startswith("0000-00-00"):
        created = as_utc(_date(gmt, line, "wp:comment_date_gmt"))
    else:
        local_time = text("comment_date").strip()
        if not local_time or local_time.startswith("0000-00-00"):
            raise ImportFileError(f"comment {comment_id} has no date", line)
        created = as_utc(_date(local_time, line, "wp:comment_date").replace(tzinfo=zone))
    parent = text("comment_parent").strip() or "0"
    if not parent.isdigit():
        raise ImportFileError(f"wp:comment_parent {parent!r} is not a number", line)
    email = text("comment_author_email").strip()
    content = text("comment_content")
    loader.add(
        ImportedComment(
            external_id=external_id,
            thread_key=item.thread_key,
            parent_external_id=None if parent == "0" else f"wxr:{parent}",
            # WordPress keeps entities in names (pingback titles: "&raquo;", "&#8217;").
            author_name=html.unescape(text("comment_author")).strip(),
            author_email="" if pingback else email,
            is_anonymous=pingback or not email,
            body_html=autop(content),
            created_at=created,
            status=APPROVED[approved],
            line=line,
            ip_address=parse_ip(text("comment_author_IP")),
            pingback=pingback,
        )
    )
