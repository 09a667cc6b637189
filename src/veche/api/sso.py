"""Single sign-on for host sites with their own accounts.

The host site's server signs {id, username, email, name, exp} with its AllowedSite's
secret: token = b64url(JSON) + "." + b64url(HMAC-SHA256(secret, b64url(JSON))). Veche
checks the signature and the expiry and signs the person in as an SSO account: a User
named "site:<site id>:<the host's user id>" with no password (allauth's sign-up refuses
":" in user names, so no reader can take such a name).
"""

from __future__ import annotations

import base64
import binascii
import hashlib
import hmac
import json
import re
import time
from typing import Any

from allauth.account.models import EmailAddress
from django.db import IntegrityError, transaction

from veche.accounts.models import User
from veche.api.models import AllowedSite
from veche.discussion.errors import ActionError

MAX_TOKEN_LENGTH = 4000
MAX_LIFETIME = 24 * 3600  # an exp further ahead than this is refused
ID_RE = re.compile(r"^[A-Za-z0-9_.@+-]{1,64}$")


def _b64encode(data: bytes) -> str:
    return base64.urlsafe_b64encode(data).rstrip(b"=").decode("ascii")


def _b64decode(text: str) -> bytes:
    return base64.urlsafe_b64decode(text + "=" * (-len(text) % 4))


def sign_sso(secret: str, claims: dict) -> str:
    """What a host site's server does (here for tests and the documentation)."""
    payload = _b64encode(json.dumps(claims, separators=(",", ":")).encode("utf-8"))
    mac = hmac.new(secret.encode("utf-8"), payload.encode("ascii"), hashlib.sha256).digest()
    return f"{payload}.{_b64encode(mac)}"


def _invalid(message: str) -> ActionError:
    return ActionError("sso_invalid", message, field="token", status=401)


def verify_sso(site: AllowedSite, token: str, *, now: float | None = None) -> dict:
    token = (token or "").strip()
    if len(token) > MAX_TOKEN_LENGTH or token.count(".") != 1:
        raise _invalid("The sign-in token is malformed.")
    payload, mac = token.split(".")
    expected = hmac.new(
        site.sso_secret.encode("utf-8"), payload.encode("ascii", "replace"), hashlib.sha256
    ).digest()
    try:
        given = _b64decode(mac)
        claims = json.loads(_b64decode(payload))
    except (binascii.Error, ValueError):
        raise _invalid("The sign-in token is malformed.") from None
    if not hmac.compare_digest(given, expected):
        raise _invalid("The sign-in token's signature is wrong.")
    if not isinstance(claims, dict):
        raise _invalid("The sign-in token's payload is not an object.")
    now = time.time() if now is None else now
    exp = claims.get("exp")
    if not isinstance(exp, int | float) or isinstance(exp, bool):
        raise _invalid("The sign-in token has no expiry (exp).")
    if exp <= now:
        raise ActionError("sso_expired", "The sign-in token has expired.", field="token",
                          status=401)
    if exp > now + MAX_LIFETIME:
        raise _invalid("The sign-in token's expiry is too far ahead.")
    user_id = str(claims.get("id", ""))
    if not ID_RE.match(user_id):
        raise _invalid("The sign-in token's id is missing or malformed.")
    for key in ("username", "email", "name"):
        if not isinstance(claims.get(key, ""), str):
            raise _invalid(f"The sign-in token's {key} is not a string.")
    return claims


def sso_username(site: AllowedSite, user_id: str) -> str:
    return f"site:{site.pk}:{user_id}"


def sso_user(site: AllowedSite, claims: dict) -> Any:
    """The SSO account for the claims, created or brought up to date."""
    username = sso_username(site, str(claims["id"]))
    name = (claims.get("name") or claims.get("username") or str(claims["id"])).strip()[:150]
    email = (claims.get("email") or "").strip()[:254]
    with transaction.atomic():
        user = User.objects.select_for_update().filter(username=username).first()
        if user is None:
            user = User(username=username, display_name=name, email=email)
            user.set_unusable_password()
            user.save()
        elif user.display_name != name:
            user.display_name = name
            user.save(update_fields=["display_name"])
        if not EmailAddress.objects.filter(user=user, verified=True).exists():
            # The host site vouches for its users; an address another account holds is
            # replaced by a stand-in, so no SSO account can claim a reader's e-mail.
            address = email
            if not address or EmailAddress.objects.filter(email__iexact=address).exists():
                address = f"{site.pk}.{claims['id']}@sso.invalid"
            try:
                with transaction.atomic():
                    EmailAddress.objects.create(
                        user=user, email=address, verified=True, primary=True
                    )
            except IntegrityError:
                EmailAddress.objects.create(
                    user=user,
                    email=f"{site.pk}.{claims['id']}@sso.invalid",
                    verified=True,
                    primary=True,
                )
    return user
