"""The abuse classifier: a model scored in its own process, asked by the posting checks.

status() -> str is what the admin shows about it.
"""

from __future__ import annotations


def installed() -> bool:
    """The run time (numpy) and the shipped artefacts are here. Without importing numpy:
    only the scorer needs it, and a web worker would carry it for nothing."""
    from importlib.util import find_spec
    from pathlib import Path

    if find_spec("numpy") is None:
        return False
    return (Path(__file__).resolve().parent / "models" / "model.npz").exists()


def status() -> str:
    if not installed():
        return "Classifier: not installed — light checks only"
    from veche.moderation.classifier import client, conf

    if not conf.enabled():
        return "Classifier: disabled (VECHE_CLASSIFIER_ENABLED) — light checks only"
    info = client.ping()
    if info is None:
        return ("Classifier: scorer not running — light checks only; new comments are marked "
                "unscored and re-checked when it starts (veche scorer)")
    return f"Classifier: model {info.get('model')} loaded by scorer at {info.get('started')}"
