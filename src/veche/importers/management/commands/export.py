"""``veche export [--output FILE]``: the whole site as JSON Lines (see importers.jsonl)."""

from __future__ import annotations

import sys

from django.core.management.base import BaseCommand, CommandParser

from veche.importers.jsonl import write_export


class Command(BaseCommand):
    help = (
        "Write the whole site (users without passwords, newsroom, discussions, votes, "
        "moderation records) as JSON Lines, for `veche import` into an empty database."
    )

    def add_arguments(self, parser: CommandParser) -> None:
        parser.add_argument("--output", "-o", default="-", help="file to write (default: stdout)")
        parser.add_argument("--no-progress", action="store_true")

    def handle(self, *args: object, **opts) -> None:
        output = opts["output"]
        if output == "-":
            count = write_export(self.stdout, progress=False)
        else:
            with open(output, "w", encoding="utf-8") as handle:
                count = write_export(handle, progress=not opts["no_progress"])
            sys.stderr.write(f"Wrote {count} lines to {output}\n")
