"""Moderation settings with their defaults, read at call time so tests can override them."""

from __future__ import annotations

from django.conf import settings

DEFAULT_RANKS = [
    (0, 0, "Private"),
    (1, 3, "Corporal"),
    (1, 10, "Sergeant"),
    (2, 25, "Lieutenant"),
    (2, 50, "Captain"),
    (3, 100, "Major"),
    (3, 250, "Colonel"),
    (4, 500, "General"),
]
# (level, min account age in days, min published comments, min upvotes received)
DEFAULT_TRUST_THRESHOLDS = [
    (1, 1, 3, 0),
    (2, 14, 20, 10),
    (3, 60, 100, 50),
    (4, 180, 300, 200),
]
# How much a report of a reader at each trust level counts towards holding a comment.
DEFAULT_REPORT_WEIGHTS = {0: 0.5, 1: 1.0, 2: 1.0, 3: 1.5, 4: 2.0}
# Posting-rate multiplier and extra links per trust level.
DEFAULT_TRUST_RATE_MULTIPLIER = {0: 1.0, 1: 1.0, 2: 1.5, 3: 2.0, 4: 3.0}
DEFAULT_TRUST_EXTRA_LINKS = {0: 0, 1: 0, 2: 1, 3: 3, 4: 5}


def get(name: str, default):
    return getattr(settings, name, default)


def moderation_mode() -> str:
    return get("VECHE_MODERATION_MODE", "post")


def new_user_premod_count() -> int:
    return int(get("VECHE_NEW_USER_PREMOD_COUNT", 3))


def max_links() -> int:
    return int(get("VECHE_MAX_LINKS", 2))


def history_reject_share() -> float:
    return float(get("VECHE_HISTORY_REJECT_SHARE", 0.5))


def history_min_comments() -> int:
    return int(get("VECHE_HISTORY_MIN_COMMENTS", 4))


def reports_to_hold() -> float:
    return float(get("VECHE_REPORTS_TO_HOLD", 3))


def duplicate_window_hours() -> int:
    return int(get("VECHE_DUPLICATE_WINDOW_HOURS", 24))


def parse_rate(value: str | None) -> tuple[int, int] | None:
    """"5/60" -> (5 events, 60 seconds); None or "" means no limit."""
    if not value:
        return None
    count, _, seconds = str(value).partition("/")
    return int(count), int(seconds or 60)


def rate(kind: str) -> tuple[int, int] | None:
    defaults = {
        "post": "5/60",
        "edit": "10/60",
        "report": "10/3600",
        "vote": "60/60",
    }
    return parse_rate(get(f"VECHE_{kind.upper()}_RATE", defaults.get(kind)))


def trust_thresholds() -> list[tuple[int, int, int, int]]:
    return sorted(get("VECHE_TRUST_THRESHOLDS", DEFAULT_TRUST_THRESHOLDS))


def ranks() -> list[tuple[int, int, str]]:
    return list(get("VECHE_RANKS", DEFAULT_RANKS))


def report_weight(level: int) -> float:
    return float(get("VECHE_REPORT_WEIGHTS", DEFAULT_REPORT_WEIGHTS).get(level, 1.0))


def rate_multiplier(level: int) -> float:
    return float(get("VECHE_TRUST_RATE_MULTIPLIER", DEFAULT_TRUST_RATE_MULTIPLIER).get(level, 1.0))


def extra_links(level: int) -> int:
    return int(get("VECHE_TRUST_EXTRA_LINKS", DEFAULT_TRUST_EXTRA_LINKS).get(level, 0))
