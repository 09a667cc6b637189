"""Reads of moderation: trust levels and ranks, the queue, a user's record."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime
from typing import Any

from django.contrib.auth import get_user_model
from django.db.models import Exists, OuterRef, Prefetch, Q, QuerySet, Sum
from django.utils import timezone

from veche.discussion.models import Comment, CommentStatus
from veche.moderation import conf
from veche.moderation.models import (
    ModerationEvent,
    ModerationFlag,
    Report,
    Sanction,
    SanctionKind,
    UserModeration,
)

BAD = (CommentStatus.REJECTED, CommentStatus.SPAM, CommentStatus.REMOVED)
REJECTION_PENALTY = 3  # each rejected comment cancels this many good ones


@dataclass
class UserStats:
    date_joined: datetime
    published: int
    rejected: int
    upvotes: int
    pinned: int | None  # a moderator's fixed trust level
    always_premoderate: bool = False

    @property
    def judged(self) -> int:
        """Comments a moderator or the checks decided on (not pending, not deleted)."""
        return self.published + self.rejected


def user_stats(user_ids: list[int]) -> dict[int, UserStats]:
    """Stats of many users in ONE query (a rank per author on a comment page), from the
    discussion's per-status tallies: at most one row per user and status, so the cost
    does not grow with the users' comments."""
    published = Q(comment_tallies__status=CommentStatus.PUBLISHED)
    rows = (
        get_user_model()
        .objects.filter(pk__in=user_ids)
        .annotate(
            n_published=Sum("comment_tallies__comments", filter=published),
            n_rejected=Sum("comment_tallies__comments",
                           filter=Q(comment_tallies__status__in=BAD)),
            # Upvotes count on published comments only.
            n_upvotes=Sum("comment_tallies__upvotes", filter=published),
        )
        .values_list("pk", "date_joined", "n_published", "n_rejected", "n_upvotes",
                     "moderation__trust_level", "moderation__always_premoderate")
    )
    return {
        pk: UserStats(joined, published or 0, rejected or 0, upvotes or 0, pinned,
                      bool(premod))
        for pk, joined, published, rejected, upvotes, pinned, premod in rows
    }


def level_of(stats: UserStats, now: datetime | None = None) -> int:
    if stats.pinned is not None:
        return stats.pinned
    now = now or timezone.now()
    age_days = (now - stats.date_joined).days
    good = stats.published - REJECTION_PENALTY * stats.rejected
    level = 0
    for lvl, min_days, min_comments, min_upvotes in conf.trust_thresholds():
        if age_days >= min_days and good >= min_comments and stats.upvotes >= min_upvotes:
            level = max(level, lvl)
    return level


def trust_level(user: Any) -> int:
    """new(0), basic(1), member(2), regular(3), leader(4)."""
    if user is None or not getattr(user, "is_authenticated", False):
        return 0
    stats = user_stats([user.pk]).get(user.pk)
    return level_of(stats) if stats else 0


def rank_title(level: int, published: int) -> str:
    title = ""
    for min_trust, min_comments, name in conf.ranks():
        if level >= min_trust and published >= min_comments:
            title = name
    return title


def ranks_for(user_ids: list[int]) -> dict[int, str]:
    """Rank titles of many users in one query."""
    ids = [i for i in set(user_ids) if i]
    if not ids or not conf.ranks():
        return {}
    now = timezone.now()
    return {
        pk: rank_title(level_of(stats, now), stats.published)
        for pk, stats in user_stats(ids).items()
    }


# --- The queue -----------------------------------------------------------------------

TABS = {
    "pending": "Pending",
    "reported": "Reported",
    "auto": "Auto-held",
    "rejected": "Rejected",
}


def queue(tab: str, *, check: str = "", reason: str = "") -> QuerySet[Comment]:
    open_reports = Report.objects.filter(comment=OuterRef("pk"), resolved=False)
    flags = ModerationFlag.objects.filter(comment=OuterRef("pk"))
    qs = Comment.objects.all()
    if tab == "reported":
        qs = qs.filter(Exists(open_reports))
    elif tab == "auto":
        qs = qs.filter(Exists(flags), status=CommentStatus.PENDING)
    elif tab == "rejected":
        qs = qs.filter(status__in=[CommentStatus.REJECTED, CommentStatus.SPAM])
    else:
        qs = qs.filter(status=CommentStatus.PENDING)
    if check:
        qs = qs.filter(Exists(flags.filter(check_name=check)))
    if reason:
        qs = qs.filter(Exists(Report.objects.filter(comment=OuterRef("pk"), reason=reason)))
    order = "-status_changed_at" if tab == "rejected" else "created_at"
    return (
        qs.select_related("thread", "author", "parent")
        .prefetch_related(
            Prefetch("moderation_flags", queryset=ModerationFlag.objects.order_by("pk")),
            Prefetch(
                "reports",
                queryset=Report.objects.select_related("reporter").order_by("created_at"),
            ),
        )
        .order_by(order, "pk")
    )


def tab_counts() -> dict[str, int]:
    return {tab: queue(tab).count() for tab in TABS}


def flag_checks() -> list[str]:
    return list(
        ModerationFlag.objects.order_by("check_name")
        .values_list("check_name", flat=True)
        .distinct()
    )


# --- A user's record -----------------------------------------------------------------


def active_sanction(user_id: int, now: datetime | None = None) -> Sanction | None:
    """The ban, or the suspension ending last, in force now."""
    now = now or timezone.now()
    live = Sanction.objects.filter(user_id=user_id, revoked=False).filter(
        Q(kind=SanctionKind.BAN) | Q(kind=SanctionKind.SUSPENSION, until__gt=now)
    )
    return live.filter(kind=SanctionKind.BAN).first() or live.order_by("-until").first()


@dataclass
class UserRecord:
    user: Any
    settings: UserModeration | None
    trust: int
    rank: str
    comments: list[Comment]
    total: int
    rejected: int
    share_rejected: float
    sanctions: list[Sanction]
    active: Sanction | None
    events: list[ModerationEvent]

    @property
    def share_percent(self) -> int:
        return round(self.share_rejected * 100)


def user_record(user: Any, *, limit: int = 50) -> UserRecord:
    stats = user_stats([user.pk])[user.pk]
    level = level_of(stats)
    # Judged: neither pending nor deleted by the author, i.e. published or BAD.
    total, rejected = stats.judged, stats.rejected
    return UserRecord(
        user=user,
        settings=UserModeration.objects.filter(user=user).first(),
        trust=level,
        rank=rank_title(level, stats.published),
        comments=list(
            Comment.objects.filter(author=user).select_related("thread").order_by("-created_at")[
                :limit
            ]
        ),
        total=total,
        rejected=rejected,
        share_rejected=rejected / total if total else 0.0,
        sanctions=list(Sanction.objects.filter(user=user).select_related("created_by")),
        active=active_sanction(user.pk),
        events=list(
            ModerationEvent.objects.filter(Q(target_user=user) | Q(comment__author=user))
            .select_related("actor")[:limit]
        ),
    )


def rejection_reasons(comment_ids: list[int]) -> dict[int, str]:
    """The latest rejection reason of each comment (shown to its author)."""
    out: dict[int, str] = {}
    rows = (
        ModerationEvent.objects.filter(
            comment_id__in=comment_ids,
            to_status__in=[CommentStatus.REJECTED, CommentStatus.REMOVED, CommentStatus.SPAM],
        )
        .order_by("created_at", "pk")
        .values_list("comment_id", "reason")
    )
    for comment_id, reason in rows:
        out[comment_id] = reason
    return out


def own_moderated_comments(user: Any, limit: int = 50) -> list[tuple[Comment, str]]:
    """The reader's comments that are held, rejected or removed, with the reason."""
    comments = list(
        Comment.objects.filter(
            author=user,
            status__in=[CommentStatus.PENDING, *BAD],
        )
        .select_related("thread")
        .order_by("-created_at")[:limit]
    )
    reasons = rejection_reasons([c.pk for c in comments])
    return [(c, reasons.get(c.pk, "")) for c in comments]
