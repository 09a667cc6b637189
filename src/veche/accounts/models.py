"""Reader accounts."""

from __future__ import annotations

from django.contrib.auth.models import AbstractUser
from django.db import models


class Role(models.TextChoices):
    """Django groups that carry each role's permissions (created by a migration)."""

    READER = "reader", "Reader"
    AUTHOR = "author", "Author"
    EDITOR = "editor", "Editor"
    MODERATOR = "moderator", "Moderator"
    ADMIN = "admin", "Administrator"


class User(AbstractUser):
    display_name = models.CharField(max_length=150, blank=True)
    # Created by an import for a name seen in another system: it cannot sign in,
    # and its name stays reserved until a person claims it by verifying the e-mail.
    is_imported = models.BooleanField(default=False)
    imported_from = models.CharField(max_length=100, blank=True)
    # The address an import saw for this account. Kept apart from `email` so that the
    # person who owns it can still sign up with it (addresses are unique) and, by
    # verifying it, claim the imported account's comments.
    claim_email = models.EmailField(blank=True, db_index=True)

    class Meta:
        db_table = "accounts_user"

    @property
    def public_name(self) -> str:
        return self.display_name or self.username

    def has_role(self, role: str) -> bool:
        if role == Role.ADMIN and self.is_superuser:
            return True
        return self.groups.filter(name=role).exists()

    @property
    def is_moderator(self) -> bool:
        return self.is_superuser or self.has_role(Role.MODERATOR)
