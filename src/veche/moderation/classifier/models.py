from __future__ import annotations

from django.db import models


class ClassifierState(models.Model):
    """What the classifier said about a comment, or that it has not said yet.

    A comment posted while the scorer did not answer is "unscored": a task re-checks it
    within seconds, and the sweeper re-checks every such comment after a restart.
    """

    class State(models.TextChoices):
        UNSCORED = "unscored", "Not scored yet"
        SCORED = "scored", "Scored"
        FAILED = "failed", "Scoring failed"

    comment = models.OneToOneField(
        "discussion.Comment", on_delete=models.CASCADE, related_name="classifier_state"
    )
    state = models.CharField(max_length=10, choices=State.choices, default=State.UNSCORED)
    score = models.FloatField(null=True, blank=True)
    label = models.CharField(max_length=20, blank=True)
    reason = models.CharField(max_length=300, blank=True)
    model = models.CharField(max_length=120, blank=True)
    attempts = models.PositiveIntegerField(default=0)
    scored_at = models.DateTimeField(null=True, blank=True)
    updated_at = models.DateTimeField(auto_now=True)

    class Meta:
        indexes = [models.Index(fields=["state"], name="classifier_state_idx")]

    def __str__(self) -> str:
        return f"#{self.comment_id}: {self.state} {self.score}"
