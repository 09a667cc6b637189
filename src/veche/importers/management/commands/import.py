"""``veche import FILE``: import comments from a Disqus or WordPress export, a Veche
export (JSON Lines, into an empty database) or a page dump; the format is told by the
file's content."""

from __future__ import annotations

from pathlib import Path

from django.core.management import call_command
from django.core.management.base import BaseCommand, CommandError, CommandParser

from veche.importers.common import ImportFileError
from veche.importers.detect import detect_format, import_comments_file


class Command(BaseCommand):
    help = (
        "Import a Disqus export, a WordPress export (WXR), a Veche export (.jsonl) or a "
        "page dump. The whole file is imported in one transaction, or nothing is; "
        "importing the same Disqus/WordPress file again changes nothing."
    )

    def add_arguments(self, parser: CommandParser) -> None:
        parser.add_argument("file", type=Path)
        parser.add_argument("--dry-run", action="store_true",
                            help="read and check everything, store nothing")
        parser.add_argument("--keep-pingbacks", action="store_true",
                            help="import WordPress pingbacks/trackbacks as marked comments")
        parser.add_argument("--time-zone", dest="time_zone", default=None,
                            help="zone of WordPress local times used when the GMT time is "
                            "missing (default: the publication's)")
        parser.add_argument("--publication", default=None, help="page dumps only")
        parser.add_argument("--no-progress", action="store_true",
                            help="no progress bar on stderr")

    def handle(self, *args: object, **opts) -> None:
        path: Path = opts["file"]
        if not path.is_file():
            raise CommandError(f"{path}: no such file")
        try:
            fmt = detect_format(path)
            if fmt == "page":
                if opts["dry_run"]:
                    raise CommandError("--dry-run is not supported for page dumps")
                call_command("import_page", str(path), publication=opts["publication"],
                             time_zone=opts["time_zone"], stdout=self.stdout,
                             stderr=self.stderr)
                return
            if fmt == "jsonl":
                from veche.importers.jsonl import import_export

                lines = import_export(path, dry_run=opts["dry_run"],
                                      progress=not opts["no_progress"])
            else:
                lines = import_comments_file(
                    path, fmt, dry_run=opts["dry_run"],
                    keep_pingbacks=opts["keep_pingbacks"], time_zone=opts["time_zone"],
                    progress=not opts["no_progress"],
                ).lines()
        except ImportFileError as exc:
            raise CommandError(f"{path}: {exc}") from exc
        for line in lines:
            self.stdout.write(line)
