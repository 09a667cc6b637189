"""Every moderation state change: comment decisions, reports, user settings, sanctions.

Each function checks the actor's powers, owns its transaction, locks what it changes
and writes a ModerationEvent in the same transaction, so the audit log cannot miss a
change nor record one that was rolled back.
"""

from __future__ import annotations

from datetime import datetime, timedelta
from typing import Any

from django.db import IntegrityError, transaction
from django.db.models import F, Sum
from django.utils import timezone

from veche.discussion.actions import check_can_participate, do_set_status
from veche.discussion.errors import ActionError, not_found
from veche.discussion.models import Comment, CommentStatus
from veche.moderation import conf, ratelimit
from veche.moderation.models import (
    ModerationEvent,
    Report,
    ReportOutcome,
    ReportReason,
    Sanction,
    SanctionKind,
    TrustLevel,
    UserModeration,
)

DEFAULT_REJECT_REASON = "The comment breaks the discussion rules."
# Decisions that agree with a report (upheld) or not (dismissed).
UPHOLDING = {CommentStatus.REJECTED, CommentStatus.SPAM, CommentStatus.REMOVED}


def require_moderator(actor: Any) -> None:
    if actor is None or not getattr(actor, "is_authenticated", False):
        raise ActionError("not_signed_in", "Sign in as a moderator.", status=401)
    if not getattr(actor, "is_moderator", False):
        raise ActionError("not_moderator", "Only moderators may do this.", status=403)


def log(event_type: str, **fields: Any) -> ModerationEvent:
    """Save a log entry: event()'s, with the same arguments."""
    entry = event(event_type, **fields)
    entry.save(force_insert=True)
    return entry


def event(
    event_type: str,
    *,
    actor: Any = None,
    comment: Comment | None = None,
    target_user: Any = None,
    from_status: str = "",
    to_status: str = "",
    reason: str = "",
    extra: dict | None = None,
) -> ModerationEvent:
    """The log entry log() saves, not saved yet."""
    if target_user is not None:
        target_user_id = target_user.pk
    else:
        target_user_id = comment.author_id if comment is not None else None
    return ModerationEvent(
        event_type=event_type,
        actor=actor if actor is not None and actor.is_authenticated else None,
        comment=comment,
        target_user_id=target_user_id,
        from_status=from_status,
        to_status=to_status,
        reason=reason[:2000],
        extra=extra or {},
    )


def _locked(comment_id: int) -> Comment:
    comment = Comment.objects.select_for_update().filter(pk=comment_id).first()
    if comment is None:
        raise not_found()
    return comment


def _decide(
    comment_id: int,
    to_status: str,
    *,
    actor: Any,
    event_type: str,
    reason: str = "",
    allowed_from: tuple[str, ...],
) -> Comment:
    require_moderator(actor)
    with transaction.atomic():
        comment = _locked(int(comment_id))
        if comment.status not in allowed_from:
            raise ActionError(
                "wrong_status",
                f"Comment #{comment.pk} is {comment.get_status_display().lower()}; "
                f"it cannot be {event_type.split('.')[-1].replace('_', ' ')}d now.",
                status=409,
            )
        old = do_set_status(comment, to_status)
        log(event_type, actor=actor, comment=comment, from_status=old, to_status=to_status,
            reason=reason)
        _resolve_reports(comment, to_status)
    return comment


def _id(comment: Comment | int) -> int:
    return comment.pk if isinstance(comment, Comment) else int(comment)


def approve_comment(comment: Comment | int, *, actor: Any, reason: str = "") -> Comment:
    """Publish a held comment, or reverse a rejection."""
    return _decide(
        _id(comment), CommentStatus.PUBLISHED, actor=actor, event_type="comment.approve",
        reason=reason,
        allowed_from=(CommentStatus.PENDING, CommentStatus.REJECTED, CommentStatus.SPAM,
                      CommentStatus.PUBLISHED),
    )


def reject_comment(comment: Comment | int, *, actor: Any, reason: str = "") -> Comment:
    """Reject with a reason its author sees."""
    return _decide(
        _id(comment), CommentStatus.REJECTED, actor=actor, event_type="comment.reject",
        reason=(reason or "").strip() or DEFAULT_REJECT_REASON,
        allowed_from=(CommentStatus.PENDING, CommentStatus.PUBLISHED),
    )


def mark_spam(comment: Comment | int, *, actor: Any, reason: str = "") -> Comment:
    return _decide(
        _id(comment), CommentStatus.SPAM, actor=actor, event_type="comment.spam",
        reason=(reason or "").strip() or "Spam.",
        allowed_from=(CommentStatus.PENDING, CommentStatus.PUBLISHED, CommentStatus.REJECTED),
    )


def remove_comment(comment: Comment | int, *, actor: Any, reason: str = "") -> Comment:
    """Take down a published comment; replies stay under a placeholder."""
    return _decide(
        _id(comment), CommentStatus.REMOVED, actor=actor, event_type="comment.remove",
        reason=(reason or "").strip() or "Removed by a moderator.",
        allowed_from=(CommentStatus.PUBLISHED, CommentStatus.PENDING),
    )


def restore_comment(comment: Comment | int, *, actor: Any, reason: str = "") -> Comment:
    return _decide(
        _id(comment), CommentStatus.PUBLISHED, actor=actor, event_type="comment.restore",
        reason=reason,
        allowed_from=(CommentStatus.REMOVED, CommentStatus.REJECTED, CommentStatus.SPAM),
    )


DECISIONS = {
    "approve": approve_comment,
    "reject": reject_comment,
    "spam": mark_spam,
    "remove": remove_comment,
    "restore": restore_comment,
}


def bulk_decide(
    comment_ids: list[int], action: str, *, actor: Any, reason: str = ""
) -> tuple[list[int], dict[int, str]]:
    """Apply one decision to many comments, each in its own transaction: one comment in
    the wrong state does not undo the others. Returns (done ids, {id: error})."""
    require_moderator(actor)
    decide = DECISIONS.get(action)
    if decide is None:
        raise ActionError("bad_action", f"Unknown action '{action}'.", field="action")
    if not comment_ids:
        raise ActionError("nothing_selected", "Select at least one comment.", field="ids")
    done: list[int] = []
    errors: dict[int, str] = {}
    for cid in dict.fromkeys(comment_ids):
        try:
            decide(cid, actor=actor, reason=reason)
            done.append(cid)
        except ActionError as error:
            errors[cid] = error.message
    return done, errors


def set_comment_status(
    comment_id: int,
    status: str,
    *,
    actor: Any = None,
    reason: str = "",
    source: str = "auto",
) -> Comment:
    """Change a comment's status on the system's behalf (a check, the report threshold,
    the classifier's re-check) or a moderator's; always audited."""
    if status not in CommentStatus.values:
        raise ActionError("bad_status", f"Unknown status '{status}'.", field="status")
    if actor is not None:
        require_moderator(actor)
    with transaction.atomic():
        comment = _locked(int(comment_id))
        old = do_set_status(comment, status)
        if old != status:
            log(f"comment.{source}_status" if source != "auto" else "comment.auto_status",
                actor=actor, comment=comment, from_status=old, to_status=status,
                reason=reason, extra={"source": source})
            if actor is not None:
                _resolve_reports(comment, status)
    return comment


# --- Reports -------------------------------------------------------------------------


def _resolve_reports(comment: Comment, decided: str) -> None:
    """A moderator's decision settles the open reports and scores the reporters."""
    if decided == CommentStatus.PENDING:
        return
    outcome = ReportOutcome.UPHELD if decided in UPHOLDING else ReportOutcome.DISMISSED
    reporters = list(
        Report.objects.filter(comment=comment, resolved=False).values_list("reporter_id", flat=True)
    )
    if not reporters:
        return
    Report.objects.filter(comment=comment, resolved=False).update(resolved=True, outcome=outcome)
    counter = "reports_upheld" if outcome == ReportOutcome.UPHELD else "reports_dismissed"
    for reporter_id in reporters:
        UserModeration.objects.get_or_create(user_id=reporter_id)
    UserModeration.objects.filter(user_id__in=reporters).update(**{counter: F(counter) + 1})


def report_comment(
    *, reporter: Any, comment_id: int, reason: str, note: str = ""
) -> Report:
    """A reader reports a comment; enough weighted reports hold it for review."""
    from veche.moderation.selectors import trust_level

    check_can_participate(reporter)
    if reason not in ReportReason.values:
        raise ActionError("bad_reason", "Choose a reason for the report.", field="reason")
    note = (note or "").strip()
    if len(note) > 1000:
        raise ActionError("note_too_long", "The note may be at most 1,000 characters.",
                          field="note")
    limit = conf.rate("report")
    if limit is not None:
        ratelimit.hit("report", f"u{reporter.pk}", limit[0], limit[1],
                      message="You are sending reports too often.")
    weight = conf.report_weight(trust_level(reporter))
    try:
        with transaction.atomic():
            comment = _locked(int(comment_id))
            if comment.author_id == reporter.pk:
                raise ActionError("own_comment", "You cannot report your own comment.",
                                  status=403)
            if comment.status != CommentStatus.PUBLISHED:
                raise ActionError("not_reportable",
                                  "This comment is not published; there is nothing to report.",
                                  status=409)
            report = Report.objects.create(comment=comment, reporter=reporter, reason=reason,
                                           note=note, weight=weight)
            log("comment.report", actor=reporter, comment=comment, reason=reason,
                extra={"report": report.pk, "weight": weight, "note": note[:200]})
            total = (
                Report.objects.filter(comment=comment, resolved=False)
                .aggregate(w=Sum("weight"))["w"] or 0
            )
            if total >= conf.reports_to_hold():
                old = do_set_status(comment, CommentStatus.PENDING)
                log("comment.report_hold", comment=comment, from_status=old,
                    to_status=CommentStatus.PENDING,
                    reason=f"Held after reader reports (weight {total:g}).",
                    extra={"weight": total})
    except IntegrityError:
        raise ActionError("already_reported", "You have already reported this comment.",
                          status=409) from None
    return report


# --- Users ---------------------------------------------------------------------------


def set_user_moderation(
    user: Any,
    *,
    actor: Any,
    always_premoderate: bool | None = None,
    trust_level: int | str | None = "",
    notes: str | None = None,
) -> UserModeration:
    """Change a user's moderation settings; trust_level None unpins it, "" leaves it."""
    require_moderator(actor)
    if trust_level not in ("", None) and trust_level not in TrustLevel.values:
        raise ActionError("bad_trust", "Unknown trust level.", field="trust_level")
    with transaction.atomic():
        settings_row, _ = UserModeration.objects.select_for_update().get_or_create(user=user)
        changes: dict[str, Any] = {}
        if always_premoderate is not None and always_premoderate != settings_row.always_premoderate:
            changes["always_premoderate"] = always_premoderate
        if trust_level != "" and trust_level != settings_row.trust_level:
            changes["trust_level"] = trust_level
        if notes is not None and notes != settings_row.notes:
            changes["notes"] = notes
        if changes:
            for name, value in changes.items():
                setattr(settings_row, name, value)
            settings_row.save(update_fields=list(changes))
            log("user.settings", actor=actor, target_user=user,
                extra={k: v for k, v in changes.items() if k != "notes"}
                | ({"notes": "changed"} if "notes" in changes else {}))
    return settings_row


def _sanction(
    user: Any, kind: str, *, actor: Any, reason: str, until: datetime | None = None
) -> Sanction:
    require_moderator(actor)
    reason = (reason or "").strip()
    if not reason:
        raise ActionError("reason_required", "Give a reason; the user sees it.", field="reason")
    if user.pk == actor.pk:
        raise ActionError("self_sanction", "You cannot sanction yourself.", status=403)
    if kind == SanctionKind.SUSPENSION and (until is None or until <= timezone.now()):
        raise ActionError("bad_until", "A suspension needs an end in the future.",
                          field="until")
    with transaction.atomic():
        sanction = Sanction.objects.create(user=user, kind=kind, reason=reason, until=until,
                                           created_by=actor)
        log(f"user.{'warn' if kind == SanctionKind.WARNING else kind}", actor=actor,
            target_user=user, reason=reason,
            extra={"sanction": sanction.pk, "until": until.isoformat() if until else None})
    return sanction


def warn_user(user: Any, *, actor: Any, reason: str) -> Sanction:
    return _sanction(user, SanctionKind.WARNING, actor=actor, reason=reason)


def suspend_user(
    user: Any, *, actor: Any, reason: str, until: datetime | None = None,
    days: int | None = None,
) -> Sanction:
    if until is None and days is not None:
        if days <= 0 or days > 3650:
            raise ActionError("bad_days", "Suspend for 1 to 3,650 days.", field="days")
        until = timezone.now() + timedelta(days=days)
    return _sanction(user, SanctionKind.SUSPENSION, actor=actor, reason=reason, until=until)


def ban_user(user: Any, *, actor: Any, reason: str) -> Sanction:
    return _sanction(user, SanctionKind.BAN, actor=actor, reason=reason)


def revoke_sanction(sanction_id: int, *, actor: Any, reason: str = "") -> Sanction:
    require_moderator(actor)
    with transaction.atomic():
        sanction = Sanction.objects.select_for_update().filter(pk=sanction_id).first()
        if sanction is None:
            raise not_found("sanction")
        if sanction.revoked:
            raise ActionError("already_revoked", "This sanction is already revoked.", status=409)
        sanction.revoked, sanction.revoked_at = True, timezone.now()
        sanction.save(update_fields=["revoked", "revoked_at"])
        log("user.revoke_sanction", actor=actor, target_user=sanction.user, reason=reason,
            extra={"sanction": sanction.pk, "kind": sanction.kind})
    return sanction
