"""Version counters of the cached lists.

Each process keeps compiled word lists, domains and label patterns keyed by the list's
version. The version lives in the database (shared by every worker); a process re-reads
it at most every VERSION_TTL seconds, and at once after its own change, so a posting
request costs no query for it most of the time.
"""

from __future__ import annotations

import time

from django.conf import settings
from django.db import transaction
from django.db.models import F

from veche.moderation.models import ListVersion

VERSION_TTL = 2.0  # default of settings.VECHE_LIST_VERSION_TTL
WORDS, DOMAINS, LABELS = "words", "domains", "labels"
_memo: dict[str, tuple[int, float]] = {}


def current(name: str) -> int:
    cached = _memo.get(name)
    now = time.monotonic()
    ttl = getattr(settings, "VECHE_LIST_VERSION_TTL", VERSION_TTL)
    if cached is not None and now - cached[1] < ttl:
        return cached[0]
    version = ListVersion.objects.filter(name=name).values_list("version", flat=True).first()
    version = version or 0
    _memo[name] = (version, now)
    return version


def bump(name: str) -> None:
    updated = ListVersion.objects.filter(name=name).update(version=F("version") + 1)
    if not updated:
        # Start from the clock, not 1: a first row created again after a rollback (or a
        # reset database) must not reuse a number a process has compiled already.
        ListVersion.objects.get_or_create(name=name, defaults={"version": time.time_ns()})
    forget(name)
    # Other requests of this process may have re-read the old number meanwhile.
    transaction.on_commit(lambda: forget(name))


def forget(name: str | None = None) -> None:
    if name is None:
        _memo.clear()
    else:
        _memo.pop(name, None)
