"""Long-lived processes settle once loaded: every object alive then is moved out of the
garbage collector's full passes (gc.freeze).

A full (generation 2) collection walks every tracked object: in a loaded web worker,
Django, the apps and their libraries (~130,000 objects); in the scorer, the model's
tables and word lists (~80,000). Posting allocates enough to trigger one every few
hundred posts, and each took ~60-90 ms in a web worker and ~20 ms in the scorer; frozen,
those objects are skipped and a full collection walks only what requests left behind
(~1 ms; bench/post_timing.py --gc-freeze shows the collections).
"""

from __future__ import annotations

import gc


def freeze_loaded() -> None:
    """Freeze what is alive now, after collecting what is already garbage."""
    gc.collect()
    gc.freeze()


def settle_web_worker() -> None:
    """Load what every request needs (the URLconf imports every view module), then
    freeze it."""
    from django.urls import get_resolver

    get_resolver().url_patterns  # noqa: B018 - the import is the point
    freeze_loaded()
