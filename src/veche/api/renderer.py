"""The API's JSON written by orjson: the values ninja's JSONRenderer writes, faster.

json.dumps with ninja's encoder was ~9% of a 200-comment API page's time. orjson writes
the same values: times, dates, decimals, lazy translations and ninja's own types (models,
URLs, addresses, enums) are handed to that encoder's default(), so they read as before
(times to the millisecond, "Z" for UTC). The text differs only in what JSON leaves free:
no spaces after separators, and letters beyond ASCII as UTF-8 instead of \\u escapes,
which for a Russian comment is a third of the bytes.
"""

from __future__ import annotations

from typing import Any

import orjson
from django.http import HttpRequest
from ninja.renderers import BaseRenderer
from ninja.responses import NinjaJSONEncoder

_encoder = NinjaJSONEncoder()
OPTIONS = orjson.OPT_PASSTHROUGH_DATETIME | orjson.OPT_NON_STR_KEYS


def render_json(data: Any) -> bytes:
    """The API's JSON of a value (an orjson.Fragment inside is written as it is)."""
    return orjson.dumps(data, default=_encoder.default, option=OPTIONS)


class ORJSONRenderer(BaseRenderer):
    media_type = "application/json"

    def render(self, request: HttpRequest, data: Any, *, response_status: int) -> bytes:
        return render_json(data)
