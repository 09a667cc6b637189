"""A full-page cache for anonymous readers, below Django's middleware.

A view whose page is the same for every anonymous reader marks its response with
``mark_cacheable()``: a version token (for an article page: the article's and its
thread's versions), the dotted path of a function that gives the current token from
the database, and that function's argument. ``PageCache`` wraps the WSGI application
(veche.config.wsgi): it stores such responses to anonymous GETs and answers later ones
from the cache after one indexed query confirms the token is still current, without
running Django's middleware, URL resolver, view or templates. Thread.version is bumped
by every change a reader could see, so a stale page is never served; nothing has to be
deleted on a change, which keeps invalidation right across workers and servers (the
cache may be per process or shared Redis).

Only requests without a session or messages cookie are served or stored (nothing per
reader: CSRF tokens and the comment form are rendered for signed-in readers only),
keyed by path, query and the language Django would choose. Responses carry a strong
ETag, Last-Modified, ``Cache-Control: public, max-age=0, must-revalidate`` and Vary,
so a proxy or CDN can keep them and revalidate; conditional requests get 304.
"""

from __future__ import annotations

import hashlib
import time
from collections.abc import Callable, Iterable
from email.utils import formatdate, parsedate_to_datetime
from http.cookies import CookieError, SimpleCookie
from typing import Any

from django.conf import settings
from django.core.cache import caches
from django.db import close_old_connections
from django.http import HttpRequest, HttpResponse
from django.utils.module_loading import import_string

from veche.core import pageclock
from veche.core.lru import BoundedLRU

MARK_HEADER = "X-Veche-Page-Cache"  # set by views, read and removed by PageCache
KEY_PREFIX = "veche:page:v1:"
PUBLIC_CACHE_CONTROL = "public, max-age=0, must-revalidate"
MAX_BODY = 4 * 1024 * 1024
_HOP_HEADERS = {"set-cookie", MARK_HEADER.lower()}


def enabled() -> bool:
    return bool(getattr(settings, "VECHE_PAGE_CACHE", True))


def _deploy_id() -> str:
    """Changes when the code or the static files change, so old ETags die with them."""
    from importlib.metadata import PackageNotFoundError, version

    try:
        code = version("veche")
    except PackageNotFoundError:
        code = "dev"
    manifest = ""
    try:
        from django.contrib.staticfiles.storage import staticfiles_storage

        name = getattr(staticfiles_storage, "manifest_name", None)
        if name and staticfiles_storage.exists(name):
            with staticfiles_storage.open(name) as f:
                manifest = hashlib.sha256(f.read()).hexdigest()
    except Exception:  # noqa: S110 - no manifest: the version alone
        pass
    return f"{code}:{manifest}"


_deploy: str | None = None


def deploy_id() -> str:
    """This deployment's code and static files, as one string (computed once)."""
    global _deploy
    if _deploy is None:
        _deploy = _deploy_id()
    return _deploy


def make_etag(token: str, full_path: str, language: str) -> str:
    raw = f"{deploy_id()}|{token}|{full_path}|{language}".encode()
    return '"' + hashlib.sha256(raw).hexdigest()[:32] + '"'


def is_anonymous_request(cookies: dict[str, str]) -> bool:
    return settings.SESSION_COOKIE_NAME not in cookies and "messages" not in cookies


def etag_matches(etag: str, if_none_match: str) -> bool:
    if not if_none_match:
        return False
    if if_none_match.strip() == "*":
        return True
    candidates = {part.strip().removeprefix("W/") for part in if_none_match.split(",")}
    return etag in candidates


def mark_cacheable(
    request: HttpRequest,
    response: HttpResponse,
    *,
    token: str,
    validator: str,
    arg: str,
    seconds: int | None = None,
) -> HttpResponse:
    """Headers for a page that is the same for every anonymous reader.

    ``validator`` is the dotted path of ``f(arg) -> token or None`` that reads the
    current token (one query); the page stays valid while it returns ``token``.
    """
    from django.utils.translation import get_language

    language = get_language() or settings.LANGUAGE_CODE
    response["ETag"] = make_etag(token, request.get_full_path(), language)
    response["Cache-Control"] = PUBLIC_CACHE_CONTROL
    response["Last-Modified"] = formatdate(time.time(), usegmt=True)
    ttl = settings.VECHE_PAGE_CACHE_SECONDS if seconds is None else seconds
    if ttl > 0:
        response[MARK_HEADER] = f"{validator}|{arg}|{ttl}|{token}"
    return response


def not_modified(request: HttpRequest, token: str) -> HttpResponse | None:
    """A 304 for an anonymous reader who already holds this version, else None."""
    from django.utils.translation import get_language

    etag = make_etag(token, request.get_full_path(), get_language() or settings.LANGUAGE_CODE)
    if request.method in ("GET", "HEAD") and etag_matches(
        etag, request.headers.get("If-None-Match", "")
    ):
        response = HttpResponse(status=304)
        response["ETag"] = etag
        response["Cache-Control"] = PUBLIC_CACHE_CONTROL
        return response
    return None


class _Meta:
    """Just enough of a request for translation.get_language_from_request()."""

    def __init__(self, environ: dict, cookies: dict[str, str]) -> None:
        self.META = environ
        self.COOKIES = cookies
        self.path_info = environ.get("PATH_INFO", "/")


def _cookies(environ: dict) -> dict[str, str] | None:
    raw = environ.get("HTTP_COOKIE", "")
    if not raw:
        return {}
    try:
        jar = SimpleCookie()
        jar.load(raw)
    except CookieError:
        return None
    return {key: morsel.value for key, morsel in jar.items()}


_LANGUAGES: dict[tuple[str, str | None], str] = {}


def _language(environ: dict, cookies: dict[str, str]) -> str:
    """The language Django would pick: it depends on the Accept-Language header and the
    language cookie only (not the path), so the answer is remembered for both."""
    memo = (environ.get("HTTP_ACCEPT_LANGUAGE", ""), cookies.get(settings.LANGUAGE_COOKIE_NAME))
    language = _LANGUAGES.get(memo)
    if language is None:
        from django.utils.translation import get_language_from_request

        language = get_language_from_request(_Meta(environ, cookies))  # type: ignore[arg-type]
        if len(_LANGUAGES) >= 512:  # headers are the client's to vary: stay bounded
            _LANGUAGES.clear()
        _LANGUAGES[memo] = language
    return language


_VALIDATORS: dict[str, Callable[[str], str | None]] = {}


def _current_token(path: str, arg: str) -> str | None:
    fn = _VALIDATORS.get(path)
    if fn is None:
        fn = _VALIDATORS[path] = import_string(path)
    return fn(arg)


_KEEP_ON_304 = {"etag", "cache-control", "vary", "last-modified", "content-language",
                "x-veche-cache"}


class Page:
    """A stored page, ready to send: headers built once, the body as one bytes object."""

    __slots__ = ("arg", "body", "checked_at", "clocks", "etag", "expires_at", "headers",
                 "headers_304", "key", "modified_ts", "status", "token", "validator")

    def __init__(self, key: str, entry: dict[str, Any]) -> None:
        self.key = key
        self.status: str = entry["status"]
        self.body: bytes = entry["body"]
        self.token: str = entry["token"]
        self.validator: str = entry["validator"]
        self.arg: str = entry["arg"]
        self.etag: str = entry.get("etag", "")
        self.headers = [*entry["headers"], ("X-Veche-Cache", "hit")]
        self.headers_304 = [(k, v) for k, v in self.headers if k.lower() in _KEEP_ON_304]
        self.modified_ts = _http_date(entry.get("last_modified", ""))
        # Clock values at which the token was known current (one per clock: the
        # SQLite clock has one per thread). A value that comes back proves nothing
        # was committed since; one that moved on never comes back.
        self.clocks: set[str] = {entry["clock"]} if entry.get("clock") else set()
        self.checked_at = 0.0  # monotonic; 0: ask the database before the first use
        # Wall time in the entry (shared between processes), monotonic here.
        self.expires_at = time.monotonic() + entry.get("expires", 0) - time.time()

    @property
    def size(self) -> int:
        return len(self.body) + 1024


def _http_date(value: str) -> float | None:
    if not value:
        return None
    try:
        return parsedate_to_datetime(value).timestamp()
    except (TypeError, ValueError, IndexError, OverflowError):
        return None


class LocalPages(BoundedLRU[Page]):
    """This process's pages, least recently used first, bounded in bytes."""

    def put(self, page: Page) -> None:  # type: ignore[override]
        super().put(page.key, page, page.size)

    def discard(self, page: Page) -> None:  # type: ignore[override]
        super().discard(page.key, page)


LOCAL_BYTES = 64 * 1024 * 1024
# However quiet the clock, a page is confirmed against the database this often: a
# bound for writes no clock sees (a psql session, a writer killed between its commit
# and the announcement).
RECHECK_SECONDS = 2.0

local_pages = LocalPages(int(getattr(settings, "VECHE_PAGE_CACHE_LOCAL_BYTES", LOCAL_BYTES)))


class PageCache:
    """WSGI middleware: serve and store anonymous pages marked by mark_cacheable().

    Pages are kept in this process (``local_pages``) and, when the cache is shared
    (Redis), in Django's cache too, for the other workers and servers. A stored page is
    served while its token is current: confirmed by the validator (one query) whenever
    the change clock (veche.core.pageclock) moved since the last confirmation.
    """

    def __init__(self, app: Callable, cache_alias: str = "default") -> None:
        self.app = app
        self.cache_alias = cache_alias
        self._shared: bool | None = None

    def __call__(self, environ: dict, start_response: Callable) -> Iterable[bytes]:
        method = environ.get("REQUEST_METHOD", "GET")
        if method not in ("GET", "HEAD") or not enabled():
            return self.app(environ, start_response)
        path = environ.get("PATH_INFO", "/")
        if path.startswith(settings.STATIC_URL):
            return self.app(environ, start_response)
        cookies = _cookies(environ)
        if cookies is None or not is_anonymous_request(cookies):
            return self.app(environ, start_response)
        language = _language(environ, cookies)
        key = self._key(environ, path, environ.get("QUERY_STRING", ""), language)
        page = local_pages.get(key)
        if page is None:
            page = self._from_shared(key)
        if page is not None:
            served = self._serve(page, environ, start_response)
            if served is not None:
                return served
        if method != "GET":
            return self.app(environ, start_response)
        return self._run_and_store(environ, start_response, key, language)

    @staticmethod
    def _key(environ: dict, path: str, query: str, language: str) -> str:
        host = environ.get("HTTP_HOST", "")
        raw = f"{environ.get('wsgi.url_scheme', 'http')}|{host}|{path}|{query}|{language}"
        return KEY_PREFIX + hashlib.sha256(raw.encode()).hexdigest()

    def _shared_cache(self) -> Any | None:
        """Django's cache when other processes can read it; None for a per-process one."""
        if self._shared is None:
            from django.core.cache.backends.locmem import LocMemCache

            self._shared = not isinstance(caches[self.cache_alias], LocMemCache)
        return caches[self.cache_alias] if self._shared else None

    def _from_shared(self, key: str) -> Page | None:
        cache = self._shared_cache()
        entry = cache.get(key) if cache is not None else None
        if not isinstance(entry, dict):
            return None
        try:
            page = Page(key, entry)
        except KeyError:
            return None
        local_pages.put(page)
        return page

    def _current(self, page: Page) -> bool:
        """Is the page's token still current? Asks the database only when it must."""
        now = time.monotonic()
        if now >= page.expires_at:
            local_pages.discard(page)
            return False
        seen = pageclock.read()
        if seen is not None and seen in page.clocks and now - page.checked_at < RECHECK_SECONDS:
            return True
        close_old_connections()
        try:
            current = _current_token(page.validator, page.arg)
        finally:
            close_old_connections()
        if current != page.token:
            local_pages.discard(page)
            return False
        # Confirmed after the clock read `seen`: good while the clock still reads it.
        if now - page.checked_at >= RECHECK_SECONDS or len(page.clocks) > 32:
            page.clocks = set()  # what the recheck has not confirmed again is dropped
        if seen is not None:
            page.clocks.add(seen)
        page.checked_at = now
        return True

    def _serve(self, page: Page, environ: dict, start_response: Callable) -> Iterable[bytes] | None:
        if not self._current(page):
            return None
        if self._not_modified(page, environ):
            start_response("304 Not Modified", page.headers_304)
            return []
        start_response(page.status, page.headers)
        if environ.get("REQUEST_METHOD") == "HEAD":
            return []
        return [page.body]

    @staticmethod
    def _not_modified(page: Page, environ: dict) -> bool:
        if_none_match = environ.get("HTTP_IF_NONE_MATCH", "")
        if if_none_match:
            return etag_matches(page.etag, if_none_match)
        since = environ.get("HTTP_IF_MODIFIED_SINCE", "")
        if not since or page.modified_ts is None:
            return False
        since_ts = _http_date(since)
        # Strictly later: HTTP dates have one-second precision, and two versions can
        # be made in the same second (ETag is the exact validator).
        return since_ts is not None and since_ts > page.modified_ts

    def _run_and_store(
        self, environ: dict, start_response: Callable, key: str, language: str
    ) -> Iterable[bytes]:
        # Read before the view reads the database: the page is as new as this value.
        seen = pageclock.read()
        started = time.monotonic()
        state: dict[str, Any] = {}

        def capture(status: str, headers: list[tuple[str, str]], exc_info: Any = None):
            mark = next((v for k, v in headers if k.lower() == MARK_HEADER.lower()), None)
            headers = [(k, v) for k, v in headers if k.lower() != MARK_HEADER.lower()]
            state.update(status=status, headers=headers, mark=mark)
            if mark is None:
                return start_response(status, headers, exc_info)
            state["deferred"] = True
            return lambda data: state.setdefault("written", []).append(data)

        result = self.app(environ, capture)
        if not state.get("deferred"):
            return result
        try:
            body = b"".join([*state.get("written", []), *result])
        finally:
            close = getattr(result, "close", None)
            if close is not None:
                close()
        status, headers, mark = state["status"], state["headers"], state["mark"]
        names = {k.lower() for k, _ in headers}
        content_language = next(
            (v for k, v in headers if k.lower() == "content-language"), language
        )
        if (
            status.startswith("200")
            and "set-cookie" not in names
            and content_language == language
            and len(body) <= MAX_BODY
        ):
            validator, arg, ttl, token = mark.split("|", 3)
            entry = {
                "status": status,
                "headers": [(k, v) for k, v in headers if k.lower() not in _HOP_HEADERS],
                "body": body,
                "validator": validator,
                "arg": arg,
                "token": token,
                "etag": next((v for k, v in headers if k.lower() == "etag"), ""),
                "last_modified": next(
                    (v for k, v in headers if k.lower() == "last-modified"), ""
                ),
                "clock": seen,
                "expires": time.time() + int(ttl),
            }
            page = Page(key, entry)
            page.checked_at = started
            local_pages.put(page)
            shared = self._shared_cache()
            if shared is not None:
                shared.set(key, entry, int(ttl))
        headers = [*headers, ("X-Veche-Cache", "miss")]
        start_response(status, headers)
        return [body]
