"""``veche import-page FILE``: import one article page dump with its discussion."""

from __future__ import annotations

from pathlib import Path

from django.core.management.base import BaseCommand, CommandError, CommandParser

from veche.importers.page_import import PageImportError, import_page_file


class Command(BaseCommand):
    help = (
        "Import a plain-text dump of an article page: the article, its author, reader "
        "accounts and every comment. Importing the same file again changes nothing."
    )

    def add_arguments(self, parser: CommandParser) -> None:
        parser.add_argument("file", type=Path, help="the page dump (UTF-8 text)")
        parser.add_argument(
            "--publication",
            default=None,
            help="the publication's name (default: the dump's first line)",
        )
        parser.add_argument(
            "--time-zone",
            dest="time_zone",
            default=None,
            help="the zone the dump's times are in (default: the publication's, "
            "else settings.TIME_ZONE)",
        )

    def handle(self, *args: object, **opts: object) -> None:
        try:
            result = import_page_file(
                opts["file"],  # type: ignore[arg-type]
                publication=opts["publication"],  # type: ignore[arg-type]
                time_zone=opts["time_zone"],  # type: ignore[arg-type]
            )
        except PageImportError as exc:
            raise CommandError(f"{opts['file']}: {exc}") from exc
        title = result.article.title
        if not result.created:
            self.stdout.write(f"{title}: already imported (article #{result.article.pk}).")
            return
        self.stdout.write(
            self.style.SUCCESS(
                f"Imported {title!r} (article #{result.article.pk}): "
                f"{result.comments_created} comments created, "
                f"{result.users_created} users created."
            )
        )
