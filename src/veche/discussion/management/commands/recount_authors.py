from django.core.management.base import BaseCommand

from veche.discussion.actions import rebuild_author_tallies


class Command(BaseCommand):
    help = "Rebuild every author's comment tallies from the comments (a repair tool)."

    def handle(self, *args, **options):
        rows = rebuild_author_tallies()
        self.stdout.write(f"Recounted the authors' tallies: {rows} row(s).")
