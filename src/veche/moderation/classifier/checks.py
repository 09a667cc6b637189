"""The classifier in posting: a check that asks the scorer, the row that keeps what it
said (or that it said nothing) stored with a new comment, a recorder for edits, and the
re-check of comments the scorer missed."""

from __future__ import annotations

import logging

from django.db import transaction
from django.utils import timezone

from veche.discussion import hooks
from veche.discussion.models import Comment, CommentStatus
from veche.discussion.text import plain_text
from veche.moderation.classifier import client, conf
from veche.moderation.classifier.language import detect_lang
from veche.moderation.classifier.models import ClassifierState

CHECK = "classifier"
log = logging.getLogger(__name__)


def verdict_for(result: dict) -> hooks.Verdict:
    """Hold above the hold threshold, reject above the reject threshold (never by default)."""
    score = float(result["score"])
    hold = conf.hold_threshold(float(result["threshold"]))
    reject = conf.reject_threshold()
    category = result.get("details", {}).get("category", result.get("label", ""))
    details = {"label": category, "span": result.get("span", ""), "model": result.get("model")}
    reason = result.get("reason") or f"{category}: '{result.get('span', '')}'"
    if reject is not None and score >= reject:
        return hooks.Verdict(hooks.REJECT, reason, CHECK, score, details)
    if score >= hold:
        return hooks.Verdict(hooks.HOLD, reason, CHECK, score, details)
    return hooks.Verdict(hooks.PUBLISH, "", CHECK, score, details)


def text_of(body_markdown: str, body_html: str = "") -> str:
    return plain_text(body_html) if body_html else body_markdown


def start(early: hooks.Draft) -> client.Pending:
    """Send the text to the scorer before posting reads the author's facts."""
    return _start(early.body_markdown, early.body_html)


def _start(body_markdown: str, body_html: str) -> client.Pending:
    text = text_of(body_markdown, body_html)
    return client.start_score(text, detect_lang(text))


def check(draft: hooks.Draft) -> hooks.Verdict | None:
    """The posting check: the scorer's verdict, or None when it does not answer in time
    (the thread's mode applies and the recorder marks the comment unscored)."""
    pending = draft.started.get(check)
    if pending is None:
        pending = _start(draft.body_markdown, draft.body_html)
    result = pending.result()
    return None if result is None else verdict_for(result)


def _state_values(verdicts: list[hooks.Verdict]) -> dict:
    """What ClassifierState keeps of the verdicts: the score, or that there is none."""
    mine = next((v for v in verdicts if v.check == CHECK), None)
    if mine is None:
        return {"state": ClassifierState.State.UNSCORED, "score": None, "label": "",
                "reason": "", "scored_at": None}
    return {
        "state": ClassifierState.State.SCORED,
        "score": mine.score,
        "label": mine.details.get("label", "") if mine.action != hooks.PUBLISH else "clean",
        "reason": mine.reason[:300],
        "model": (mine.details.get("model") or "")[:120],
        "scored_at": timezone.now(),
    }


def companions(comment, verdicts: list[hooks.Verdict]) -> list[hooks.CompanionRow]:
    """A new comment's state, stored with it; unscored, a re-check once committed."""
    values = _state_values(verdicts)
    unscored = values["state"] == ClassifierState.State.UNSCORED
    return [hooks.CompanionRow(ClassifierState(**values),
                               on_commit=enqueue_recheck if unscored else None)]


def record(comment, verdicts: list[hooks.Verdict], is_edit: bool) -> None:
    """Inside the transaction of an edit: keep the new score, or mark the comment
    unscored and ask for a re-check once the transaction commits."""
    values = _state_values(verdicts)
    if values["state"] == ClassifierState.State.UNSCORED:
        comment_id = comment.pk
        transaction.on_commit(lambda: enqueue_recheck(comment_id))
    if is_edit:
        ClassifierState.objects.update_or_create(comment_id=comment.pk, defaults=values)
    else:
        ClassifierState.objects.create(comment_id=comment.pk, **values)


def enqueue_recheck(comment_id: int) -> None:
    from veche.moderation.classifier.tasks import recheck_comment

    try:
        recheck_comment.enqueue(comment_id)
    except Exception:  # the sweeper will find it
        log.exception("could not enqueue the classifier re-check of comment %s", comment_id)


def recheck(comment_id: int, *, scorer=None) -> str:
    """Score an unscored comment now; hold it if it is abusive and still published.

    scorer(text, lang) -> dict | None; by default the scoring process. Returns the state.
    """
    state = ClassifierState.objects.filter(comment_id=comment_id).first()
    if state is None or state.state == ClassifierState.State.SCORED:
        return state.state if state else "missing"
    comment = Comment.objects.filter(pk=comment_id).first()
    if comment is None:
        return "missing"
    text = text_of(comment.body_markdown, comment.body_html)
    if scorer is None:
        result = client.score(text, detect_lang(text), timeout=conf.recheck_timeout())
    else:
        result = scorer(text, detect_lang(text))
    if result is None:
        ClassifierState.objects.filter(pk=state.pk).update(attempts=state.attempts + 1)
        return ClassifierState.State.UNSCORED
    verdict = verdict_for(result)
    with transaction.atomic():
        ClassifierState.objects.filter(pk=state.pk).update(
            state=ClassifierState.State.SCORED,
            score=verdict.score,
            label=verdict.details.get("label", "") if verdict.action != hooks.PUBLISH else "clean",
            reason=verdict.reason[:300],
            model=(verdict.details.get("model") or "")[:120],
            attempts=state.attempts + 1,
            scored_at=timezone.now(),
        )
        if verdict.action != hooks.PUBLISH:
            comment.refresh_from_db(fields=["status"])
            if comment.status == CommentStatus.PUBLISHED:
                from veche.moderation.actions import set_comment_status

                set_comment_status(comment.pk, CommentStatus.PENDING, reason=verdict.reason,
                                   source="classifier")
    return ClassifierState.State.SCORED


def mark_unchecked() -> int:
    """Mark for a re-check every published comment the classifier never saw (imported,
    or posted while it was off); returns how many."""
    ids = Comment.objects.filter(
        classifier_state__isnull=True, status=CommentStatus.PUBLISHED
    ).values_list("pk", flat=True)
    states = [ClassifierState(comment_id=pk, state=ClassifierState.State.UNSCORED) for pk in ids]
    ClassifierState.objects.bulk_create(states, ignore_conflicts=True)
    return len(states)


def sweep(*, scorer=None, limit: int | None = None) -> dict[str, int]:
    """Re-check every unscored comment (after a restart, or a scorer outage)."""
    ids = ClassifierState.objects.filter(state=ClassifierState.State.UNSCORED).order_by(
        "comment_id").values_list("comment_id", flat=True)
    counts: dict[str, int] = {}
    for comment_id in list(ids[:limit] if limit else ids):
        outcome = recheck(comment_id, scorer=scorer)
        counts[outcome] = counts.get(outcome, 0) + 1
    return counts
