"""The classifier's settings, read with defaults so settings.py need not name them.

VECHE_CLASSIFIER_ENABLED           True: register the posting check and the recorder;
                                   unset in settings, the environment's VECHE_CLASSIFIER
                                   decides (0/false/off: light inline checks only)
VECHE_CLASSIFIER_SOCKET            Unix socket of the scorer (default VAR_DIR/classifier.sock)
VECHE_CLASSIFIER_PORT              if set, the scorer listens on 127.0.0.1:PORT instead
VECHE_CLASSIFIER_TIMEOUT           seconds the posting check waits for the scorer (0.15)
VECHE_CLASSIFIER_RECHECK_TIMEOUT   seconds a re-check waits for the scorer (5)
VECHE_CLASSIFIER_HOLD              hold at or above this score (None: the model's own
                                   per-language threshold, chosen at training)
VECHE_CLASSIFIER_HOLD_EN           the hold threshold for English (Russian: _RU) in place
                                   of the model's own for that language (None: the model's)
VECHE_CLASSIFIER_REJECT            reject at or above this score (None: never)
VECHE_SCORER_SLICE_MS              the scorer's CPU slice on Linux 6.12+ (20; 0: the
                                   kernel's default), longer than the request path's so
                                   that a waking web worker or database backend preempts
                                   it (core.cpu_slice)
"""

from __future__ import annotations

import os
from pathlib import Path

from django.conf import settings

OFF = ("0", "false", "no", "off")


def enabled() -> bool:
    value = getattr(settings, "VECHE_CLASSIFIER_ENABLED", None)
    if value is None:
        return os.environ.get("VECHE_CLASSIFIER", "1").strip().lower() not in OFF
    return bool(value)


def socket_path() -> str:
    default = Path(getattr(settings, "VAR_DIR", "/tmp")) / "classifier.sock"  # noqa: S108
    return str(getattr(settings, "VECHE_CLASSIFIER_SOCKET", None) or default)


def port() -> int | None:
    value = getattr(settings, "VECHE_CLASSIFIER_PORT", None)
    return int(value) if value else None


def timeout() -> float:
    return float(getattr(settings, "VECHE_CLASSIFIER_TIMEOUT", 0.15))


def recheck_timeout() -> float:
    return float(getattr(settings, "VECHE_CLASSIFIER_RECHECK_TIMEOUT", 5.0))


def hold_threshold(model_threshold: float) -> float:
    value = getattr(settings, "VECHE_CLASSIFIER_HOLD", None)
    return model_threshold if value is None else float(value)


def reject_threshold() -> float | None:
    value = getattr(settings, "VECHE_CLASSIFIER_REJECT", None)
    return None if value is None else float(value)


def language_thresholds() -> dict[str, float]:
    """Per-language hold thresholds set in the settings (the scorer reports them as the
    model's own, so VECHE_CLASSIFIER_HOLD still overrides every language)."""
    out = {}
    for lang in ("en", "ru"):
        value = getattr(settings, f"VECHE_CLASSIFIER_HOLD_{lang.upper()}", None)
        if value is not None:
            out[lang] = float(value)
    return out


def scorer_slice_ms() -> float:
    return float(getattr(settings, "VECHE_SCORER_SLICE_MS", 20.0) or 0.0)
