"""Stores what the checks said about a comment they did not simply publish: a flag per
such verdict and, for a held comment, the log entry. For a new comment these are rows
stored with it (hooks.CompanionRow); for an edit, a recorder writes them inside the
edit's transaction. Either way a held comment never exists without its reasons."""

from __future__ import annotations

from typing import Any

from veche.discussion.hooks import HOLD, PUBLISH, CompanionRow, Verdict
from veche.discussion.models import CommentStatus
from veche.moderation.actions import event
from veche.moderation.models import ModerationEvent, ModerationFlag


def _rows(comment: Any, verdicts: list[Verdict], is_edit: bool) -> list[Any]:
    """The flags and the log entry, unsaved."""
    flagged = [v for v in verdicts if v.action != PUBLISH]
    rows: list[ModerationFlag | ModerationEvent] = [
        ModerationFlag(
            check_name=(v.check or "check")[:64],
            action=v.action,
            reason=v.reason,
            score=v.score,
        )
        for v in flagged
    ]
    held = [v for v in flagged if v.action == HOLD]
    if held and comment.status == CommentStatus.PENDING:
        entry = event(
            "comment.edit_hold" if is_edit else "comment.auto_hold",
            comment=comment,
            from_status="" if not is_edit else CommentStatus.PUBLISHED,
            to_status=CommentStatus.PENDING,
            reason="; ".join(v.reason for v in held),
            extra={"checks": [v.check for v in held]},
        )
        rows.append(entry)
    return rows


def companions(comment: Any, verdicts: list[Verdict]) -> list[CompanionRow]:
    return [CompanionRow(row) for row in _rows(comment, verdicts, is_edit=False)]


def record(comment: Any, verdicts: list[Verdict], is_edit: bool) -> None:
    for row in _rows(comment, verdicts, is_edit):
        row.comment = comment
        row.save(force_insert=True)
