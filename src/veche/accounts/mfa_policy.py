"""Who must set up a second factor before using the site: staff, superusers and the
members of the powerful groups (settings.VECHE_MFA_REQUIRED_GROUPS) with no TOTP
authenticator.

Asked on every signed-in request (accounts.middleware), the answer was one or two
queries of its own (the groups, then the authenticator): ~1 ms of a post's ~5 ms. It
now comes with the user's row, which the auth backend reads on every such request
anyway (UserManager.get, core.rows.by_pk), as one more column of that SELECT.
"""

from __future__ import annotations

from functools import cache
from typing import Any

from django.conf import settings

from veche.accounts.facts import column, table

# The attribute the user's row read sets: the answer, as the database gives a boolean.
NEEDS_SETUP = "veche_needs_mfa_setup"


def required() -> bool:
    return bool(getattr(settings, "VECHE_MFA_REQUIRED", False))


def needs_setup_fact(alias: str | None = None) -> dict[str, tuple[str, list]]:
    """{NEEDS_SETUP: (SQL, parameters)} over the user's table (named as in its
    db_table, or as `alias`, quoted), for by_pk; nothing when no second factor is
    required."""
    if not required():
        return {}
    groups = tuple(settings.VECHE_MFA_REQUIRED_GROUPS)
    return {NEEDS_SETUP: (_needs_setup_sql(len(groups), alias), [*groups, _totp()])}


@cache
def _needs_setup_sql(group_count: int, alias: str | None) -> str:
    from allauth.mfa.models import Authenticator
    from django.contrib.auth import get_user_model
    from django.contrib.auth.models import Group

    user = get_user_model()
    membership = user.groups.through
    row = alias or table(user)
    me = f"{row}.{column(user, 'id')}"
    powerful = [f"{row}.{column(user, 'is_superuser')}", f"{row}.{column(user, 'is_staff')}"]
    if group_count:
        names = ", ".join(["%s"] * group_count)
        powerful.append(
            f"EXISTS(SELECT 1 FROM {table(membership)} ug JOIN {table(Group)} g"  # noqa: S608
            f" ON g.{column(Group, 'id')} = ug.{column(membership, 'group')}"
            f" WHERE ug.{column(membership, 'user')} = {me}"
            f" AND g.{column(Group, 'name')} IN ({names}))")
    return (
        f"({' OR '.join(powerful)}) AND NOT EXISTS(SELECT 1"  # noqa: S608
        f" FROM {table(Authenticator)} a WHERE a.{column(Authenticator, 'user')} = {me}"
        f" AND a.{column(Authenticator, 'type')} = %s)"
    )


def _totp() -> str:
    from allauth.mfa.models import Authenticator

    return str(Authenticator.Type.TOTP)


def needs_mfa_setup(user: Any) -> bool:
    """Whether this signed-in user must set up a TOTP authenticator first."""
    if not getattr(user, "is_authenticated", False):
        return False
    known = getattr(user, NEEDS_SETUP, None)
    if known is not None:  # read with the user's row
        return bool(known)
    if not (
        user.is_superuser
        or user.is_staff
        or user.groups.filter(name__in=settings.VECHE_MFA_REQUIRED_GROUPS).exists()
    ):
        return False
    from allauth.mfa.models import Authenticator

    return not Authenticator.objects.filter(user=user, type=Authenticator.Type.TOTP).exists()
