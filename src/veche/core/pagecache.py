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


def make_etag(token: str, full_path: str, language: str) -> str:
    global _deploy
    if _deploy is None:
        _deploy = _deploy_id()
    raw = f"{_deploy}|{token}|{full_path}|{language}".encode()
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


def _language(environ: dict, cookies: dict[str, str]) -> str:
    from django.utils.translation import get_language_from_request

    return get_language_from_request(_Meta(environ, cookies))  # type: ignore[arg-type]


_VALIDATORS: dict[str, Callable[[str], str | None]] = {}


def _current_token(path: str, arg: str) -> str | None:
    fn = _VALIDATORS.get(path)
    if fn is None:
        fn = _VALIDATORS[path] = import_string(path)
    return fn(arg)


class PageCache:
    """WSGI middleware: serve and store anonymous pages marked by mark_cacheable()."""

    def __init__(self, app: Callable, cache_alias: str = "default") -> None:
        self.app = app
        self.cache_alias = cache_alias

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
        query = environ.get("QUERY_STRING", "")
        key = self._key(environ, path, query, language)
        cache = caches[self.cache_alias]
        entry = cache.get(key)
        if entry is not None:
            served = self._serve(entry, environ, start_response)
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

    def _serve(
        self, entry: dict[str, Any], environ: dict, start_response: Callable
    ) -> Iterable[bytes] | None:
        close_old_connections()
        try:
            current = _current_token(entry["validator"], entry["arg"])
        finally:
            close_old_connections()
        if current != entry["token"]:
            return None
        headers = list(entry["headers"])
        headers.append(("X-Veche-Cache", "hit"))
        if self._not_modified(entry, environ):
            keep = {"etag", "cache-control", "vary", "last-modified", "content-language"}
            keep.add("x-veche-cache")
            start_response(
                "304 Not Modified", [(k, v) for k, v in headers if k.lower() in keep]
            )
            return []
        start_response(entry["status"], headers)
        if environ.get("REQUEST_METHOD") == "HEAD":
            return []
        return [entry["body"]]

    @staticmethod
    def _not_modified(entry: dict[str, Any], environ: dict) -> bool:
        if_none_match = environ.get("HTTP_IF_NONE_MATCH", "")
        if if_none_match:
            return etag_matches(entry["etag"], if_none_match)
        since = environ.get("HTTP_IF_MODIFIED_SINCE", "")
        if not since or not entry.get("last_modified"):
            return False
        try:
            since_ts = parsedate_to_datetime(since).timestamp()
            modified_ts = parsedate_to_datetime(entry["last_modified"]).timestamp()
        except (TypeError, ValueError, IndexError, OverflowError):
            return False
        # Strictly later: HTTP dates have one-second precision, and two versions can
        # be made in the same second (ETag is the exact validator).
        return since_ts > modified_ts

    def _run_and_store(
        self, environ: dict, start_response: Callable, key: str, language: str
    ) -> Iterable[bytes]:
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
            }
            caches[self.cache_alias].set(key, entry, int(ttl))
        headers = [*headers, ("X-Veche-Cache", "miss")]
        start_response(status, headers)
        return [body]
