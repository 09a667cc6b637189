"""The comment engine's data: threads, comments, revisions and votes.

A thread belongs to a *target* named by an opaque key ("newsroom.article:12" or
"url:https://example.org/post/42"); this app never looks behind the key.

The tree is stored as a materialised path: each comment gets a per-thread sequence
number, encoded in fixed-width base 36, and its path is its parent's path plus its own
code. Ordering by path gives thread order (each subtree right after its root, siblings
oldest first) with one index range scan, whatever the depth.
"""

from __future__ import annotations

from typing import Any

from django.conf import settings
from django.db import models
from django.db.models import Q

from veche.core.rows import PartialRowsFromDb
from veche.discussion.text import body_digest

SEQ_WIDTH = 6  # 36**6 ≈ 2.2 billion comments per thread


def encode_seq(seq: int) -> str:
    digits = "0123456789abcdefghijklmnopqrstuvwxyz"
    out = []
    for _ in range(SEQ_WIDTH):
        seq, rem = divmod(seq, 36)
        out.append(digits[rem])
    if seq:
        raise OverflowError("thread sequence exhausted")
    return "".join(reversed(out))


class ModerationMode(models.TextChoices):
    POST = "post", "Post-moderation (publish, review later)"
    PRE = "pre", "Pre-moderation (hold every comment for review)"


class Thread(models.Model):
    target_key = models.CharField(max_length=255, unique=True)
    title = models.CharField(max_length=500, blank=True)
    url = models.CharField(max_length=2000, blank=True)
    is_open = models.BooleanField(default=True)
    closes_at = models.DateTimeField(null=True, blank=True)
    moderation_mode = models.CharField(
        max_length=8, choices=ModerationMode.choices, default=ModerationMode.POST
    )
    # Published comments, kept by the actions so no page view counts rows.
    comment_count = models.PositiveIntegerField(default=0)
    next_seq = models.PositiveBigIntegerField(default=1)
    # Bumped by every change a reader could see; caches key on it.
    version = models.PositiveBigIntegerField(default=1)
    last_comment_at = models.DateTimeField(null=True, blank=True)
    created_at = models.DateTimeField(auto_now_add=True)

    def __str__(self) -> str:
        return self.title or self.target_key


class CommentStatus(models.TextChoices):
    PUBLISHED = "published", "Published"
    PENDING = "pending", "Awaiting moderation"
    REJECTED = "rejected", "Rejected"
    SPAM = "spam", "Spam"
    DELETED = "deleted", "Deleted by author"
    REMOVED = "removed", "Removed by moderator"


# Statuses whose text a reader may never see; with replies they show as placeholders.
HIDDEN_STATUSES = frozenset(
    {
        CommentStatus.PENDING,
        CommentStatus.REJECTED,
        CommentStatus.SPAM,
        CommentStatus.DELETED,
        CommentStatus.REMOVED,
    }
)


class Comment(PartialRowsFromDb, models.Model):
    # No index of its own: (thread, path) and (thread, seq) serve every lookup by thread.
    thread = models.ForeignKey(
        Thread, on_delete=models.CASCADE, related_name="comments", db_index=False
    )
    parent = models.ForeignKey(
        "self", null=True, blank=True, on_delete=models.PROTECT, related_name="replies"
    )
    # The top-level ancestor (null for a top-level comment itself). No index of its own:
    # comment_root_path (root, path) serves every lookup by root, and a page's replies
    # in thread order.
    root = models.ForeignKey(
        "self",
        null=True,
        blank=True,
        on_delete=models.PROTECT,
        related_name="+",
        db_index=False,
    )
    seq = models.PositiveBigIntegerField()
    path = models.CharField(max_length=2400)
    depth = models.PositiveIntegerField(default=0)

    # No index of its own: comment_author_recent (author, created_at) serves every
    # lookup by author, and a second index let the planner scan all of an author's
    # comments for posting's duplicate check instead of the last day's.
    author = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        null=True,
        blank=True,
        on_delete=models.SET_NULL,
        related_name="comments",
        db_index=False,
    )
    # Shown when there is no account (guests, imports) and kept if the account goes.
    author_name = models.CharField(max_length=150)

    body_markdown = models.TextField()
    body_html = models.TextField()
    # text.body_digest(body_markdown), kept with every change of the text (0 once it is
    # erased): posting's duplicate check finds the same text through
    # comment_author_digest, however many comments the author wrote that day.
    body_digest = models.BigIntegerField(default=0, db_default=0)

    quoted_comment = models.ForeignKey(
        "self", null=True, blank=True, on_delete=models.SET_NULL, related_name="quoted_by"
    )
    # True when the quote is of the thread's own page (the article), not of a comment.
    quotes_target = models.BooleanField(default=False)
    quoted_text = models.TextField(blank=True)
    quoted_author_name = models.CharField(max_length=150, blank=True)

    status = models.CharField(
        max_length=12, choices=CommentStatus.choices, default=CommentStatus.PUBLISHED
    )
    created_at = models.DateTimeField(db_index=True)
    edited_at = models.DateTimeField(null=True, blank=True)
    status_changed_at = models.DateTimeField(null=True, blank=True)

    upvotes = models.PositiveIntegerField(default=0)
    downvotes = models.PositiveIntegerField(default=0)
    score = models.IntegerField(default=0)
    # Wilson lower bound of the up/(up+down) ratio, for the "best" order.
    wilson = models.FloatField(default=0.0)

    reply_count = models.PositiveIntegerField(default=0)  # direct replies, any status
    # On a top-level comment: all its descendants, any status. Paging packs whole
    # subtrees into a page by this size without counting rows.
    descendant_count = models.PositiveIntegerField(default=0)

    ip_address = models.GenericIPAddressField(null=True, blank=True)
    # The form's one-time token: a double submit finds the first comment instead.
    client_token = models.CharField(max_length=64, blank=True)
    # Where an import took the comment from, so importing again changes nothing.
    external_id = models.CharField(max_length=255, blank=True)

    class Meta:
        indexes = [
            models.Index(fields=["thread", "path"], name="comment_thread_path"),
            models.Index(fields=["root", "path"], name="comment_root_path"),
            models.Index(
                fields=["thread", "seq"], name="comment_thread_roots", condition=Q(depth=0)
            ),
            models.Index(
                fields=["thread", "wilson", "seq"],
                name="comment_thread_best_roots",
                condition=Q(depth=0),
            ),
            models.Index(fields=["author", "created_at"], name="comment_author_recent"),
            models.Index(fields=["author", "body_digest"], name="comment_author_digest"),
            models.Index(fields=["status", "created_at"], name="comment_status_recent"),
        ]
        constraints = [
            models.UniqueConstraint(fields=["thread", "seq"], name="comment_unique_seq"),
            models.UniqueConstraint(
                fields=["author", "client_token"],
                condition=~Q(client_token=""),
                name="comment_unique_client_token",
            ),
            models.UniqueConstraint(
                fields=["thread", "external_id"],
                condition=~Q(external_id=""),
                name="comment_unique_external_id",
            ),
        ]

    def __str__(self) -> str:
        return f"#{self.pk} by {self.author_name}"

    def save(self, *args: Any, **kwargs: Any) -> None:
        # Whatever saves the text (the admin, a script) keeps its digest with it.
        fields = kwargs.get("update_fields")
        if fields is None or "body_markdown" in fields:
            self.body_digest = body_digest(self.body_markdown)
            if fields is not None and "body_digest" not in fields:
                kwargs["update_fields"] = [*fields, "body_digest"]
        super().save(*args, **kwargs)

    @property
    def is_visible(self) -> bool:
        return self.status == CommentStatus.PUBLISHED

    @property
    def root_id_or_self(self) -> int:
        return self.root_id or self.pk


class CommentRevision(models.Model):
    """A previous text of an edited comment, kept for moderators."""

    comment = models.ForeignKey(Comment, on_delete=models.CASCADE, related_name="revisions")
    body_markdown = models.TextField()
    body_html = models.TextField()
    created_at = models.DateTimeField()
    replaced_at = models.DateTimeField()

    class Meta:
        ordering = ["-replaced_at"]

    def __str__(self) -> str:
        return f"Revision of #{self.comment_id} replaced {self.replaced_at:%Y-%m-%d %H:%M}"


class Vote(models.Model):
    comment = models.ForeignKey(Comment, on_delete=models.CASCADE, related_name="votes")
    user = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.CASCADE, related_name="comment_votes"
    )
    value = models.SmallIntegerField()
    created_at = models.DateTimeField(auto_now_add=True)
    updated_at = models.DateTimeField(auto_now=True)

    class Meta:
        constraints = [
            models.UniqueConstraint(fields=["comment", "user"], name="vote_one_per_user"),
            models.CheckConstraint(condition=Q(value__in=[-1, 1]), name="vote_plus_or_minus_one"),
        ]

    def __str__(self) -> str:
        return f"{self.value:+d} on #{self.comment_id} by user {self.user_id}"


class AuthorTally(models.Model):
    """How many comments an account has in one status, and the upvotes those comments
    hold. The actions keep it in the same transaction as every change, so an author's
    stats are an index lookup of at most one row per status instead of a count over
    all their comments (`veche recount-authors` rebuilds it from the comments)."""

    # No index of its own: the unique (user, status) index serves lookups by user.
    user = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        on_delete=models.CASCADE,
        related_name="comment_tallies",
        db_index=False,
    )
    status = models.CharField(max_length=12, choices=CommentStatus.choices)
    # Plain integers: an upsert's proposed row carries negative deltas, and PostgreSQL
    # checks a column's constraints on that row even when it turns into an update.
    comments = models.IntegerField(default=0)
    upvotes = models.IntegerField(default=0)

    class Meta:
        constraints = [
            models.UniqueConstraint(fields=["user", "status"], name="author_tally_unique"),
        ]

    def __str__(self) -> str:
        return f"user {self.user_id}: {self.comments} {self.status}, {self.upvotes} upvotes"
