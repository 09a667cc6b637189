"""``veche install-starter-words``: the starter word list, once per site (see wordlists)."""

from __future__ import annotations

from django.core.management.base import BaseCommand

from veche.moderation.wordlists import STARTER, install_starter


class Command(BaseCommand):
    help = ("Install the small starter word list (English and Russian slurs, obscene words, "
            "words worth a look) once per site; edit or delete the entries in the admin.")

    def handle(self, *args, **options) -> None:
        added = install_starter()
        if added:
            self.stdout.write(f"Installed {added} starter word list entries.")
        else:
            self.stdout.write(f"Starter word list already installed or a list exists "
                              f"({len(STARTER)} starter entries; nothing changed).")
