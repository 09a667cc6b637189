"""What moderation adds to a page of the comment tree, computed once per page:
authors' ranks (one query), the report link, the author's own rejection reasons, and
the presentation with legal labels counted per comment."""

from __future__ import annotations

from typing import Any

from django.http import HttpRequest
from django.utils.safestring import mark_safe

from veche.core.urlbuild import url_maker
from veche.discussion.models import CommentStatus
from veche.moderation.legal import present_comment
from veche.moderation.selectors import ranks_for, rejection_reasons

OWN_HIDDEN = (CommentStatus.REJECTED, CommentStatus.SPAM, CommentStatus.REMOVED)


def annotate(request: HttpRequest, comments: list[Any]) -> dict:
    ranks = ranks_for([c.author_id for c in comments if c.author_id])
    user = request.user
    reasons: dict[int, str] = {}
    if user.is_authenticated:
        own = [c.pk for c in comments if c.author_id == user.pk and c.status in OWN_HIDDEN]
        if own:
            reasons = rejection_reasons(own)
    return {
        "rank": lambda author_id: ranks.get(author_id, ""),
        "report_url": url_maker("moderation:report"),
        "rejection_reason": lambda cid: reasons.get(cid, ""),
        "present": lambda html: mark_safe(present_comment(html)),  # noqa: S308 - sanitised
    }
