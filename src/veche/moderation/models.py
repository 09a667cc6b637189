"""Moderation's data: the audit log, flags and reports on comments, per-user state and
sanctions, and the lists (words, domains, designated organisations) the checks use."""

from __future__ import annotations

import re

from django.conf import settings
from django.core.exceptions import ValidationError
from django.db import models
from django.utils import timezone

USER = settings.AUTH_USER_MODEL


class ModerationEvent(models.Model):
    """One row per moderation state change: the audit log. Never edited."""

    comment = models.ForeignKey(
        "discussion.Comment", null=True, blank=True, on_delete=models.SET_NULL,
        related_name="moderation_events",
    )
    target_user = models.ForeignKey(
        USER, null=True, blank=True, on_delete=models.SET_NULL, related_name="+"
    )
    actor = models.ForeignKey(  # null: the system (a check, the report threshold)
        USER, null=True, blank=True, on_delete=models.SET_NULL, related_name="+"
    )
    event_type = models.CharField(max_length=64, db_index=True)  # dotted: "comment.approve"
    from_status = models.CharField(max_length=12, blank=True)
    to_status = models.CharField(max_length=12, blank=True)
    reason = models.TextField(blank=True)
    extra = models.JSONField(default=dict, blank=True)
    created_at = models.DateTimeField(default=timezone.now, db_index=True)

    class Meta:
        ordering = ["-created_at", "-pk"]

    def __str__(self) -> str:
        return f"{self.event_type} #{self.comment_id or '-'} at {self.created_at:%Y-%m-%d %H:%M}"


class ModerationFlag(models.Model):
    """What a check said about a comment when it held or rejected it."""

    comment = models.ForeignKey(
        "discussion.Comment", on_delete=models.CASCADE, related_name="moderation_flags"
    )
    check_name = models.CharField("check", max_length=64, db_index=True)
    action = models.CharField(max_length=8)
    reason = models.TextField(blank=True)
    score = models.FloatField(null=True, blank=True)
    created_at = models.DateTimeField(default=timezone.now)

    class Meta:
        ordering = ["created_at", "pk"]

    def __str__(self) -> str:
        return f"{self.check_name}: {self.reason}"


class TrustLevel(models.IntegerChoices):
    NEW = 0, "New"
    BASIC = 1, "Basic"
    MEMBER = 2, "Member"
    REGULAR = 3, "Regular"
    LEADER = 4, "Leader"


class UserModeration(models.Model):
    """Moderators' per-user settings and the reporter's track record."""

    user = models.OneToOneField(USER, on_delete=models.CASCADE, related_name="moderation")
    always_premoderate = models.BooleanField(default=False)
    # Set by a moderator to pin the level; null: computed from the user's history.
    trust_level = models.PositiveSmallIntegerField(
        null=True, blank=True, choices=TrustLevel.choices
    )
    notes = models.TextField(blank=True)
    reports_upheld = models.PositiveIntegerField(default=0)
    reports_dismissed = models.PositiveIntegerField(default=0)

    class Meta:
        verbose_name = "user moderation settings"
        verbose_name_plural = "user moderation settings"

    def __str__(self) -> str:
        return f"Moderation of user {self.user_id}"

    @property
    def report_accuracy(self) -> float | None:
        decided = self.reports_upheld + self.reports_dismissed
        return self.reports_upheld / decided if decided else None


class ListKind(models.TextChoices):
    BANNED = "banned", "Banned (reject)"
    SUSPECT = "suspect", "Suspect (hold for review)"


class MatchType(models.TextChoices):
    WORD = "word", "Word or phrase (any inflection)"
    WILDCARD = "wildcard", "Wildcard (* any letters, ? one letter)"
    REGEX = "regex", "Regular expression"


class Language(models.TextChoices):
    EN = "en", "English"
    RU = "ru", "Russian"
    ANY = "any", "Any language"


class WordListEntry(models.Model):
    kind = models.CharField(max_length=8, choices=ListKind.choices, default=ListKind.SUSPECT)
    pattern = models.CharField(max_length=300)
    match_type = models.CharField(max_length=8, choices=MatchType.choices, default=MatchType.WORD)
    language = models.CharField(max_length=3, choices=Language.choices, default=Language.ANY)
    note = models.CharField(max_length=300, blank=True, help_text="Shown to moderators.")
    enabled = models.BooleanField(default=True)
    created_at = models.DateTimeField(default=timezone.now)

    class Meta:
        verbose_name = "word list entry"
        verbose_name_plural = "word list"
        ordering = ["kind", "pattern"]

    def __str__(self) -> str:
        return f"{self.kind}: {self.pattern}"

    def clean(self) -> None:
        self.pattern = (self.pattern or "").strip()
        if not self.pattern:
            raise ValidationError({"pattern": "The pattern is empty."})
        if self.match_type == MatchType.REGEX:
            try:
                compiled = re.compile(self.pattern)
            except re.error as error:
                raise ValidationError(
                    {"pattern": f"Not a valid regular expression: {error}"}
                ) from None
            if compiled.groups and re.search(r"\\\d", self.pattern):
                # Entries are joined into one alternation; numbered back-references
                # would point at another entry's group.
                raise ValidationError({"pattern": "Back-references are not supported."})


class BlockedDomain(models.Model):
    """Links to this domain (or its subdomains) reject the comment."""

    domain = models.CharField(max_length=253, unique=True)
    note = models.CharField(max_length=300, blank=True)
    created_at = models.DateTimeField(default=timezone.now)

    class Meta:
        ordering = ["domain"]

    def __str__(self) -> str:
        return self.domain

    def save(self, *args, **kwargs) -> None:
        self.domain = self.domain.strip().lower().removeprefix("www.").strip(".")
        super().save(*args, **kwargs)


class ReportReason(models.TextChoices):
    ABUSE = "abuse", "Abusive or hateful"
    SPAM = "spam", "Spam or advertising"
    OFFTOPIC = "offtopic", "Off-topic"
    ILLEGAL = "illegal", "Illegal content"


class ReportOutcome(models.TextChoices):
    OPEN = "", "Open"
    UPHELD = "upheld", "Upheld"
    DISMISSED = "dismissed", "Dismissed"


class Report(models.Model):
    comment = models.ForeignKey(
        "discussion.Comment", on_delete=models.CASCADE, related_name="reports"
    )
    reporter = models.ForeignKey(USER, on_delete=models.CASCADE, related_name="comment_reports")
    reason = models.CharField(max_length=10, choices=ReportReason.choices)
    note = models.TextField(blank=True, max_length=1000)
    weight = models.FloatField(default=1.0)  # the reporter's trust when reporting
    created_at = models.DateTimeField(default=timezone.now)
    resolved = models.BooleanField(default=False)
    outcome = models.CharField(
        max_length=10, choices=ReportOutcome.choices, default=ReportOutcome.OPEN, blank=True
    )

    class Meta:
        ordering = ["-created_at"]
        constraints = [
            models.UniqueConstraint(fields=["comment", "reporter"], name="report_once_per_reader")
        ]

    def __str__(self) -> str:
        return f"{self.reason} report on #{self.comment_id}"


class SanctionKind(models.TextChoices):
    WARNING = "warning", "Warning"
    SUSPENSION = "suspension", "Suspension"
    BAN = "ban", "Ban"


class Sanction(models.Model):
    user = models.ForeignKey(USER, on_delete=models.CASCADE, related_name="sanctions")
    kind = models.CharField(max_length=10, choices=SanctionKind.choices)
    reason = models.TextField()
    until = models.DateTimeField(null=True, blank=True)  # suspensions only
    created_by = models.ForeignKey(
        USER, null=True, blank=True, on_delete=models.SET_NULL, related_name="+"
    )
    created_at = models.DateTimeField(default=timezone.now)
    revoked = models.BooleanField(default=False)
    revoked_at = models.DateTimeField(null=True, blank=True)

    class Meta:
        ordering = ["-created_at"]
        indexes = [models.Index(fields=["user", "revoked"], name="sanction_user_active")]

    def __str__(self) -> str:
        return f"{self.kind} of user {self.user_id}"

    def is_active(self, now=None) -> bool:
        now = now or timezone.now()
        if self.revoked:
            return False
        if self.kind == SanctionKind.BAN:
            return True
        if self.kind == SanctionKind.SUSPENSION:
            return self.until is not None and self.until > now
        return False


class DesignatedOrganisation(models.Model):
    """An organisation the law says must be labelled whenever it is named."""

    name = models.CharField(max_length=200)
    forms = models.TextField(
        help_text="Every name and spelling to label, one per line (e.g. IG, ISIS, "
        "Islamic State, Исламское государство). Russian one-word forms are inflected "
        "automatically; list multi-word inflections explicitly."
    )
    label = models.CharField(max_length=300, default="banned in the Russian Federation")
    enabled = models.BooleanField(default=True)

    class Meta:
        ordering = ["name"]

    def __str__(self) -> str:
        return self.name

    def form_list(self) -> list[str]:
        return [line.strip() for line in self.forms.splitlines() if line.strip()]


class ListVersion(models.Model):
    """A counter per cached list, bumped on every change, so every process rebuilds its
    compiled copy (word lists, domains, labels) the next time it looks."""

    name = models.CharField(max_length=32, primary_key=True)
    version = models.PositiveBigIntegerField(default=1)

    def __str__(self) -> str:
        return f"{self.name} v{self.version}"
