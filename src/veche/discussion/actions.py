"""Every change to threads, comments and votes goes through these functions.

`check_*`/public functions validate and authorise, then call `do_*`, which trust their
inputs and perform the whole change in one transaction. Views, the API, importers and
management commands call these; nothing else saves a Comment, Thread or Vote.
"""

from __future__ import annotations

import contextlib
import math
from collections.abc import Callable, Mapping
from dataclasses import dataclass
from datetime import datetime, timedelta
from functools import partial
from typing import Any

from django.conf import settings
from django.db import IntegrityError, connection, transaction
from django.db.models import F
from django.utils import timezone

from veche.accounts.facts import (
    column,
    participant_facts,
    participant_facts_and_row,
    participant_id,
    table,
)
from veche.accounts.policy import (
    may_need_facts,
    participation_annotations,
    participation_refusal,
)
from veche.accounts.session_user import loaded_user
from veche.core.markup import render_comment_markdown
from veche.core.rows import by_pk
from veche.discussion import hooks, inserting, signals
from veche.discussion.errors import ActionError, not_found
from veche.discussion.models import (
    AuthorTally,
    Comment,
    CommentRevision,
    CommentStatus,
    ModerationMode,
    Thread,
    Vote,
    encode_seq,
)
from veche.discussion.text import body_digest, normalise_for_match, plain_text

QUOTE_MAX_LENGTH = 2000


# --- Threads -------------------------------------------------------------------------


def get_or_create_thread(
    target_key: str, *, title: str = "", url: str = "", is_open: bool = True
) -> Thread:
    thread, _ = Thread.objects.get_or_create(
        target_key=target_key, defaults={"title": title, "url": url, "is_open": is_open}
    )
    return thread


def update_thread(
    thread: Thread,
    *,
    title: str | None = None,
    url: str | None = None,
    is_open: bool | None = None,
    closes_at: datetime | None = None,
    moderation_mode: str | None = None,
) -> Thread:
    """Set the thread's own state (the owner of its target calls this)."""
    changes: dict[str, Any] = {}
    for name, value in (
        ("title", title),
        ("url", url),
        ("is_open", is_open),
        ("closes_at", closes_at),
        ("moderation_mode", moderation_mode),
    ):
        if value is not None and getattr(thread, name) != value:
            changes[name] = value
    if changes:
        Thread.objects.filter(pk=thread.pk).update(**changes, version=F("version") + 1)
        thread.refresh_from_db()
    return thread


def thread_accepts_comments(thread: Thread, now: datetime | None = None) -> bool:
    now = now or timezone.now()
    return thread.is_open and (thread.closes_at is None or thread.closes_at > now)


# --- Posting -------------------------------------------------------------------------


@dataclass(frozen=True)
class QuoteRef:
    """What a new comment quotes: a comment of the same thread, or the thread's page."""

    text: str
    comment_id: int | None = None
    of_target: bool = False


@dataclass
class PostResult:
    comment: Comment
    created: bool
    verdict: hooks.Verdict


def validate_body(body: str) -> str:
    body = (body or "").strip()
    if not body:
        raise ActionError("empty", "The comment is empty.", field="body")
    limit = settings.VECHE_COMMENT_MAX_LENGTH
    if len(body) > limit:
        raise ActionError(
            "too_long",
            f"The comment is {len(body):,} characters long; the limit is {limit:,}.",
            field="body",
        )
    return body


def check_can_participate(user: Any, facts: dict | None = None) -> None:
    """Refuse (401/403) a user who may not take part; `facts` as participation_refusal's."""
    refusal = participation_refusal(user, facts)
    if refusal is not None:
        code, message = refusal
        raise ActionError(code, message, status=401 if code == "not_signed_in" else 403)


def _check_open(thread: Thread) -> None:
    if not thread_accepts_comments(thread):
        raise ActionError(
            "thread_closed", "This discussion is closed for new comments.", status=403
        )


def _check_parent(thread: Thread, parent_id: int | None) -> Comment | None:
    if parent_id is None:
        return None
    parent = Comment.objects.filter(pk=parent_id).first()
    if parent is None:
        raise ActionError(
            "parent_not_found", "The comment you reply to does not exist.", field="parent"
        )
    if parent.thread_id != thread.pk:
        raise ActionError(
            "parent_other_thread",
            "The comment you reply to belongs to another discussion.",
            field="parent",
        )
    if parent.status != CommentStatus.PUBLISHED:
        raise ActionError(
            "parent_unavailable",
            "The comment you reply to was removed or is not published; it takes no replies.",
            field="parent",
            status=409,
        )
    return parent


def _check_quote(thread: Thread, quote: QuoteRef | None) -> tuple[Comment | None, str]:
    """The quoted comment (or None for the thread's page) and the cleaned quote text."""
    if quote is None:
        return None, ""
    text = " ".join((quote.text or "").split())
    if not text:
        raise ActionError("quote_empty", "The quote is empty.", field="quote")
    if len(text) > QUOTE_MAX_LENGTH:
        raise ActionError(
            "quote_too_long",
            f"A quote may be at most {QUOTE_MAX_LENGTH:,} characters long.",
            field="quote",
        )
    if quote.of_target:
        return None, text
    source = Comment.objects.filter(pk=quote.comment_id).first() if quote.comment_id else None
    if source is None or source.thread_id != thread.pk:
        raise ActionError(
            "quote_source_not_found",
            "The quoted comment is not in this discussion.",
            field="quote",
        )
    if source.status != CommentStatus.PUBLISHED:
        raise ActionError(
            "quote_source_unavailable",
            "The quoted comment was removed; it cannot be quoted.",
            field="quote",
            status=409,
        )
    if normalise_for_match(text) not in normalise_for_match(plain_text(source.body_html)):
        raise ActionError(
            "quote_mismatch",
            "The quoted text does not appear in the comment you quote.",
            field="quote",
        )
    return source, text


TOKEN_COMMENT = "discussion_token_comment"  # noqa: S105 - a fact name, not a secret


def _posting_facts(
    author: Any, body: str | None, client_token: str, thread: Thread | int
) -> tuple[dict, Thread]:
    """Everything posting reads about the author, in ONE query of their row: whether
    they may take part, the comment an earlier submit with this token made, and what
    the checks need (hooks.fact_annotations; only for a valid body). Given the thread's
    id, the thread's row comes in the same query (a round trip less a post)."""
    annotations = participation_annotations(author)
    if client_token:
        annotations[TOKEN_COMMENT] = (
            f"SELECT c.{column(Comment, 'id')} FROM {table(Comment)} c"  # noqa: S608
            f" WHERE c.{column(Comment, 'author')} = {participant_id()}"
            f" AND c.{column(Comment, 'client_token')} = %s"
            # The condition of the unique (author, client_token) index, as written in
            # it (SQLite matches it by its form), so that the token is looked up there,
            # also in a generic plan (a prepared statement's).
            f" AND NOT (c.{column(Comment, 'client_token')} = '') LIMIT 1",
            [client_token],
        )
    if body is not None:
        annotations.update(hooks.fact_annotations(author, body))
    if isinstance(thread, Thread):
        return participant_facts(author, annotations), thread
    facts, found = participant_facts_and_row(author, annotations, Thread, thread)
    if found is None:
        raise not_found("discussion")
    return facts, found


def _thread(thread: Thread | int) -> Thread:
    if isinstance(thread, Thread):
        return thread
    found = by_pk(Thread, thread)
    if found is None:
        raise not_found("discussion")
    return found


def post_comment(
    *,
    author: Any,
    thread: Thread | int,
    body: str,
    parent_id: int | None = None,
    quote: QuoteRef | None = None,
    client_token: str = "",
    ip_address: str | None = None,
) -> PostResult:
    """Post a comment or reply as a signed-in reader, with every check.

    `thread`: the Thread, or its id (read with the author's facts; a missing one is
    ActionError "discussion_not_found", 404, before any other refusal). A repeated
    client_token (a double submit) returns the comment the first submit made.
    """
    client_token = (client_token or "")[:64]
    try:
        valid_body: str | None = validate_body(body)
    except ActionError:
        valid_body = None  # reported below, after any participation refusal
    body_html = render_comment_markdown(valid_body) if valid_body is not None else ""
    needs_facts = may_need_facts(author)  # False: refused without a query
    if needs_facts and valid_body is not None:
        # Slow checks (the classifier's scorer) work while the facts are read.
        started = hooks.started_checks(hooks.Draft(
            thread=None, author=author, body_markdown=valid_body, body_html=body_html,
            ip_address=ip_address))
    else:
        started = contextlib.nullcontext({})
    with started as started_checks:
        if needs_facts:
            facts, thread = _posting_facts(author, valid_body, client_token, thread)
        else:
            facts, thread = None, _thread(thread)
        check_can_participate(author, facts)
        author = loaded_user(author)  # read often below: each read via the proxy is a call
        body = validate_body(body)
        if client_token and facts.get(TOKEN_COMMENT) is not None:
            existing = Comment.objects.filter(pk=facts[TOKEN_COMMENT]).first()
            if existing is not None:
                return PostResult(
                    existing, False, hooks.Verdict(hooks.PUBLISH, "already posted")
                )
        _check_open(thread)
        parent = _check_parent(thread, parent_id)
        quoted, quote_text = _check_quote(thread, quote)
        draft = hooks.Draft(
            thread=thread,
            author=author,
            body_markdown=body,
            body_html=body_html,
            parent=parent,
            ip_address=ip_address,
            facts=facts,
            started=started_checks,
        )
        verdicts, verdict = _decide(draft)
    if verdict.action == hooks.REJECT:
        raise ActionError("rejected", verdict.reason or "The comment was rejected.", status=422)
    status = CommentStatus.PUBLISHED if verdict.action == hooks.PUBLISH else CommentStatus.PENDING
    try:
        # The checks ran above, outside; the write holds the thread's row only for the
        # sequence number, the insert, the counters and the checks' records.
        with _posting_transaction():
            comment = do_create_comment(
                thread=thread,
                author=author,
                author_name=author.public_name,
                body_markdown=body,
                body_html=body_html,
                parent=parent,
                quoted_comment=quoted,
                quotes_target=bool(quote and quote.of_target),
                quoted_text=quote_text,
                status=status,
                client_token=client_token,
                ip_address=ip_address,
                companions=lambda new: hooks.companion_rows(new, verdicts),
            )
            hooks.run_recorders(comment, verdicts)
    except IntegrityError:
        # Two submits with one token raced; the other one won.
        existing = Comment.objects.filter(author=author, client_token=client_token).first()
        if client_token and existing is not None:
            return PostResult(existing, False, verdict)
        raise
    return PostResult(comment, True, verdict)


def _posting_transaction() -> contextlib.AbstractContextManager:
    """The transaction a new comment is written in. On PostgreSQL, when its one insert
    statement is all that writes (no recorder writes on its own) and no transaction is
    open, none: the statement is atomic by itself, and BEGIN and COMMIT would be two
    more round trips."""
    if (connection.vendor == "postgresql" and not connection.in_atomic_block
            and not hooks.records_new_comments()):
        return contextlib.nullcontext()
    return transaction.atomic(durable=True)


def _decide(draft: hooks.Draft) -> tuple[list[hooks.Verdict], hooks.Verdict]:
    """Every check's verdict, and the one that decides (the most severe)."""
    verdicts = hooks.run_checks(draft)
    if draft.thread.moderation_mode == ModerationMode.PRE:
        verdicts.append(
            hooks.Verdict(hooks.HOLD, "This discussion is pre-moderated.", "thread_mode")
        )
    return verdicts, hooks.decisive(verdicts, hooks.Verdict(hooks.PUBLISH))


def do_create_comment(
    *,
    thread: Thread,
    author: Any,
    author_name: str,
    body_markdown: str,
    body_html: str,
    parent: Comment | None = None,
    quoted_comment: Comment | None = None,
    quotes_target: bool = False,
    quoted_text: str = "",
    quoted_author_name: str = "",
    status: str = CommentStatus.PUBLISHED,
    created_at: datetime | None = None,
    client_token: str = "",
    ip_address: str | None = None,
    external_id: str = "",
    companions: Callable[[Comment], list[hooks.CompanionRow]] | None = None,
) -> Comment:
    """Insert a comment and keep the thread's and ancestors' counters. Trusts its inputs.

    companions: the rows to store with it (given the comment, not saved yet).

    Holds the thread's row lock while it takes the next sequence number, so concurrent
    posts get distinct, ordered paths.
    """
    created_at = created_at or timezone.now()
    published = status == CommentStatus.PUBLISHED
    if quoted_comment is not None and not quoted_author_name:
        quoted_author_name = quoted_comment.author_name
    if quotes_target and not quoted_author_name:
        quoted_author_name = thread.title
    if parent is not None:
        prefix, depth = parent.path, parent.depth + 1
        root_id = parent.root_id or parent.pk
    else:
        prefix, depth, root_id = "", 0, None
    comment = Comment(
        thread_id=thread.pk,
        parent=parent,
        root_id=root_id,
        depth=depth,
        author=author,
        author_name=author_name[:150],
        body_markdown=body_markdown,
        body_html=body_html,
        body_digest=body_digest(body_markdown),
        quoted_comment=quoted_comment,
        quotes_target=quotes_target,
        quoted_text=quoted_text,
        quoted_author_name=quoted_author_name[:150],
        status=status,
        created_at=created_at,
        status_changed_at=created_at,
        client_token=client_token,
        ip_address=ip_address,
        external_id=external_id,
    )
    rows = companions(comment) if companions is not None else []
    one_statement = connection.vendor == "postgresql"
    # No savepoint of its own: callers run it inside their transaction, and a failure
    # here must roll all of it back anyway. One statement needs no transaction at all.
    with contextlib.nullcontext() if one_statement else transaction.atomic(savepoint=False):
        if one_statement:
            inserting.insert_folded(comment, prefix, published=published, companions=rows)
        else:
            comment.seq = inserting.take_seq(thread.pk, published=published,
                                             created_at=created_at)
            comment.path = prefix + encode_seq(comment.seq)
            inserting.insert_row(comment)
            do_tally({(comment.author_id, status): (1, 0)})
            if parent is not None:
                inserting.count_reply(parent.pk, root_id)
            inserting.insert_companions(comment, rows)
        # Outside a transaction these run at once: the comment is committed by then.
        transaction.on_commit(
            lambda: signals.comment_posted.send(sender=Comment, comment=comment, created=True)
        )
        for row in rows:
            if row.on_commit is not None:
                transaction.on_commit(partial(row.on_commit, comment.pk))
    return comment


# --- Editing and deleting ------------------------------------------------------------


def _own_comment_for_update(user: Any, comment_id: int) -> Comment:
    comment = Comment.objects.select_for_update().filter(pk=comment_id).first()
    if comment is None:
        raise not_found()
    if user is None or not user.is_authenticated or comment.author_id != user.pk:
        raise ActionError("not_author", "You can only change your own comments.", status=403)
    return comment


def edit_comment(*, user: Any, comment_id: int, body: str) -> Comment:
    """Change the text of one's own comment within the edit window; keep the old text."""
    check_can_participate(user)
    body = validate_body(body)
    with transaction.atomic(durable=True):
        comment = _own_comment_for_update(user, comment_id)
        if comment.status not in (CommentStatus.PUBLISHED, CommentStatus.PENDING):
            raise ActionError("not_editable", "This comment was deleted or removed.", status=409)
        window = timedelta(seconds=settings.VECHE_EDIT_WINDOW_SECONDS)
        if timezone.now() - comment.created_at > window:
            minutes = settings.VECHE_EDIT_WINDOW_SECONDS // 60
            raise ActionError(
                "edit_window_passed",
                f"Comments can be edited for {minutes} minutes after posting.",
                status=403,
            )
        if body == comment.body_markdown:
            return comment
        body_html = render_comment_markdown(body)
        thread = Thread.objects.get(pk=comment.thread_id)
        verdicts, verdict = _decide(
            hooks.Draft(
                thread=thread,
                author=user,
                body_markdown=body,
                body_html=body_html,
                parent=comment.parent,
                editing=comment,
            )
        )
        if verdict.action == hooks.REJECT:
            raise ActionError("rejected", verdict.reason or "The edit was rejected.", status=422)
        now = timezone.now()
        CommentRevision.objects.create(
            comment=comment,
            body_markdown=comment.body_markdown,
            body_html=comment.body_html,
            created_at=comment.edited_at or comment.created_at,
            replaced_at=now,
        )
        old_status = comment.status
        comment.body_markdown, comment.body_html, comment.edited_at = body, body_html, now
        comment.body_digest = body_digest(body)
        fields = ["body_markdown", "body_html", "body_digest", "edited_at"]
        if verdict.action == hooks.HOLD and old_status == CommentStatus.PUBLISHED:
            comment.status, comment.status_changed_at = CommentStatus.PENDING, now
            fields += ["status", "status_changed_at"]
        comment.save(update_fields=fields)
        hooks.run_recorders(comment, verdicts, is_edit=True)
        _bump_thread(comment.thread_id, count_delta=_count_delta(old_status, comment.status))
        _tally_status_change(comment, old_status)
        transaction.on_commit(lambda: signals.comment_edited.send(sender=Comment, comment=comment))
    return comment


def delete_comment(*, user: Any, comment_id: int) -> Comment:
    """Delete one's own comment. Replies stay, under a "comment deleted" placeholder;
    the text stays for moderators until the retention period purges it."""
    with transaction.atomic(durable=True):
        comment = _own_comment_for_update(user, comment_id)
        if comment.status in (CommentStatus.DELETED, CommentStatus.REMOVED):
            raise ActionError("already_deleted", "This comment is already deleted.", status=409)
        do_set_status(comment, CommentStatus.DELETED)
    return comment


def do_set_status(comment: Comment, status: str) -> str:
    """Change a comment's status and the thread's counters. The caller holds the
    comment's row lock and writes whatever audit record its domain needs."""
    old_status = comment.status
    if old_status == status:
        return old_status
    comment.status = status
    comment.status_changed_at = timezone.now()
    comment.save(update_fields=["status", "status_changed_at"])
    _bump_thread(comment.thread_id, count_delta=_count_delta(old_status, status))
    _tally_status_change(comment, old_status)
    transaction.on_commit(
        lambda: signals.comment_status_changed.send(
            sender=Comment, comment=comment, old_status=old_status
        )
    )
    return old_status


def _count_delta(old_status: str, new_status: str) -> int:
    was = old_status == CommentStatus.PUBLISHED
    now = new_status == CommentStatus.PUBLISHED
    return int(now) - int(was)


def _bump_thread(thread_id: int, *, count_delta: int = 0) -> None:
    updates: dict[str, Any] = {"version": F("version") + 1}
    if count_delta:
        updates["comment_count"] = F("comment_count") + count_delta
    Thread.objects.filter(pk=thread_id).update(**updates)


def purge_deleted_text(*, older_than_days: int | None = None) -> int:
    """Erase the text of comments deleted or removed longer ago than the retention."""
    days = settings.VECHE_DELETED_RETENTION_DAYS if older_than_days is None else older_than_days
    cutoff = timezone.now() - timedelta(days=days)
    stale = Comment.objects.filter(
        status__in=[CommentStatus.DELETED, CommentStatus.REMOVED], status_changed_at__lt=cutoff
    ).exclude(body_markdown="")
    with transaction.atomic():
        # Moderators see a deleted comment's text in the tree, and the rendered tree is
        # cached per thread version: the threads must change version with the text.
        thread_ids = set(stale.values_list("thread_id", flat=True))
        CommentRevision.objects.filter(comment__in=stale).delete()
        erased = stale.update(body_markdown="", body_html="", body_digest=0, quoted_text="")
        if erased:
            Thread.objects.filter(pk__in=thread_ids).update(version=F("version") + 1)
        return erased


# --- Votes ---------------------------------------------------------------------------


def wilson_lower_bound(up: int, down: int, z: float = 1.96) -> float:
    n = up + down
    if n == 0:
        return 0.0
    phat = up / n
    return (phat + z * z / (2 * n) - z * math.sqrt((phat * (1 - phat) + z * z / (4 * n)) / n)) / (
        1 + z * z / n
    )


def vote_comment(*, user: Any, comment_id: int, value: int) -> Comment:
    """+1 or -1 on someone else's published comment; 0 withdraws the vote."""
    check_can_participate(user)
    if value not in (-1, 0, 1):
        raise ActionError("bad_vote", "A vote is +1, -1, or 0 to withdraw it.", field="value")
    hooks.run_guards("vote", user)
    with transaction.atomic(durable=True):
        comment = Comment.objects.select_for_update().filter(pk=comment_id).first()
        if comment is None:
            raise not_found()
        if comment.author_id == user.pk:
            raise ActionError("own_comment", "You cannot vote on your own comment.", status=403)
        if comment.status != CommentStatus.PUBLISHED:
            raise ActionError(
                "not_votable", "This comment is not published; it takes no votes.", status=409
            )
        existing = Vote.objects.filter(comment=comment, user=user).first()
        old = existing.value if existing else 0
        if old == value:
            message = (
                "You have not voted on this comment."
                if value == 0
                else f"You have already voted {value:+d} on this comment."
            )
            raise ActionError("already_voted", message, status=409)
        if value == 0:
            existing.delete()
        elif existing is None:
            Vote.objects.create(comment=comment, user=user, value=value)
        else:
            existing.value = value
            existing.save(update_fields=["value", "updated_at"])
        comment.upvotes += (value == 1) - (old == 1)
        comment.downvotes += (value == -1) - (old == -1)
        comment.score = comment.upvotes - comment.downvotes
        comment.wilson = wilson_lower_bound(comment.upvotes, comment.downvotes)
        comment.save(update_fields=["upvotes", "downvotes", "score", "wilson"])
        _bump_thread(comment.thread_id)
        do_tally({(comment.author_id, comment.status): (0, (value == 1) - (old == 1))})
        transaction.on_commit(
            lambda: signals.comment_voted.send(
                sender=Comment, comment=comment, user=user, value=value
            )
        )
    return comment


# --- Accounts that go away or merge --------------------------------------------------


def do_recount_votes(comment_id: int) -> None:
    """Set a comment's vote counters from its Vote rows (after votes moved or went)."""
    # The row lock keeps the old upvotes, and so the author's tally delta, exact.
    before = (
        Comment.objects.select_for_update()
        .filter(pk=comment_id)
        .values_list("author_id", "status", "upvotes")
        .first()
    )
    if before is None:
        return
    up = Vote.objects.filter(comment_id=comment_id, value=1).count()
    down = Vote.objects.filter(comment_id=comment_id, value=-1).count()
    Comment.objects.filter(pk=comment_id).update(
        upvotes=up, downvotes=down, score=up - down, wilson=wilson_lower_bound(up, down)
    )
    author_id, status, old_up = before
    do_tally({(author_id, status): (0, up - old_up)})


def do_withdraw_all_votes(user: Any) -> None:
    """Remove every vote of `user` and fix the counters of the comments they were on."""
    voted = list(Vote.objects.filter(user=user).values_list("comment_id", flat=True))
    Vote.objects.filter(user=user).delete()
    for comment_id in voted:
        do_recount_votes(comment_id)
    _bump_threads_of(voted)


def do_detach_author(user: Any, *, shown_name: str, erase_text: bool) -> None:
    """The account behind these comments is going: show them under `shown_name`,
    and with `erase_text` delete them (placeholders keep replies) and erase their text."""
    own_ids = list(Comment.objects.filter(author=user).values_list("pk", flat=True))
    Comment.objects.filter(quoted_comment_id__in=own_ids).update(quoted_author_name=shown_name)
    if erase_text:
        for comment in Comment.objects.select_for_update().filter(pk__in=own_ids):
            if comment.status not in (CommentStatus.DELETED, CommentStatus.REMOVED):
                do_set_status(comment, CommentStatus.DELETED)
        CommentRevision.objects.filter(comment_id__in=own_ids).delete()
        Comment.objects.filter(pk__in=own_ids).update(
            body_markdown="", body_html="", body_digest=0, quoted_text=""
        )
    Comment.objects.filter(pk__in=own_ids).update(
        author=None, author_name=shown_name, ip_address=None, client_token=""
    )
    # Comments without an account are nobody's tally.
    AuthorTally.objects.filter(user=user).delete()
    _bump_threads_of(own_ids)


def do_reassign_author(source: Any, target: Any) -> None:
    """Move the comments and votes of `source` to `target` (an account being claimed).

    Comments keep the name they were posted under. A vote of `source` is dropped where
    `target` already voted on that comment or now owns it."""
    moved = list(Comment.objects.filter(author=source).values_list("pk", flat=True))
    Comment.objects.filter(pk__in=moved).update(author=target)
    # The source's tallies go over whole; the vote recounts below then adjust the target's.
    carried = AuthorTally.objects.select_for_update().filter(user=source)
    do_tally({(target.pk, t.status): (t.comments, t.upvotes) for t in carried})
    AuthorTally.objects.filter(user=source).delete()
    votes = Vote.objects.filter(user=source)
    clashing = votes.filter(comment__author=target) | votes.filter(comment__votes__user=target)
    touched = set(clashing.values_list("comment_id", flat=True))
    Vote.objects.filter(pk__in=list(clashing.values_list("pk", flat=True))).delete()
    Vote.objects.filter(user=source).update(user=target)
    for comment_id in touched:
        do_recount_votes(comment_id)
    _bump_threads_of([*moved, *touched])


def _bump_threads_of(comment_ids: list[int]) -> None:
    thread_ids = set(
        Comment.objects.filter(pk__in=comment_ids).values_list("thread_id", flat=True)
    )
    Thread.objects.filter(pk__in=thread_ids).update(version=F("version") + 1)


# --- Author tallies ------------------------------------------------------------------


def _tally_status_change(comment: Comment, old_status: str) -> None:
    """Move `comment` (with its upvotes) from its author's `old_status` tally to the
    tally of its current status."""
    if old_status == comment.status:
        return
    do_tally({
        (comment.author_id, old_status): (-1, -comment.upvotes),
        (comment.author_id, comment.status): (1, comment.upvotes),
    })


TALLY_BATCH = 500


def do_tally(deltas: Mapping[tuple[int | None, str], tuple[int, int]]) -> None:
    """Add (comments, upvotes) to the tallies of (user id, status), creating missing rows,
    in ONE upsert per batch: INSERT … ON CONFLICT DO UPDATE (PostgreSQL, SQLite ≥ 3.24)
    adds to the stored numbers under the row's lock, so concurrent changes never lose one.
    Rows go in key order, so two transactions lock the same rows in the same order."""
    rows = sorted(
        (user_id, str(status), n, up)
        for (user_id, status), (n, up) in deltas.items()
        if user_id is not None and (n or up)
    )
    if not rows:
        return
    qn = connection.ops.quote_name
    meta = AuthorTally._meta

    def col(name: str) -> str:
        return qn(meta.get_field(name).column)

    name = qn(meta.db_table)
    count, upvotes = col("comments"), col("upvotes")
    with connection.cursor() as cursor:
        for start in range(0, len(rows), TALLY_BATCH):
            batch = rows[start:start + TALLY_BATCH]
            values = ", ".join(["(%s, %s, %s, %s)"] * len(batch))
            # Only quoted names of our own columns go into the text; values are parameters.
            cursor.execute(
                f"INSERT INTO {name} ({col('user')}, {col('status')}, {count}, {upvotes})"  # noqa: S608
                f" VALUES {values} ON CONFLICT ({col('user')}, {col('status')}) DO UPDATE"
                f" SET {count} = {name}.{count} + excluded.{count},"
                f" {upvotes} = {name}.{upvotes} + excluded.{upvotes}",
                [value for row in batch for value in row],
            )


def rebuild_author_tallies() -> int:
    """Recount every tally from the comments (a repair tool); returns the rows written."""
    comment, tally = Comment._meta, AuthorTally._meta
    qn = connection.ops.quote_name

    def col(meta: Any, name: str) -> str:
        return qn(meta.get_field(name).column)

    author, status = col(comment, "author"), col(comment, "status")
    with transaction.atomic(), connection.cursor() as cursor:
        if connection.vendor == "postgresql":
            # Writers wait until the recount commits; one that counted before the lock
            # has committed by then, so the recount sees its comment (SQLite writers are
            # serialised anyway).
            cursor.execute(f"LOCK TABLE {qn(tally.db_table)} IN EXCLUSIVE MODE")
        cursor.execute(f"DELETE FROM {qn(tally.db_table)}")  # noqa: S608
        cursor.execute(
            f"INSERT INTO {qn(tally.db_table)} ({col(tally, 'user')}, {col(tally, 'status')},"  # noqa: S608
            f" {col(tally, 'comments')}, {col(tally, 'upvotes')})"
            f" SELECT {author}, {status}, COUNT(*), COALESCE(SUM({col(comment, 'upvotes')}), 0)"
            f" FROM {qn(comment.db_table)} WHERE {author} IS NOT NULL"
            f" GROUP BY {author}, {status}"
        )
        return cursor.rowcount
