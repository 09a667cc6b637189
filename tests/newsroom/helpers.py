"""Reading the head of a rendered page."""

from __future__ import annotations

import json
import re
from html.parser import HTMLParser
from typing import Any

JSONLD = re.compile(r'<script type="application/ld\+json">(.*?)</script>', re.S)


class HeadReader(HTMLParser):
    def __init__(self) -> None:
        super().__init__()
        self.meta: dict[str, list[str]] = {}
        self.links: dict[str, str] = {}

    def handle_starttag(self, tag: str, attrs: list[tuple[str, str | None]]) -> None:
        a = {k: v or "" for k, v in attrs}
        if tag == "meta" and ("property" in a or "name" in a):
            self.meta.setdefault(a.get("property") or a["name"], []).append(a.get("content", ""))
        elif tag == "link" and "rel" in a:
            self.links[a["rel"]] = a.get("href", "")


def read_head(html: str) -> HeadReader:
    reader = HeadReader()
    reader.feed(html)
    return reader


def jsonld(html: str) -> dict[str, Any]:
    blocks = JSONLD.findall(html)
    assert len(blocks) == 1, blocks
    return json.loads(blocks[0])
