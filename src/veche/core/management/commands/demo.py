"""``veche demo``: set up the demo publication; running it again changes nothing.

* imports demo/military-review-article.txt with ``import_page`` (itself idempotent), then
  lets the abuse classifier check the imported comments as if they had just been posted
  (``classifier_sweep --unchecked``): the abusive ones wait in the moderators' queue;
* names the publication "Military Review" and sets its tagline;
* creates the demo moderator (verified e-mail, "moderator" group) whose random password
  is generated once and kept in $VECHE_VAR_DIR/demo-moderator.txt.
"""

from __future__ import annotations

import secrets
from pathlib import Path

from allauth.account.models import EmailAddress
from django.conf import settings
from django.contrib.auth import get_user_model
from django.contrib.auth.models import Group
from django.core.management import call_command, get_commands
from django.core.management.base import BaseCommand, CommandError
from django.db import transaction

PUBLICATION_NAME = "Military Review"
PUBLICATION_TAGLINE = "Defence and security news, and the readers' discussion"
DEMO_FILE = Path("demo") / "military-review-article.txt"
MODERATOR_USERNAME = "moderator"
MODERATOR_EMAIL = "moderator@example.org"
MODERATOR_GROUP = "moderator"
CREDENTIALS_FILE = "demo-moderator.txt"


def default_demo_file() -> Path | None:
    """demo/… in the source checkout (src/veche/core/management/commands -> root), or cwd."""
    here = Path(__file__).resolve()
    candidates = [here.parents[5] / DEMO_FILE] if len(here.parents) > 5 else []
    candidates.append(Path.cwd() / DEMO_FILE)
    return next((path for path in candidates if path.is_file()), None)


def demo_password(var_dir: Path) -> str:
    """The demo moderator's password: generated on first use, then read back."""
    path = Path(var_dir) / CREDENTIALS_FILE
    if path.exists():
        password = path.read_text().strip()
        if password:
            return password
    password = secrets.token_urlsafe(12)
    path.parent.mkdir(parents=True, exist_ok=True)
    path.write_text(password + "\n")
    path.chmod(0o600)
    return password


class Command(BaseCommand):
    help = "Set up the demo publication, its article and a demo moderator (idempotent)."

    def add_arguments(self, parser) -> None:
        parser.add_argument(
            "--file",
            type=Path,
            default=None,
            help=f"the page to import (default: {DEMO_FILE} in the project root)",
        )
        parser.add_argument(
            "--skip-import", action="store_true", help="do not import the demo article"
        )
        parser.add_argument(
            "--no-checks", action="store_true",
            help="publish the imported comments as they are, without the classifier's check",
        )

    def handle(self, *args, **opts) -> None:
        if not opts["skip_import"]:
            self.import_article(opts["file"], opts["verbosity"])
            if not opts["no_checks"]:
                self.check_imported(opts["verbosity"])
        with transaction.atomic():
            self.set_publication()
            password = self.ensure_moderator()
        self.stdout.write(
            f"Demo moderator: {MODERATOR_USERNAME} / {password} "
            "(two-factor set-up is required at first sign-in)"
        )

    def import_article(self, path: Path | None, verbosity: int) -> None:
        if "import_page" not in get_commands():
            self.stderr.write("The import_page command is not available: demo article skipped.")
            return
        path = path or default_demo_file()
        if path is None or not Path(path).is_file():
            raise CommandError(
                f"The demo article is not found ({path or DEMO_FILE}); pass --file PATH."
            )
        call_command("import_page", str(path), publication=PUBLICATION_NAME, verbosity=verbosity)

    def check_imported(self, verbosity: int) -> None:
        """Run the abuse classifier over the imported comments, as if they had just been
        posted: the abusive ones wait in the moderators' queue with the reason."""
        if "classifier_sweep" not in get_commands():
            return
        call_command("classifier_sweep", local=True, unchecked=True, verbosity=verbosity,
                     stdout=self.stdout)

    def set_publication(self) -> None:
        from veche.core.site import forget_publication
        from veche.newsroom.models import Publication

        publication = Publication.objects.order_by("pk").first()
        if publication is None:
            Publication.objects.create(name=PUBLICATION_NAME, tagline=PUBLICATION_TAGLINE)
        elif (publication.name, publication.tagline) != (PUBLICATION_NAME, PUBLICATION_TAGLINE):
            publication.name = PUBLICATION_NAME
            publication.tagline = PUBLICATION_TAGLINE
            publication.save(update_fields=["name", "tagline"])
        forget_publication()

    def ensure_moderator(self) -> str:
        password = demo_password(settings.VAR_DIR)
        user_model = get_user_model()
        user, created = user_model.objects.get_or_create(
            username=MODERATOR_USERNAME,
            defaults={"email": MODERATOR_EMAIL, "display_name": "Demo moderator"},
        )
        if created or not user.check_password(password):
            user.set_password(password)
            user.save()
        group, _ = Group.objects.get_or_create(name=MODERATOR_GROUP)
        user.groups.add(group)
        EmailAddress.objects.update_or_create(
            user=user,
            email=user.email or MODERATOR_EMAIL,
            defaults={"verified": True, "primary": True},
        )
        return password
