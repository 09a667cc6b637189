"""The API's JSON, written by orjson, carries the values ninja's own renderer wrote."""

from __future__ import annotations

import json
import uuid
from datetime import UTC, date, datetime, time, timedelta
from decimal import Decimal

from django.utils.translation import gettext_lazy
from ninja import Schema
from ninja.renderers import JSONRenderer

from veche.api.renderer import ORJSONRenderer
from veche.discussion.models import CommentStatus


class Point(Schema):
    x: int
    label: str


def test_every_kind_of_value_reads_back_as_ninjas_renderer_wrote_it(rf):
    request = rf.get("/api/v1/")
    data = {
        "when": datetime(2026, 12, 7, 10, 11, 12, 345678, tzinfo=UTC),
        "naive": datetime(2026, 12, 7, 10, 11, 12),
        "day": date(2026, 12, 7),
        "at": time(10, 11, 12, 5000),
        "took": timedelta(seconds=90),
        "amount": Decimal("12.50"),
        "id": uuid.UUID("12345678-1234-5678-1234-567812345678"),
        "lazy": gettext_lazy("Reply"),
        "status": CommentStatus.PUBLISHED,
        "by_number": {1: "one", 2: "two"},
        "text": "Цитата: «NEXUS» — ответ",
        "point": Point(x=3, label="три"),
        "nested": [{"score": 0.1 + 0.2, "none": None, "flag": True}],
    }
    ours = ORJSONRenderer().render(request, data, response_status=200)
    theirs = JSONRenderer().render(request, data, response_status=200)
    assert json.loads(ours) == json.loads(theirs)
    assert json.loads(ours)["when"] == "2026-12-07T10:11:12.345Z"


def test_text_beyond_ascii_is_written_as_utf8_not_escapes(rf):
    request = rf.get("/api/v1/")
    data = {"body": "Русский комментарий к статье " * 20}
    ours = ORJSONRenderer().render(request, data, response_status=200)
    theirs = JSONRenderer().render(request, data, response_status=200)
    assert "Русский".encode() in ours
    assert len(ours) < 0.5 * len(theirs.encode())
