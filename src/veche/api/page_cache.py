"""The API's page of a thread as anonymous readers get it, written once per thread
version and kept in Django's cache.

Every anonymous reader (an embed's widget, a crawler, an app) gets the same comments on
a page of one thread version, so their JSON is written once: building a 200-comment
page (its rows, their presented HTML, the tree, the JSON) is most of a request. The key
names the thread (and its birth: ids come back after a rebuilt database), its version
(bumped by every change a reader could see, read fresh from the thread's row on every
request), the page, the order, the language, the time zone, the presentation's version
and this deployment's code, so an entry is never stale; nothing is deleted on a
change. Only the comments are kept: the thread's part (its count, whether it takes
comments, which changes with the clock when it closes) is written for each request.
Signed-in readers (their own votes) and moderators get pages built for them.
"""

from __future__ import annotations

import hashlib
from collections.abc import Callable
from dataclasses import dataclass
from functools import cache as cache_once

from django.conf import settings
from django.core.cache import cache

from veche.core.pagecache import deploy_id
from veche.discussion.models import Thread
from veche.discussion.web import page_version_key

KEY_PREFIX = "veche:apipage:v1"


@dataclass(frozen=True)
class PageComments:
    """What a page's response holds beside the thread: its order, number and count of
    pages, and the comments' JSON array."""

    sort: str
    number: int
    page_count: int
    comments_json: bytes


def enabled() -> bool:
    return settings.VECHE_API_PAGE_CACHE and settings.VECHE_PAGE_CACHE_SECONDS > 0


def anonymous_page(
    thread: Thread, *, sort: str, page: int, build: Callable[[], PageComments]
) -> PageComments:
    """The page from the cache, else build()'s, kept for the next reader when it is the
    page that was asked for (a page number past the end gives the last page, and such
    numbers are the client's to vary)."""
    if not enabled():
        return build()
    key = _key(thread, sort, page)
    found = cache.get(key)
    if isinstance(found, PageComments):
        return found
    built = build()
    if built.number == page and built.sort == sort:
        cache.set(key, built, settings.VECHE_PAGE_CACHE_SECONDS)
    return built


@cache_once
def _deployment() -> str:
    return hashlib.sha256(deploy_id().encode()).hexdigest()[:12]


def _key(thread: Thread, sort: str, page: int) -> str:
    return page_version_key(KEY_PREFIX, thread, thread.version, sort, page, _deployment())
