"""The API's own data: the sites allowed to embed discussions, and API tokens."""

from __future__ import annotations

import secrets

from django.conf import settings
from django.core.exceptions import ValidationError
from django.db import models

from veche.api.origins import normalise_origin


def new_sso_secret() -> str:
    return secrets.token_urlsafe(32)


class AllowedSite(models.Model):
    """A site whose pages may embed discussions, call the API from the browser
    (CORS, CSRF) and sign their own users in (SSO, signed with `sso_secret`)."""

    name = models.CharField(max_length=200)
    origin = models.CharField(
        max_length=300,
        unique=True,
        help_text='Scheme, host and port only, e.g. "https://blog.example.org".',
    )
    enabled = models.BooleanField(default=True)
    sso_secret = models.CharField(
        "SSO secret",
        max_length=200,
        default=new_sso_secret,
        help_text="The host site's server signs single sign-on tokens with this (HMAC-SHA256).",
    )
    created_at = models.DateTimeField(auto_now_add=True)

    class Meta:
        ordering = ["name"]

    def __str__(self) -> str:
        return f"{self.name} ({self.origin})"

    def save(self, *args, **kwargs) -> None:
        self.origin = normalise_origin(self.origin)
        super().save(*args, **kwargs)

    def clean(self) -> None:
        try:
            self.origin = normalise_origin(self.origin)
        except ValueError as e:
            raise ValidationError({"origin": str(e)}) from e


class TokenKind(models.TextChoices):
    PERSONAL = "personal", "Personal API token"
    EMBED = "embed", "Embed sign-in (short-lived)"


class ApiToken(models.Model):
    """A bearer token. Only the SHA-256 of the secret is stored; the secret is shown once."""

    user = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.CASCADE, related_name="api_tokens"
    )
    name = models.CharField(max_length=100, blank=True)
    kind = models.CharField(max_length=10, choices=TokenKind.choices, default=TokenKind.PERSONAL)
    key_hash = models.CharField(max_length=64, unique=True)
    # The first characters, so a reader can tell tokens apart in a list.
    prefix = models.CharField(max_length=16)
    site = models.ForeignKey(AllowedSite, null=True, blank=True, on_delete=models.CASCADE)
    created_at = models.DateTimeField(auto_now_add=True)
    last_used_at = models.DateTimeField(null=True, blank=True)
    expires_at = models.DateTimeField(null=True, blank=True)

    class Meta:
        indexes = [models.Index(fields=["user", "kind"], name="apitoken_user_kind")]

    def __str__(self) -> str:
        return f"{self.prefix}… ({self.get_kind_display()}) of user {self.user_id}"
