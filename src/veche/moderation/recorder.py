"""Stores what the checks said, inside the transaction that creates or edits a comment,
so a held comment never exists without its reasons."""

from __future__ import annotations

from typing import Any

from veche.discussion.hooks import HOLD, PUBLISH, Verdict
from veche.discussion.models import CommentStatus
from veche.moderation.actions import log
from veche.moderation.models import ModerationFlag


def record(comment: Any, verdicts: list[Verdict], is_edit: bool) -> None:
    flagged = [v for v in verdicts if v.action != PUBLISH]
    if flagged:
        ModerationFlag.objects.bulk_create(
            ModerationFlag(
                comment=comment,
                check_name=(v.check or "check")[:64],
                action=v.action,
                reason=v.reason,
                score=v.score,
            )
            for v in flagged
        )
    held = [v for v in flagged if v.action == HOLD]
    if held and comment.status == CommentStatus.PENDING:
        log(
            "comment.edit_hold" if is_edit else "comment.auto_hold",
            comment=comment,
            from_status="" if not is_edit else CommentStatus.PUBLISHED,
            to_status=CommentStatus.PENDING,
            reason="; ".join(v.reason for v in held),
            extra={"checks": [v.check for v in held]},
        )
