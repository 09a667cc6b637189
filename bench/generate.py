"""Generate a realistic discussion, deterministically from a seed.

About 30% top-level comments, replies to random earlier comments up to depth 8,
bodies of 50-1,500 characters (median about 300) with some Markdown and quotes,
300 authors, votes. Two ways to write the same rows:

* through the actions (default): do_create_comment for each comment, the Vote rows,
  then do_recount_votes, so the rows are the real thing;
* in bulk (--bulk): the same rows computed here and written in large batches (COPY on
  PostgreSQL, bulk_create elsewhere; the authors' tallies by one upsert per batch).
  tests/bench/test_generate_bulk.py checks that both ways give the same rows.

--grow-articles/--grow-comments fill the database with many articles (as save_article
makes them, with their threads) and their discussions, in bulk, within --budget seconds.

    .venv/bin/python bench/generate.py --comments 1000 --seed 1 --slug bench-1000
    .venv/bin/python bench/generate.py --comments 1000 --seed 1 --slug bench-1000 --bulk
    .venv/bin/python bench/generate.py --grow-articles 100000 --grow-comments 1000000
"""

from __future__ import annotations

import argparse
import os
import random
import sys
import time
from dataclasses import dataclass, field
from datetime import datetime, timedelta
from typing import Any

WORDS = [
    "the",
    "army",
    "general",
    "caliphate",
    "border",
    "russia",
    "afghanistan",
    "syria",
    "iraq",
    "operation",
    "forces",
    "terror",
    "strategy",
    "support",
    "taliban",
    "troops",
    "security",
    "region",
    "analysts",
    "exercise",
    "report",
    "american",
    "european",
    "war",
    "peace",
    "bridge",
    "mountain",
    "river",
    "winter",
    "supply",
    "drone",
    "artillery",
    "negotiations",
    "sanctions",
    "budget",
    "industry",
    "factory",
    "tank",
    "aircraft",
    "ship",
    "missile",
    "radar",
]


def body(rng: random.Random) -> str:
    # Log-normal lengths: median ~300 characters, clipped to 50..1500.
    target = int(min(1500, max(50, rng.lognormvariate(5.7, 0.6))))
    out: list[str] = []
    length = 0
    while length < target:
        sentence = " ".join(rng.choice(WORDS) for _ in range(rng.randint(5, 14)))
        sentence = sentence.capitalize() + rng.choice([".", ".", "!", "?"])
        if rng.random() < 0.1:
            sentence = sentence.replace(" ", " **", 1).replace(" ", "** ", 2)
        out.append(sentence)
        length += len(sentence) + 1
        if rng.random() < 0.15:
            out.append("\n\n")
    return " ".join(out)[:1500]


# --------------------------------------------------------------------------- plans

# A reply to a comment this deep goes to that comment's parent instead.
MAX_PARENT_DEPTH = 7
COMMENT_SPACING = timedelta(seconds=30)


@dataclass(frozen=True)
class PlannedComment:
    parent: int | None  # index of the parent in the plan
    depth: int
    quotes_parent: bool
    quoted_text: str
    text: str
    author: int  # index into the authors


@dataclass
class ThreadPlan:
    """One discussion, decided before anything is written: both ways of writing it
    (actions, bulk) consume the same plan, so they write the same comments."""

    article_body: str
    comments: list[PlannedComment] = field(default_factory=list)
    votes: list[tuple[int, int, int]] = field(default_factory=list)  # (comment, voter, ±1)


def plan_thread(rng: random.Random, comments: int, authors: int) -> ThreadPlan:
    # The order of the rng calls is the one the generator always had: one seed gives
    # the same discussion as before.
    plan = ThreadPlan(article_body=body(rng))
    planned = plan.comments
    for _ in range(comments):
        parent = None
        if planned and rng.random() > 0.3:
            parent = rng.choice(range(len(planned)))
            if planned[parent].depth >= MAX_PARENT_DEPTH:
                parent = planned[parent].parent
        quotes = parent is not None and rng.random() < 0.2
        quoted_text = planned[parent].text[:80].strip() if quotes else ""
        text = body(rng)
        author = rng.choice(range(authors))
        depth = 0 if parent is None else planned[parent].depth + 1
        planned.append(PlannedComment(parent, depth, quotes, quoted_text, text, author))
    for index in rng.sample(range(len(planned)), k=len(planned) // 3):
        for voter in rng.sample(range(authors), k=rng.randint(1, 6)):
            if voter != planned[index].author:
                plan.votes.append((index, voter, rng.choice([1, 1, -1])))
    return plan


def comment_counts(rng: random.Random, articles: int, total: int) -> list[int]:
    """`total` comments over `articles` threads, log-normally skewed: many articles have
    none or a few, a few have thousands; the sum is exactly `total`."""
    if articles <= 0:
        return []
    weights = [rng.lognormvariate(0.0, 1.5) for _ in range(articles)]
    scale = total / sum(weights)
    counts = [int(w * scale) for w in weights]
    short = total - sum(counts)
    by_fraction = sorted(range(articles), key=lambda i: weights[i] * scale - counts[i],
                         reverse=True)
    for i in by_fraction[:short]:
        counts[i] += 1
    return counts


# --------------------------------------------------------------------------- accounts


def ensure_authors(seed: int, count: int) -> list[Any]:
    """The generator's reader accounts, in a fixed order (plans index into it)."""
    from veche.accounts.models import User

    names = [f"bench_{seed}_{i}" for i in range(count)]
    existing = set(User.objects.filter(username__in=names).values_list("username", flat=True))
    User.objects.bulk_create(
        [
            User(username=n, display_name=n.replace("_", " ").title(), password="!")
            for n in names
            if n not in existing
        ]
    )
    by_name = {u.username: u for u in User.objects.filter(username__in=names)}
    return [by_name[n] for n in names]


def bench_desk() -> Any:
    from veche.newsroom.models import Author

    return Author.objects.get_or_create(slug="bench-desk", defaults={"name": "Bench Desk"})[0]


# --------------------------------------------------------------------------- actions


def write_through_actions(thread: Any, plan: ThreadPlan, users: list[Any],
                          start: datetime) -> None:
    """The plan's comments and votes through the discussion's actions."""
    from django.db import transaction

    from veche.core.markup import render_comment_markdown
    from veche.discussion.actions import do_create_comment, do_recount_votes
    from veche.discussion.models import Comment, Vote

    made: list[Comment] = []
    with transaction.atomic():
        for i, planned in enumerate(plan.comments):
            parent = made[planned.parent] if planned.parent is not None else None
            user = users[planned.author]
            made.append(
                do_create_comment(
                    thread=thread,
                    author=user,
                    author_name=user.public_name,
                    body_markdown=planned.text,
                    body_html=render_comment_markdown(planned.text),
                    parent=parent,
                    quoted_comment=parent if planned.quotes_parent else None,
                    quoted_text=planned.quoted_text,
                    created_at=start + COMMENT_SPACING * i,
                )
            )
        Vote.objects.bulk_create(
            [Vote(comment=made[c], user=users[u], value=v) for c, u, v in plan.votes]
        )
        for index in sorted({c for c, _, _ in plan.votes}):
            do_recount_votes(made[index].pk)


# --------------------------------------------------------------------------- bulk


class IdBlocks:
    """Primary keys handed out before the INSERTs, so rows of one batch can point at
    each other (a reply at its parent, an article at its thread) in a single pass."""

    def __init__(self, chunk: int = 1) -> None:
        self.chunk = chunk
        self._next: dict[str, int] = {}
        self._end: dict[str, int] = {}

    def take(self, model: Any, count: int) -> int:
        """The first of `count` consecutive free ids of `model`'s table."""
        table = model._meta.db_table
        first = self._next.get(table, 0)
        if count and first + count > self._end.get(table, 0):
            first, self._end[table] = self._reserve(table, max(count, self.chunk))
        self._next[table] = first + count
        return first

    def _reserve(self, table: str, count: int) -> tuple[int, int]:
        from django.db import connection

        with connection.cursor() as cursor:
            if connection.vendor == "postgresql":
                # Moves the sequence past the whole block in one statement.
                cursor.execute(
                    "SELECT setval(s, nextval(s) + %s - 1) FROM pg_get_serial_sequence(%s, 'id') s",
                    [count, table],
                )
                last = cursor.fetchone()[0]
                return last - count + 1, last + 1
            if connection.vendor != "sqlite":
                raise NotImplementedError(f"bulk ids on {connection.vendor}")
            cursor.execute(f'SELECT MAX(id) FROM "{table}"')  # noqa: S608 - a model's table
            top = cursor.fetchone()[0] or 0
            cursor.execute("SELECT seq FROM sqlite_sequence WHERE name = %s", [table])
            row = cursor.fetchone()
            # Ids handed out but not yet written are above MAX(id): skip past them too.
            first = max(top, row[0] if row else 0, self._end.get(table, 1) - 1) + 1
            return first, first + count


class Sink:
    """Rows waiting to be written, per model, flushed in the order the models were
    given (referenced tables first): COPY on PostgreSQL, bulk_create elsewhere."""

    def __init__(self, models: list[Any], *, copy: bool | None = None) -> None:
        from django.db import connection

        self.rows: dict[Any, list[dict[str, Any]]] = {m: [] for m in models}
        self.copy = connection.vendor == "postgresql" if copy is None else copy

    def add(self, model: Any, row: dict[str, Any]) -> None:
        self.rows[model].append(row)

    def pending(self) -> int:
        return sum(len(r) for r in self.rows.values())

    def flush(self) -> None:
        for model, rows in self.rows.items():
            if rows:
                self._check_columns(model, rows[0])
                (self._copy if self.copy else self._bulk_create)(model, rows)
                rows.clear()

    @staticmethod
    def _check_columns(model: Any, row: dict[str, Any]) -> None:
        # COPY sets no defaults: a field the model gained and the generator does not
        # know would be NULL, so refuse instead.
        fields = {f.attname for f in model._meta.concrete_fields}
        missing = fields - set(row) - {model._meta.pk.attname}
        unknown = set(row) - fields
        if missing or unknown:
            raise ValueError(f"{model.__name__} rows: missing {missing}, unknown {unknown}")

    @staticmethod
    def _copy(model: Any, rows: list[dict[str, Any]]) -> None:
        from enum import Enum

        from django.db import connection

        by_attname = {f.attname: f.column for f in model._meta.concrete_fields}
        names = list(rows[0])
        columns = ", ".join(f'"{by_attname[n]}"' for n in names)
        sql = f'COPY "{model._meta.db_table}" ({columns}) FROM STDIN'
        with connection.cursor() as cursor, cursor.cursor.copy(sql) as copy:
            for row in rows:
                # Choices are str enums; psycopg would write an Enum's name, not its value.
                copy.write_row(
                    [v.value if isinstance(v, Enum) else v for v in (row[n] for n in names)]
                )

    @staticmethod
    def _bulk_create(model: Any, rows: list[dict[str, Any]]) -> None:
        model.objects.bulk_create([model(**row) for row in rows], batch_size=500)


@dataclass
class ThreadTotals:
    """What the comment actions would have added to the thread's counters."""

    comments: int = 0
    next_seq: int = 1
    last_comment_at: datetime | None = None
    # What do_create_comment and do_recount_votes add to the authors' tallies:
    # user id -> (published comments, upvotes on them).
    tallies: dict[int, tuple[int, int]] = field(default_factory=dict)


def add_tallies(into: dict[int, tuple[int, int]], more: dict[int, tuple[int, int]]) -> None:
    for user_id, (n, up) in more.items():
        had_n, had_up = into.get(user_id, (0, 0))
        into[user_id] = (had_n + n, had_up + up)


def write_tallies(tallies: dict[int, tuple[int, int]]) -> None:
    """The authors' tallies the actions would have kept, in one upsert per 500 authors."""
    from veche.discussion.actions import do_tally
    from veche.discussion.models import CommentStatus

    do_tally({(user_id, CommentStatus.PUBLISHED): v for user_id, v in tallies.items()})


def add_comment_rows(sink: Sink, ids: IdBlocks, plan: ThreadPlan, *, thread_id: int,
                     first_seq: int, start: datetime, authors: list[tuple[int, str]],
                     now: datetime) -> ThreadTotals:
    """The rows do_create_comment and do_recount_votes would write for `plan`, in `sink`.

    authors: (user id, public name) per author index of the plan."""
    from veche.core.markup import render_comment_markdown
    from veche.discussion.actions import wilson_lower_bound
    from veche.discussion.models import Comment, CommentStatus, Vote, encode_seq
    from veche.discussion.text import body_digest

    planned = plan.comments
    n = len(planned)
    first_id = ids.take(Comment, n)
    ups, downs = [0] * n, [0] * n
    for index, _, value in plan.votes:
        if value == 1:
            ups[index] += 1
        else:
            downs[index] += 1
    replies, descendants = [0] * n, [0] * n
    roots: list[int | None] = [None] * n
    for i, p in enumerate(planned):
        if p.parent is not None:
            replies[p.parent] += 1
            root = roots[p.parent] if roots[p.parent] is not None else p.parent
            roots[i] = root
            descendants[root] += 1
    paths: list[str] = []
    names: list[str] = []
    tallies: dict[int, tuple[int, int]] = {}
    created = start
    for i, p in enumerate(planned):
        seq = first_seq + i
        code = encode_seq(seq)
        path = code if p.parent is None else paths[p.parent] + code
        paths.append(path)
        author_id, name = authors[p.author]
        names.append(name[:150])
        add_tallies(tallies, {author_id: (1, ups[i])})
        created = start + COMMENT_SPACING * i
        sink.add(Comment, {
            "id": first_id + i,
            "thread_id": thread_id,
            "parent_id": None if p.parent is None else first_id + p.parent,
            "root_id": None if roots[i] is None else first_id + roots[i],
            "seq": seq,
            "path": path,
            "depth": p.depth,
            "author_id": author_id,
            "author_name": names[i],
            "body_markdown": p.text,
            "body_html": render_comment_markdown(p.text),
            "body_digest": body_digest(p.text),
            "quoted_comment_id": first_id + p.parent if p.quotes_parent else None,
            "quotes_target": False,
            "quoted_text": p.quoted_text,
            "quoted_author_name": names[p.parent][:150] if p.quotes_parent else "",
            "status": CommentStatus.PUBLISHED.value,
            "created_at": created,
            "edited_at": None,
            "status_changed_at": created,
            "upvotes": ups[i],
            "downvotes": downs[i],
            "score": ups[i] - downs[i],
            "wilson": wilson_lower_bound(ups[i], downs[i]),
            "reply_count": replies[i],
            "descendant_count": descendants[i],
            "ip_address": None,
            "client_token": "",
            "external_id": "",
        })
    for index, voter, value in plan.votes:
        sink.add(Vote, {"comment_id": first_id + index, "user_id": authors[voter][0],
                        "value": value, "created_at": now, "updated_at": now})
    return ThreadTotals(comments=n, next_seq=first_seq + n,
                        last_comment_at=created if n else None, tallies=tallies)


def write_thread_bulk(thread: Any, plan: ThreadPlan, users: list[Any], start: datetime) -> None:
    """The same rows as write_through_actions, written in bulk."""
    from django.db import transaction
    from django.db.models import F
    from django.utils import timezone

    from veche.discussion.models import Comment, Thread, Vote

    authors = [(u.pk, u.public_name) for u in users]
    with transaction.atomic():
        locked = Thread.objects.select_for_update().only("pk", "next_seq").get(pk=thread.pk)
        sink = Sink([Comment, Vote])
        totals = add_comment_rows(sink, IdBlocks(), plan, thread_id=thread.pk,
                                  first_seq=locked.next_seq, start=start, authors=authors,
                                  now=timezone.now())
        sink.flush()
        write_tallies(totals.tallies)
        if totals.comments:
            # One version bump per comment, as do_create_comment does.
            Thread.objects.filter(pk=thread.pk).update(
                next_seq=totals.next_seq,
                version=F("version") + totals.comments,
                comment_count=F("comment_count") + totals.comments,
                last_comment_at=totals.last_comment_at,
            )


def row_of(instance: Any) -> dict[str, Any]:
    return {f.attname: getattr(instance, f.attname) for f in instance._meta.concrete_fields}


def add_article_rows(sink: Sink, ids: IdBlocks, article: Any, thread_id: int,
                     totals: ThreadTotals, now: datetime) -> None:
    """The Article and Thread rows save_article would write for a new `article`, with the
    thread's counters after `totals` (the comments' rows are added separately)."""
    from django.conf import settings

    from veche.core.markup import render_article_markdown
    from veche.discussion.models import ModerationMode, Thread
    from veche.newsroom.actions import article_moderation_mode
    from veche.newsroom.models import Article

    article.pk = ids.take(Article, 1)
    article.body_html = render_article_markdown(article.body_markdown)
    article.updated_at = now
    mode = article_moderation_mode(article)
    days = settings.VECHE_CLOSE_AFTER_DAYS
    closes_at = (article.published_at + timedelta(days=days)
                 if days is not None and article.published_at else None)
    # get_or_create_thread makes an open post-moderated thread without a closing time;
    # update_thread then bumps the version once if sync_article_thread changes any of it.
    changed = (not article.comments_open) or mode != ModerationMode.POST or closes_at is not None
    thread = Thread(
        pk=thread_id, target_key=article.target_key, title=article.title,
        url=article.get_absolute_url(), is_open=article.comments_open, closes_at=closes_at,
        moderation_mode=mode, comment_count=totals.comments, next_seq=totals.next_seq,
        version=1 + int(changed) + totals.comments, last_comment_at=totals.last_comment_at,
        created_at=now,
    )
    article.thread_id = thread.pk
    sink.add(Thread, row_of(thread))
    sink.add(Article, row_of(article))


# --------------------------------------------------------------------------- growth


def growth_sections() -> list[Any]:
    from veche.newsroom.models import Section

    return [
        Section.objects.get_or_create(slug=f"growth-{name}", defaults={"name": name.title()})[0]
        for name in ("world", "defence", "economy", "opinion")
    ]


def growth_article(i: int, plan: ThreadPlan, *, slug_prefix: str, desk: Any,
                   sections: list[Any], published_at: datetime) -> Any:
    from veche.newsroom.models import Article, ArticleStatus

    return Article(
        title=f"Growth article {i}", slug=f"{slug_prefix}-{i}",
        lead="A generated article for the growth benchmark.", body_markdown=plan.article_body,
        author=desk, section=sections[i % len(sections)], status=ArticleStatus.PUBLISHED,
        published_at=published_at,
    )


def grow(*, articles: int, comments: int, seed: int, authors: int = 300,
         author_seed: int | None = None, start: datetime | None = None,
         slug_prefix: str | None = None,
         budget: float | None = None, batch: int = 500, through_actions: bool = False,
         progress: bool = True) -> dict[str, Any]:
    """Add `articles` published articles with `comments` comments between them.

    Each article i has its own seeded plan, so the rows do not depend on batching.
    Commits every `batch` articles; stops after the batch that passes `budget` seconds.
    through_actions: save_article and the comment actions instead (slow; for tests).
    author_seed: whose accounts write the comments (default: `seed`'s); the accounts of
    an earlier generated thread make its authors' histories grow too.
    """
    from django.db import transaction
    from django.utils import timezone

    from veche.discussion.models import Comment, Thread, Vote
    from veche.newsroom.actions import save_article
    from veche.newsroom.models import Article

    started = time.perf_counter()
    users = ensure_authors(seed if author_seed is None else author_seed, authors)
    author_rows = [(u.pk, u.public_name) for u in users]
    desk, sections = bench_desk(), growth_sections()
    slug_prefix = slug_prefix or f"growth-{seed}"
    counts = comment_counts(random.Random(f"growth-counts:{seed}"), articles, comments)
    now = timezone.now()
    start = start or (now - timedelta(days=730)).replace(microsecond=0)
    # Articles spread over two years, the newest about ten days old.
    step = timedelta(days=720) / max(articles, 1)
    ids = IdBlocks(chunk=100_000)
    bar = _progress(comments, progress)
    done_articles = done_comments = 0
    try:
        for first in range(0, articles, batch):
            sink = Sink([Thread, Article, Comment, Vote])
            tallies: dict[int, tuple[int, int]] = {}
            with transaction.atomic():
                for i in range(first, min(first + batch, articles)):
                    plan = plan_thread(random.Random(f"growth:{seed}:{i}"), counts[i], authors)
                    published = start + step * i
                    article = growth_article(i, plan, slug_prefix=slug_prefix, desk=desk,
                                             sections=sections, published_at=published)
                    comments_start = published + timedelta(minutes=10)
                    if through_actions:
                        save_article(article)
                        write_through_actions(article.thread, plan, users, comments_start)
                    else:
                        thread_id = ids.take(Thread, 1)
                        totals = add_comment_rows(
                            sink, ids, plan, thread_id=thread_id, first_seq=1,
                            start=comments_start, authors=author_rows, now=now,
                        )
                        add_article_rows(sink, ids, article, thread_id, totals, now)
                        add_tallies(tallies, totals.tallies)
                    done_articles += 1
                    done_comments += counts[i]
                    bar.update(counts[i])
                sink.flush()
                write_tallies(tallies)
            if budget is not None and time.perf_counter() - started > budget:
                print(f"\nbudget of {budget:.0f} s spent after {done_articles} articles",
                      file=sys.stderr)
                break
    finally:
        bar.close()
    return {"articles": done_articles, "comments": done_comments,
            "seconds": time.perf_counter() - started, "complete": done_articles == articles,
            "max_comments": max(counts, default=0)}


def _progress(total: int, enabled: bool) -> Any:
    from tqdm import tqdm

    # mininterval: a log file gets a line every few seconds, not a flood.
    return tqdm(total=total, unit="comment", unit_scale=True, file=sys.stderr,
                mininterval=5, disable=not enabled)


# --------------------------------------------------------------------------- one thread


def generate_thread(*, comments: int, seed: int, slug: str, authors: int = 300,
                    start: datetime | None = None, bulk: bool = False) -> Any:
    """One article with a generated discussion; returns the article."""
    from django.utils import timezone

    from veche.newsroom.actions import save_article
    from veche.newsroom.models import Article, ArticleStatus

    plan = plan_thread(random.Random(seed), comments, authors)
    users = ensure_authors(seed, authors)
    start = start or timezone.now() - timedelta(days=2)
    article = save_article(
        Article(
            title=f"Benchmark article with {comments} comments",
            slug=slug,
            lead="A generated discussion for benchmarks.",
            body_markdown=plan.article_body,
            author=bench_desk(),
            status=ArticleStatus.PUBLISHED,
            published_at=start,
        )
    )
    write = write_thread_bulk if bulk else write_through_actions
    write(article.thread, plan, users, start)
    return article


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--comments", type=int, default=1000)
    parser.add_argument("--seed", type=int, default=1)
    parser.add_argument("--slug", default=None)
    parser.add_argument("--authors", type=int, default=300)
    parser.add_argument("--bulk", action="store_true",
                        help="write the same rows in bulk instead of through the actions")
    parser.add_argument("--start", type=datetime.fromisoformat, default=None,
                        help="ISO time of the first comment (default: two days ago); "
                        "with a time zone, e.g. 2026-01-01T00:00:00+00:00")
    parser.add_argument("--grow-articles", type=int, default=0,
                        help="instead of one thread: this many articles, in bulk")
    parser.add_argument("--grow-comments", type=int, default=0)
    parser.add_argument("--author-seed", type=int, default=None,
                        help="for --grow-*: the accounts of this seed write the comments")
    parser.add_argument("--budget", type=float, default=None, help="seconds, for --grow-*")
    parser.add_argument("--batch", type=int, default=500, help="articles per commit")
    args = parser.parse_args()

    os.environ.setdefault("DJANGO_SETTINGS_MODULE", "veche.config.settings")
    import django

    django.setup()
    from veche.newsroom.models import Article

    if args.grow_articles:
        import json

        summary = grow(articles=args.grow_articles, comments=args.grow_comments,
                       seed=args.seed, authors=args.authors, author_seed=args.author_seed,
                       start=args.start,
                       slug_prefix=args.slug, budget=args.budget, batch=args.batch)
        print(json.dumps(summary))
        return
    slug = args.slug or f"bench-{args.comments}-{args.seed}"
    if Article.objects.filter(slug=slug).exists():
        print(f"{slug}: already generated")
        return
    started = time.perf_counter()
    generate_thread(comments=args.comments, seed=args.seed, slug=slug, authors=args.authors,
                    start=args.start, bulk=args.bulk)
    took = time.perf_counter() - started
    how = "in bulk" if args.bulk else "through the actions"
    print(f"{slug}: {args.comments} comments {how} in {took:.1f} s -> /articles/{slug}/",
          file=sys.stderr)
    print(f"/articles/{slug}/")


if __name__ == "__main__":
    main()
