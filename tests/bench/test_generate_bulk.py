"""The benchmark generator's bulk path writes the same rows as its action path.

bench/generate.py plans a discussion from a seed, then writes it either through the
discussion's actions (do_create_comment, do_recount_votes; save_article for growth
articles) or in bulk (COPY on PostgreSQL, bulk_create elsewhere). Both ways go into the
same database here and are compared column by column; comments are matched by their
per-thread seq, and ids that point at comments are compared as the seq they point at.
"""

from __future__ import annotations

import importlib.util
import random
import sys
from datetime import UTC, datetime
from pathlib import Path

import pytest
from django.db.models import Count, Sum

from veche.discussion.models import AuthorTally, Comment, Thread, Vote
from veche.newsroom.models import Article, Section

pytestmark = pytest.mark.django_db

GENERATE = Path(__file__).resolve().parents[2] / "bench" / "generate.py"
START = datetime(2026, 3, 1, 12, 0, 0, 123456, tzinfo=UTC)
COMMENT_POINTERS = ("parent_id", "root_id", "quoted_comment_id")


def load_generate():
    spec = importlib.util.spec_from_file_location("bench_generate", GENERATE)
    module = importlib.util.module_from_spec(spec)
    # Dataclasses look their module up in sys.modules while the class is made.
    sys.modules[spec.name] = module
    spec.loader.exec_module(module)
    return module


gen = load_generate()


def comment_rows(thread_id: int) -> list[dict]:
    rows = list(Comment.objects.filter(thread_id=thread_id).order_by("seq").values())
    seq_of = {row["id"]: row["seq"] for row in rows}
    for row in rows:
        for key in COMMENT_POINTERS:
            if row[key] is not None:
                row[key] = seq_of[row[key]]  # KeyError: points outside the thread
        del row["id"], row["thread_id"]
    return rows


def vote_rows(thread_id: int) -> list[tuple[int, int, int]]:
    return sorted(
        Vote.objects.filter(comment__thread_id=thread_id).values_list(
            "comment__seq", "user_id", "value"
        )
    )


def thread_row(thread_id: int) -> dict:
    row = Thread.objects.filter(pk=thread_id).values().get()
    # The thread's own id and address differ between the twins; created_at is the clock.
    for key in ("id", "target_key", "url", "created_at"):
        del row[key]
    return row


def tallies() -> dict[tuple[int, str], tuple[int, int]]:
    return {(t.user_id, t.status): (t.comments, t.upvotes) for t in AuthorTally.objects.all()}


def tally_delta(before: dict, after: dict) -> dict:
    """What a write added to the authors' tallies (the twins share their authors, so
    each twin's rows are compared as what it added)."""
    out = {}
    for key in before.keys() | after.keys():
        b, a = before.get(key, (0, 0)), after.get(key, (0, 0))
        if a != b:
            out[key] = (a[0] - b[0], a[1] - b[1])
    return out


def fresh_tallies() -> dict[tuple[int, str], tuple[int, int]]:
    rows = (
        Comment.objects.filter(author__isnull=False)
        .values("author_id", "status")
        .annotate(n=Count("pk"), up=Sum("upvotes"))
        .order_by()
    )
    return {(r["author_id"], r["status"]): (r["n"], r["up"]) for r in rows}


def assert_same_tally_changes(before: dict, middle: dict, after: dict) -> None:
    by_actions, by_bulk = tally_delta(before, middle), tally_delta(middle, after)
    assert by_actions == by_bulk
    assert len(by_bulk) > 10 and any(up for _, up in by_bulk.values())
    assert after == fresh_tallies()


def assert_same_discussion(a: int, b: int) -> None:
    rows_a, rows_b = comment_rows(a), comment_rows(b)
    assert len(rows_a) == len(rows_b)
    for row_a, row_b in zip(rows_a, rows_b, strict=True):
        assert row_a == row_b, f"comment seq {row_a['seq']} differs"
    assert vote_rows(a) == vote_rows(b)
    assert thread_row(a) == thread_row(b)


def test_one_thread_bulk_equals_actions():
    before = tallies()
    actions = gen.generate_thread(comments=150, seed=7, slug="twin-actions", start=START)
    middle = tallies()
    bulk = gen.generate_thread(comments=150, seed=7, slug="twin-bulk", start=START, bulk=True)
    assert_same_discussion(actions.thread_id, bulk.thread_id)
    assert_same_tally_changes(before, middle, tallies())

    # The comparison is only worth something if the discussion has all the features.
    rows = comment_rows(bulk.thread_id)
    assert len(rows) == 150
    assert max(r["depth"] for r in rows) >= 4
    assert sum(r["depth"] == 0 for r in rows) >= 20
    assert any(r["quoted_comment_id"] for r in rows) and any(r["quoted_text"] for r in rows)
    assert any(r["descendant_count"] > 1 for r in rows)
    assert any(r["downvotes"] for r in rows) and any(r["upvotes"] > 1 for r in rows)
    assert any(0 < r["wilson"] < 1 for r in rows)
    assert len(vote_rows(bulk.thread_id)) > 50
    thread = Thread.objects.get(pk=bulk.thread_id)
    assert thread.comment_count == 150 and thread.next_seq == 151
    assert thread.last_comment_at == START + gen.COMMENT_SPACING * 149


def test_bulk_appends_after_existing_comments():
    """A second bulk write continues the thread's seq and counters, like the actions."""
    a = gen.generate_thread(comments=20, seed=3, slug="more-actions", start=START)
    b = gen.generate_thread(comments=20, seed=3, slug="more-bulk", start=START, bulk=True)
    users = gen.ensure_authors(3, 300)
    plan = gen.plan_thread(random.Random(4), 30, 300)
    later = START.replace(day=2)
    before = tallies()
    gen.write_through_actions(Thread.objects.get(pk=a.thread_id), plan, users, later)
    middle = tallies()
    gen.write_thread_bulk(Thread.objects.get(pk=b.thread_id), plan, users, later)
    assert_same_tally_changes(before, middle, tallies())
    assert_same_discussion(a.thread_id, b.thread_id)
    assert Thread.objects.get(pk=b.thread_id).next_seq == 51


@pytest.mark.parametrize(("close_after_days", "section_mode"), [(None, ""), (30, "pre")])
def test_growth_bulk_equals_save_article_and_actions(settings, close_after_days, section_mode):
    settings.VECHE_CLOSE_AFTER_DAYS = close_after_days
    gen.growth_sections()
    Section.objects.filter(slug="growth-world").update(moderation_mode=section_mode)
    common = {"articles": 6, "comments": 90, "seed": 11, "start": START, "progress": False,
              "batch": 4}
    before = tallies()
    made = gen.grow(slug_prefix="grown-actions", through_actions=True, **common)
    assert made == {**made, "articles": 6, "comments": 90, "complete": True}
    middle = tallies()
    gen.grow(slug_prefix="grown-bulk", **common)
    assert_same_tally_changes(before, middle, tallies())

    for i in range(6):
        a = Article.objects.get(slug=f"grown-actions-{i}")
        b = Article.objects.get(slug=f"grown-bulk-{i}")
        row_a, row_b = (
            Article.objects.filter(pk=x.pk).values().get() for x in (a, b)
        )
        for key in ("id", "slug", "thread_id", "updated_at"):
            del row_a[key], row_b[key]
        assert row_a == row_b
        assert b.body_html and b.thread.target_key == f"newsroom.article:{b.pk}"
        assert b.thread.url == b.get_absolute_url()
        assert_same_discussion(a.thread_id, b.thread_id)
    counts = [Article.objects.get(slug=f"grown-bulk-{i}").thread.comment_count for i in range(6)]
    assert sum(counts) == 90 and len(set(counts)) > 1
    if section_mode:
        thread = Article.objects.get(slug="grown-bulk-0").thread
        assert thread.moderation_mode == "pre" and thread.closes_at is not None
