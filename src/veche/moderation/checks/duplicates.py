"""The same text posted again by the same reader within a day is held."""

from __future__ import annotations

from datetime import timedelta

from django.utils import timezone

from veche.discussion.hooks import HOLD, Draft, Verdict
from veche.discussion.models import Comment
from veche.moderation import conf


def check(draft: Draft) -> Verdict | None:
    since = timezone.now() - timedelta(hours=conf.duplicate_window_hours())
    same = Comment.objects.filter(
        author_id=draft.author.pk, created_at__gte=since, body_markdown=draft.body_markdown
    )
    if draft.editing is not None:
        same = same.exclude(pk=draft.editing.pk)
    earlier = same.values_list("pk", flat=True).first()
    if earlier is None:
        return None
    return Verdict(
        HOLD,
        f"Duplicate: the same text was posted in comment #{earlier} within "
        f"{conf.duplicate_window_hours()} h.",
        "duplicate",
        details={"earlier": earlier},
    )
