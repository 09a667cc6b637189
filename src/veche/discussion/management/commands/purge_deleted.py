from django.core.management.base import BaseCommand

from veche.discussion.actions import purge_deleted_text


class Command(BaseCommand):
    help = "Erase the text of comments deleted or removed longer ago than the retention."

    def add_arguments(self, parser):
        parser.add_argument(
            "--days",
            type=int,
            default=None,
            help="retention in days (default: VECHE_DELETED_RETENTION_DAYS)",
        )

    def handle(self, *args, days=None, **options):
        count = purge_deleted_text(older_than_days=days)
        self.stdout.write(f"Purged the text of {count} deleted comment(s).")
