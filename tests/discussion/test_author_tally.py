"""The authors' stored tallies stay equal to a fresh count of their comments, whatever
sequence of actions changed them; the repair command and the migration's backfill
count the same."""

from __future__ import annotations

import importlib
import random
from datetime import timedelta

import pytest
from django.apps import apps as global_apps
from django.core.management import call_command
from django.db import connection, transaction
from django.db.models import Count, Q, Sum
from django.utils import timezone

from tests.discussion.factories import add_comment, make_thread
from veche.discussion import actions
from veche.discussion.errors import ActionError
from veche.discussion.models import AuthorTally, Comment, CommentStatus, Thread

pytestmark = pytest.mark.django_db


def fresh_count() -> dict[tuple[int, str], tuple[int, int]]:
    rows = (
        Comment.objects.filter(author__isnull=False)
        .values("author_id", "status")
        .annotate(n=Count("pk"), up=Sum("upvotes"))
        .order_by()
    )
    return {(r["author_id"], r["status"]): (r["n"], r["up"] or 0) for r in rows}


def stored() -> dict[tuple[int, str], tuple[int, int]]:
    # A row whose comments all moved to another status stays, at zero.
    return {
        (t.user_id, t.status): (t.comments, t.upvotes)
        for t in AuthorTally.objects.all()
        if t.comments or t.upvotes
    }


def set_status(comment: Comment, status: str) -> None:
    """What moderation's decisions do: lock the row, then do_set_status."""
    with transaction.atomic():
        locked = Comment.objects.select_for_update().get(pk=comment.pk)
        actions.do_set_status(locked, status)


def test_random_actions_keep_the_tallies_equal_to_a_fresh_count(make_user, settings):
    settings.VECHE_VOTE_RATE = ""  # votes are not rate-limited here
    rng = random.Random(20261125)
    users = [make_user() for _ in range(6)]
    threads = [make_thread(f"test:tally-{i}") for i in range(2)]
    done: dict[str, int] = {}

    def live() -> list[Comment]:
        return list(Comment.objects.order_by("pk"))

    for step in range(400):
        kind = rng.choice(
            ["post", "post", "reply", "approve", "reject", "spam", "remove", "delete",
             "vote", "vote", "vote", "withdraw", "detach", "reassign"]
        )
        comments = live()
        published = [c for c in comments if c.status == CommentStatus.PUBLISHED]
        try:
            if kind == "post" or not comments:
                status = rng.choice([CommentStatus.PUBLISHED, CommentStatus.PENDING])
                add_comment(rng.choice(threads), rng.choice(users), f"Post {step}",
                            status=status)
            elif kind == "reply" and published:
                parent = rng.choice(published)
                thread = Thread.objects.get(pk=parent.thread_id)
                add_comment(thread, rng.choice(users), f"Reply {step}", parent=parent)
            elif kind in ("approve", "reject", "spam", "remove"):
                target = {"approve": CommentStatus.PUBLISHED, "reject": CommentStatus.REJECTED,
                          "spam": CommentStatus.SPAM, "remove": CommentStatus.REMOVED}[kind]
                set_status(rng.choice(comments), target)
            elif kind == "delete":
                mine = [c for c in comments if c.author_id is not None]
                if mine:
                    chosen = rng.choice(mine)
                    actions.delete_comment(user=chosen.author, comment_id=chosen.pk)
            elif kind == "vote" and published:
                chosen = rng.choice(published)
                voter = rng.choice(users)
                actions.vote_comment(user=voter, comment_id=chosen.pk,
                                     value=rng.choice([1, 1, -1, 0]))
            elif kind == "withdraw" and rng.random() < 0.3:
                with transaction.atomic():
                    actions.do_withdraw_all_votes(rng.choice(users))
            elif kind == "detach" and rng.random() < 0.3:
                with transaction.atomic():
                    actions.do_detach_author(rng.choice(users), shown_name="Former reader",
                                             erase_text=rng.random() < 0.5)
            elif kind == "reassign" and rng.random() < 0.3:
                source, target = rng.sample(users, 2)
                with transaction.atomic():
                    actions.do_reassign_author(source, target)
            else:
                continue
        except ActionError:
            continue  # a refused action (own comment, same vote twice…) changes nothing
        done[kind] = done.get(kind, 0) + 1
        if step % 20 == 0:
            assert stored() == fresh_count(), f"after step {step} ({kind})"

    assert stored() == fresh_count(), done
    # The sequence must really have exercised the paths it claims to test.
    assert all(done.get(k, 0) >= 3 for k in ("post", "reply", "approve", "reject", "spam",
                                             "delete", "vote", "withdraw", "detach")), done
    tallies = fresh_count()
    assert any(up for (_, status), (_, up) in tallies.items()
               if status == CommentStatus.PUBLISHED), (done, tallies)
    assert len({status for _, status in tallies}) >= 4
    assert actions.rebuild_author_tallies() == AuthorTally.objects.count()
    assert stored() == fresh_count()


def test_user_stats_read_the_tallies_with_the_old_semantics(make_user, settings):
    from veche.moderation.selectors import BAD, user_stats

    settings.VECHE_VOTE_RATE = ""
    author, voter, other = make_user(), make_user(), make_user()
    thread = make_thread("test:tally-stats")
    kept = add_comment(thread, author, "kept")
    voted_then_rejected = add_comment(thread, author, "rejected later")
    for comment in (kept, voted_then_rejected):
        actions.vote_comment(user=voter, comment_id=comment.pk, value=1)
        actions.vote_comment(user=other, comment_id=comment.pk, value=1)
    set_status(voted_then_rejected, CommentStatus.REJECTED)
    set_status(add_comment(thread, author, "spam"), CommentStatus.SPAM)
    add_comment(thread, author, "held", status=CommentStatus.PENDING)
    actions.delete_comment(user=author, comment_id=add_comment(thread, author, "gone").pk)

    expected = Comment.objects.filter(author=author).aggregate(
        published=Count("pk", filter=Q(status=CommentStatus.PUBLISHED)),
        rejected=Count("pk", filter=Q(status__in=BAD)),
        upvotes=Sum("upvotes", filter=Q(status=CommentStatus.PUBLISHED)),
    )
    stats = user_stats([author.pk, other.pk])
    got = stats[author.pk]
    assert (got.published, got.rejected, got.upvotes) == (1, 2, 2)
    assert (got.published, got.rejected, got.upvotes) == tuple(expected.values())
    # An author without comments has zeros, not None.
    assert (stats[other.pk].published, stats[other.pk].rejected, stats[other.pk].upvotes) == (
        0, 0, 0)


def test_recount_authors_repairs_the_tallies(make_user):
    users = [make_user() for _ in range(3)]
    thread = make_thread("test:tally-repair")
    for i in range(9):
        add_comment(thread, users[i % 3], f"Comment {i}",
                    status=CommentStatus.PENDING if i % 4 == 0 else CommentStatus.PUBLISHED)
    expected = fresh_count()
    assert stored() == expected
    AuthorTally.objects.filter(user=users[0]).delete()
    AuthorTally.objects.filter(user=users[1]).update(comments=99)
    assert stored() != expected
    call_command("recount_authors", stdout=open("/dev/null", "w"))  # noqa: SIM115
    assert stored() == expected


def test_the_migration_backfills_the_same_rows(make_user):
    users = [make_user() for _ in range(2)]
    thread = make_thread("test:tally-backfill")
    for i in range(5):
        add_comment(thread, users[i % 2], f"Comment {i}",
                    status=CommentStatus.REJECTED if i == 3 else CommentStatus.PUBLISHED)
    add_comment(thread, None, "A guest's comment is nobody's tally")
    expected = fresh_count()
    AuthorTally.objects.all().delete()
    migration = importlib.import_module("veche.discussion.migrations.0002_author_tally")

    class Editor:  # the one thing backfill uses of a schema editor, without DDL
        def __init__(self) -> None:
            self.connection = connection

        def execute(self, sql: str) -> None:
            with connection.cursor() as cursor:
                cursor.execute(sql)

    migration.backfill(global_apps, Editor())
    assert stored() == expected and len(expected) == 3


def test_purging_deleted_text_changes_the_thread_version(make_user):
    author = make_user()
    thread = make_thread("test:tally-purge")
    comment = add_comment(thread, author, "Soon deleted")
    actions.delete_comment(user=author, comment_id=comment.pk)
    Comment.objects.filter(pk=comment.pk).update(
        status_changed_at=timezone.now() - timedelta(days=40))
    before = Thread.objects.get(pk=thread.pk).version
    assert actions.purge_deleted_text(older_than_days=30) == 1
    assert Comment.objects.get(pk=comment.pk).body_markdown == ""
    assert Thread.objects.get(pk=thread.pk).version == before + 1
    # Nothing left to purge: no version change.
    assert actions.purge_deleted_text(older_than_days=30) == 0
    assert Thread.objects.get(pk=thread.pk).version == before + 1

