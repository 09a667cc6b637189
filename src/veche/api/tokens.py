"""Bearer tokens: personal API tokens and the embed's short-lived sign-in tokens.

A token is "vch_" and 43 random characters; the database keeps its SHA-256 only, so a
leaked table gives no usable token. The secret is shown once, when it is made.
"""

from __future__ import annotations

import hashlib
import secrets
from datetime import timedelta
from typing import Any

from django.conf import settings
from django.utils import timezone

from veche.api.models import AllowedSite, ApiToken, TokenKind

PREFIX = "vch_"
TOKEN_MAX_LENGTH = 100


def hash_token(secret: str) -> str:
    return hashlib.sha256(secret.encode("utf-8")).hexdigest()


def issue_token(
    user: Any,
    *,
    kind: str = TokenKind.PERSONAL,
    name: str = "",
    site: AllowedSite | None = None,
    lifetime: timedelta | None = None,
) -> tuple[ApiToken, str]:
    secret = PREFIX + secrets.token_urlsafe(32)
    if lifetime is None and kind == TokenKind.EMBED:
        lifetime = timedelta(seconds=getattr(settings, "VECHE_EMBED_TOKEN_SECONDS", 12 * 3600))
    token = ApiToken.objects.create(
        user=user,
        kind=kind,
        name=name[:100],
        site=site,
        key_hash=hash_token(secret),
        prefix=secret[:12],
        expires_at=timezone.now() + lifetime if lifetime else None,
    )
    return token, secret


def token_for_secret(secret: str) -> ApiToken | None:
    """The live token for a secret, with its user loaded; None if unknown or expired."""
    secret = (secret or "").strip()
    if not secret.startswith(PREFIX) or len(secret) > TOKEN_MAX_LENGTH:
        return None
    token = (
        ApiToken.objects.select_related("user").filter(key_hash=hash_token(secret)).first()
    )
    if token is None or not token.user.is_active:
        return None
    now = timezone.now()
    if token.expires_at is not None and token.expires_at <= now:
        return None
    if token.last_used_at is None or now - token.last_used_at > timedelta(minutes=5):
        ApiToken.objects.filter(pk=token.pk).update(last_used_at=now)
    return token
