"""Generate a realistic discussion, deterministically from a seed.

About 30% top-level comments, replies to random earlier comments up to depth 8,
bodies of 50-1,500 characters (median about 300) with some Markdown and quotes,
300 authors, votes. Writes through the same actions as the site (do_create_comment,
vote_comment's counters via the Vote rows), so the rows are the real thing.

    .venv/bin/python bench/generate.py --comments 1000 --seed 1 --slug bench-1000
"""

from __future__ import annotations

import argparse
import os
import random
import sys
import time
from datetime import timedelta

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


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--comments", type=int, default=1000)
    parser.add_argument("--seed", type=int, default=1)
    parser.add_argument("--slug", default=None)
    parser.add_argument("--authors", type=int, default=300)
    args = parser.parse_args()

    os.environ.setdefault("DJANGO_SETTINGS_MODULE", "veche.config.settings")
    import django

    django.setup()
    from django.db import transaction
    from django.utils import timezone

    from veche.accounts.models import User
    from veche.core.markup import render_comment_markdown
    from veche.discussion.actions import do_create_comment, wilson_lower_bound
    from veche.discussion.models import Comment, Vote
    from veche.newsroom.actions import save_article
    from veche.newsroom.models import Article, ArticleStatus, Author

    rng = random.Random(args.seed)
    slug = args.slug or f"bench-{args.comments}-{args.seed}"
    if Article.objects.filter(slug=slug).exists():
        print(f"{slug}: already generated")
        return
    started = time.perf_counter()
    names = [f"bench_{args.seed}_{i}" for i in range(args.authors)]
    existing = set(User.objects.filter(username__in=names).values_list("username", flat=True))
    User.objects.bulk_create(
        [
            User(username=n, display_name=n.replace("_", " ").title(), password="!")
            for n in names
            if n not in existing
        ]
    )
    users = list(User.objects.filter(username__in=names))
    author, _ = Author.objects.get_or_create(slug="bench-desk", defaults={"name": "Bench Desk"})
    start = timezone.now() - timedelta(days=2)
    article = save_article(
        Article(
            title=f"Benchmark article with {args.comments} comments",
            slug=slug,
            lead="A generated discussion for benchmarks.",
            body_markdown=body(rng),
            author=author,
            status=ArticleStatus.PUBLISHED,
            published_at=start,
        )
    )
    thread = article.thread
    made: list[Comment] = []
    by_id: dict[int, Comment] = {}
    with transaction.atomic():
        for i in range(args.comments):
            parent = None
            if made and rng.random() > 0.3:
                parent = rng.choice(made)
                if parent.depth >= 7:  # depth 8 at most: reply to its parent instead
                    parent = by_id[parent.parent_id]
            quoted, quoted_text = None, ""
            if parent is not None and rng.random() < 0.2:
                quoted = parent
                quoted_text = parent.body_markdown[:80].strip()
            text = body(rng)
            user = rng.choice(users)
            comment = do_create_comment(
                thread=thread,
                author=user,
                author_name=user.public_name,
                body_markdown=text,
                body_html=render_comment_markdown(text),
                parent=parent,
                quoted_comment=quoted,
                quoted_text=quoted_text,
                created_at=start + timedelta(seconds=30 * i),
            )
            made.append(comment)
            by_id[comment.pk] = comment
        votes = []
        for comment in rng.sample(made, k=len(made) // 3):
            voters = rng.sample(users, k=rng.randint(1, 6))
            for voter in voters:
                if voter.pk != comment.author_id:
                    votes.append(Vote(comment=comment, user=voter, value=rng.choice([1, 1, -1])))
        Vote.objects.bulk_create(votes, ignore_conflicts=True)
        tally: dict[int, list[int]] = {}
        for v in votes:
            tally.setdefault(v.comment_id, [0, 0])[0 if v.value == 1 else 1] += 1
        for comment_id, (ups, downs) in tally.items():
            Comment.objects.filter(pk=comment_id).update(
                upvotes=ups,
                downvotes=downs,
                score=ups - downs,
                wilson=wilson_lower_bound(ups, downs),
            )
    took = time.perf_counter() - started
    print(f"{slug}: {args.comments} comments in {took:.1f} s -> /articles/{slug}/", file=sys.stderr)
    print(f"/articles/{slug}/")


if __name__ == "__main__":
    main()
