"""Tell an import file's format by its first few kilobytes, and run the right importer.

    disqus      <disqus xmlns="http://disqus.com" ...>
    wordpress   <rss ... xmlns:wp="http://wordpress.org/export/1.2/"> (1.1, 1.0 too)
    jsonl       a Veche export: first line {"type": "veche-export", ...}
    page        anything else that is text: a page dump (import_page)

A Disqus or WordPress file is imported in ONE transaction: on any error nothing is
stored. For a very large file that is one long transaction (it holds the threads' row
locks and, on SQLite, the write lock until it ends).
"""

from __future__ import annotations

import json
import re
import resource
import time
from pathlib import Path
from zoneinfo import ZoneInfo, ZoneInfoNotFoundError

from django.conf import settings
from django.db import transaction

from veche.importers.common import CommentLoader, ImportFileError, ImportStats
from veche.importers.progress import Progress

PEEK_BYTES = 8192
DISQUS_ROOT = re.compile(r"<disqus\b[^>]*\bxmlns\s*=\s*[\"']http://disqus\.com/?[\"']")
WXR_ROOT = re.compile(
    r"<rss\b[^>]*\bxmlns:wp\s*=\s*[\"']http://wordpress\.org/export/1\.[012]/[\"']"
)


def detect_format(path: str | Path) -> str:
    with open(path, "rb") as handle:
        head = handle.read(PEEK_BYTES)
    text = head.decode("utf-8", errors="ignore").lstrip("\ufeff")
    first_line = text.lstrip().split("\n", 1)[0]
    if first_line.startswith("{"):
        try:
            header = json.loads(first_line)
        except ValueError:
            header = None
        if isinstance(header, dict) and header.get("type") == "veche-export":
            return "jsonl"
        raise ImportFileError("a JSON file, but not a Veche export (no veche-export header)", 1)
    if DISQUS_ROOT.search(text):
        return "disqus"
    if WXR_ROOT.search(text):
        return "wordpress"
    if text.lstrip().startswith("<"):
        raise ImportFileError(
            "an XML file, but neither a Disqus export (<disqus xmlns=\"http://disqus.com\">) "
            "nor a WordPress export (<rss xmlns:wp=\"http://wordpress.org/export/1.x/\">)",
            1,
        )
    return "page"


def site_zone(name: str | None = None) -> ZoneInfo:
    if not name:
        from veche.newsroom.models import Publication

        pub = Publication.objects.order_by("pk").first()
        name = pub.time_zone if pub else settings.TIME_ZONE
    try:
        return ZoneInfo(name)
    except (ZoneInfoNotFoundError, ValueError):
        raise ImportFileError(f"unknown time zone {name!r}") from None


def import_comments_file(
    path: str | Path,
    fmt: str,
    *,
    dry_run: bool = False,
    keep_pingbacks: bool = False,
    time_zone: str | None = None,
    progress: bool = True,
) -> ImportStats:
    """Import a Disqus or WordPress file whole, or (on any error) not at all."""
    from veche.importers.disqus import import_disqus
    from veche.importers.wordpress import import_wordpress

    stats = ImportStats(dry_run=dry_run)
    started = time.monotonic()
    bar = Progress(enabled=progress)
    try:
        with transaction.atomic():
            loader = CommentLoader(stats, source=fmt, progress=bar)
            if fmt == "disqus":
                import_disqus(path, loader, stats)
            elif fmt == "wordpress":
                import_wordpress(
                    path, loader, stats, zone=site_zone(time_zone),
                    keep_pingbacks=keep_pingbacks,
                )
            else:
                raise ImportFileError(f"no comment importer for format {fmt!r}")
            loader.finish()
            if dry_run:
                transaction.set_rollback(True)
    finally:
        bar.close()
    stats.seconds = time.monotonic() - started
    stats.peak_memory_kb = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss
    return stats
