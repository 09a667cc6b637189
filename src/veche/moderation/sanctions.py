"""Suspended and banned readers may read but not take part: a refusal provider for
accounts.policy, so posting, editing, voting and reporting are all refused with it."""

from __future__ import annotations

from collections.abc import Mapping
from typing import Any

from django.utils import timezone
from django.utils.formats import date_format

from veche.accounts.facts import Fact, column, db_datetime, participant_id, table
from veche.moderation.models import Sanction, SanctionKind

SANCTIONED = "moderation_sanctioned"


def annotations(user: Any) -> dict[str, Fact]:
    """Whether any sanction is in force (as active_sanction picks them): one EXISTS in
    the participant's row query."""
    live = (
        f"EXISTS(SELECT 1 FROM {table(Sanction)} s"  # noqa: S608
        f" WHERE s.{column(Sanction, 'user')} = {participant_id()}"
        f" AND NOT s.{column(Sanction, 'revoked')}"
        f" AND (s.{column(Sanction, 'kind')} = %s"
        f" OR (s.{column(Sanction, 'kind')} = %s AND s.{column(Sanction, 'until')} > %s)))"
    )
    return {SANCTIONED: (live, [SanctionKind.BAN.value, SanctionKind.SUSPENSION.value,
                                db_datetime(timezone.now())])}


def refusal(user: Any, facts: Mapping[str, Any]) -> tuple[str, str] | None:
    if SANCTIONED in facts and not facts[SANCTIONED]:
        return None  # the usual case: nothing in force, no further query
    from veche.moderation.selectors import active_sanction

    sanction = active_sanction(user.pk)
    if sanction is None:
        return None
    if sanction.kind == SanctionKind.BAN:
        return "banned", f"Your account is banned: {sanction.reason}"
    until = date_format(timezone.localtime(sanction.until), "j F Y, H:i")
    return "suspended", f"Your account is suspended until {until}: {sanction.reason}"
