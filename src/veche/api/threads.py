"""Threads of pages on allowed sites: target key "url:<origin><uri>", url origin+uri."""

from __future__ import annotations

from urllib.parse import urlsplit

from veche.api.models import AllowedSite
from veche.api.origins import allowed_origins, normalise_origin
from veche.discussion import actions
from veche.discussion.errors import ActionError
from veche.discussion.models import Thread

KEY_PREFIX = "url:"
KEY_MAX = 255


def allowed_site(origin: str | None) -> AllowedSite:
    if not origin:
        raise ActionError("origin_missing", "Say which site the page is on.", field="origin")
    try:
        origin = normalise_origin(origin)
    except ValueError as e:
        raise ActionError("bad_origin", str(e), field="origin") from None
    site_id = allowed_origins().get(origin)
    site = AllowedSite.objects.filter(pk=site_id, enabled=True).first() if site_id else None
    if site is None:
        raise ActionError(
            "site_not_allowed", f"{origin} may not embed discussions.", field="origin",
            status=403,
        )
    return site


def clean_uri(uri: str | None) -> str:
    uri = uri or ""
    if not uri.startswith("/") or uri.startswith("//"):
        raise ActionError("bad_uri", 'The uri is a path on the site, like "/post/42".',
                          field="uri")
    if "#" in uri or any(ch.isspace() or ord(ch) < 32 or ord(ch) == 127 for ch in uri):
        raise ActionError("bad_uri", "The uri has a fragment, spaces or control characters.",
                          field="uri")
    return uri


def target_key(origin: str, uri: str) -> str:
    key = f"{KEY_PREFIX}{origin}{uri}"
    if len(key) > KEY_MAX:
        raise ActionError("uri_too_long", "The page's address is too long.", field="uri")
    return key


def external_thread(origin: str | None, uri: str | None, title: str = "") -> Thread:
    site = allowed_site(origin)
    uri = clean_uri(uri)
    key = target_key(site.origin, uri)
    title = "".join(ch for ch in (title or "") if ch.isprintable()).strip()[:500]
    return actions.get_or_create_thread(key, title=title, url=site.origin + uri)


def count_key(uri: str, origin: str | None) -> str | None:
    """The target key a counts request means by `uri` (a path, or an absolute URL)."""
    if uri.startswith(("http://", "https://")):
        parts = urlsplit(uri)
        try:
            origin = normalise_origin(f"{parts.scheme}://{parts.netloc}")
        except ValueError:
            return None
        uri = parts.path or "/"
        if parts.query:
            uri += "?" + parts.query
    if not origin:
        return None
    try:
        return target_key(origin, clean_uri(uri))
    except ActionError:
        return None
