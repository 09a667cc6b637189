"""What tests that start Veche in a process of its own share."""

from __future__ import annotations

import os
from pathlib import Path


def site_env(directory: Path, **extra: str) -> dict[str, str]:
    """The environment of a Veche process with its own files and SQLite database in
    `directory` (the production settings, not the tests'), plus `extra`."""
    return {
        **os.environ,
        "DJANGO_SETTINGS_MODULE": "veche.config.settings",
        "VECHE_VAR_DIR": str(directory),
        "DATABASE_URL": f"sqlite:///{directory / 'db.sqlite3'}",
        **extra,
    }
