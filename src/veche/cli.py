"""The ``veche`` command: every Django management command, plus ``veche serve``.

    veche migrate --noinput
    veche import-page FILE          # hyphens map to underscores: import_page
    veche serve --host 127.0.0.1 --port 8000 --workers 2
"""

from __future__ import annotations

import os
import sys


def command_name(word: str) -> str:
    """``import-page`` -> ``import_page``; options are left alone."""
    return word if word.startswith("-") else word.replace("-", "_")


def normalise(argv: list[str]) -> list[str]:
    argv = list(argv)
    if argv:
        argv[0] = command_name(argv[0])
        if argv[0] == "help" and len(argv) > 1:
            argv[1] = command_name(argv[1])
    return argv


def main(argv: list[str] | None = None) -> None:
    args = normalise(sys.argv[1:] if argv is None else argv)
    os.environ.setdefault("DJANGO_SETTINGS_MODULE", "veche.config.settings")
    from django.core.management import execute_from_command_line

    execute_from_command_line(["veche", *args])


if __name__ == "__main__":
    main()
