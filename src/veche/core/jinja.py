"""The Jinja2 environment used for the comment tree."""

from __future__ import annotations

from typing import Any

from django.templatetags.static import static
from django.urls import reverse
from django.utils import timezone
from jinja2 import Environment


def environment(**options: Any) -> Environment:
    env = Environment(**options)  # noqa: S701 - autoescape is set in TEMPLATES
    env.globals.update({"static": static, "url": lambda name, *a: reverse(name, args=a)})
    env.filters["localtime"] = timezone.localtime
    return env
