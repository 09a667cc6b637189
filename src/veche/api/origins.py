"""Origins ("scheme://host[:port]") and the allow-list of sites, cached.

The list is read on every cross-origin API call, CSRF check and embed page, so it is
kept in the cache and dropped whenever an AllowedSite is saved or deleted.
"""

from __future__ import annotations

from urllib.parse import urlsplit

from django.core.cache import cache

CACHE_KEY = "api:allowed-origins:v1"
CACHE_SECONDS = 300


def normalise_origin(value: str) -> str:
    """"HTTPS://Blog.Example.org:443/" -> "https://blog.example.org"; ValueError if not
    an http(s) origin."""
    value = (value or "").strip()
    parts = urlsplit(value)
    if parts.scheme.lower() not in ("http", "https") or not parts.hostname:
        raise ValueError("An origin is http:// or https:// and a host name.")
    if parts.path not in ("", "/") or parts.query or parts.fragment or parts.username:
        raise ValueError("An origin has no path, query or user name: scheme://host[:port].")
    scheme = parts.scheme.lower()
    host = parts.hostname.lower()
    if ":" in host:
        host = f"[{host}]"
    try:
        port = parts.port
    except ValueError as e:
        raise ValueError("The port is not a number.") from e
    default = {"http": 80, "https": 443}[scheme]
    return f"{scheme}://{host}" + (f":{port}" if port and port != default else "")


def allowed_origins() -> dict[str, int]:
    """Enabled sites' origins -> site id."""
    origins = cache.get(CACHE_KEY)
    if origins is None:
        from veche.api.models import AllowedSite

        origins = dict(AllowedSite.objects.filter(enabled=True).values_list("origin", "pk"))
        cache.set(CACHE_KEY, origins, CACHE_SECONDS)
    return origins


def is_allowed(origin: str | None) -> bool:
    if not origin:
        return False
    try:
        return normalise_origin(origin) in allowed_origins()
    except ValueError:
        return False


def forget_allowed_origins(**_kwargs) -> None:
    cache.delete(CACHE_KEY)
