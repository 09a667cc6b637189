"""Too many links hold a comment; a link to a blocked domain rejects it."""

from __future__ import annotations

import re
from contextlib import suppress
from functools import lru_cache
from urllib.parse import urlsplit

from veche.discussion.hooks import HOLD, REJECT, Draft, Verdict
from veche.moderation import conf, versions
from veche.moderation.checks.context import trust

URL = re.compile(r"(?:https?://|www\.)[^\s<>\"')\]]+", re.IGNORECASE)
HREF = re.compile(r"""href=["']([^"']+)["']""", re.IGNORECASE)


def links_in(text: str, html: str = "") -> list[str]:
    found = dict.fromkeys(URL.findall(text))
    for href in HREF.findall(html):
        if href.startswith(("http://", "https://", "//")):
            found.setdefault(href, None)
    # A Markdown link's href and its visible URL are one link.
    return list(dict.fromkeys(u.rstrip(".,;:!?").rstrip("/") for u in found))


def domain_of(url: str) -> str:
    if not url.lower().startswith(("http://", "https://", "//")):
        url = "//" + url
    host = (urlsplit(url).hostname or "").lower().strip(".")
    with suppress(UnicodeError):
        host = host.encode("idna").decode("ascii")
    return host


@lru_cache(maxsize=2)
def _blocked(version: int) -> frozenset[str]:
    from veche.moderation.models import BlockedDomain

    return frozenset(BlockedDomain.objects.values_list("domain", flat=True))


def blocked_domain(host: str) -> str | None:
    """The blocked domain `host` is, or is a subdomain of (a set lookup per label)."""
    blocked = _blocked(versions.current(versions.DOMAINS))
    labels = host.split(".")
    for i in range(len(labels) - 1):
        candidate = ".".join(labels[i:])
        if candidate in blocked:
            return candidate
    return None


def verdicts(text: str, html: str = "", *, allowed: int | None = None) -> list[Verdict]:
    urls = links_in(text, html)
    out = []
    for url in urls:
        domain = blocked_domain(domain_of(url))
        if domain:
            out.append(
                Verdict(REJECT, f"Links to {domain} are not allowed.", "blocked_domain",
                        details={"url": url})
            )
            break
    allowed = conf.max_links() if allowed is None else allowed
    if len(urls) > allowed:
        out.append(
            Verdict(HOLD, f"{len(urls)} links (more than {allowed}).", "links",
                    details={"count": len(urls)})
        )
    return out


def check(draft: Draft) -> Verdict | None:
    allowed = conf.max_links() + conf.extra_links(trust(draft))
    found = verdicts(draft.body_markdown, draft.body_html, allowed=allowed)
    return max(found, key=lambda v: v.action == REJECT) if found else None
