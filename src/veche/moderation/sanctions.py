"""Suspended and banned readers may read but not take part: a refusal provider for
accounts.policy, so posting, editing, voting and reporting are all refused with it."""

from __future__ import annotations

from typing import Any

from django.utils import timezone
from django.utils.formats import date_format

from veche.moderation.models import SanctionKind


def refusal(user: Any) -> tuple[str, str] | None:
    from veche.moderation.selectors import active_sanction

    sanction = active_sanction(user.pk)
    if sanction is None:
        return None
    if sanction.kind == SanctionKind.BAN:
        return "banned", f"Your account is banned: {sanction.reason}"
    until = date_format(timezone.localtime(sanction.until), "j F Y, H:i")
    return "suspended", f"Your account is suspended until {until}: {sanction.reason}"
