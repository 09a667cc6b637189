"""Prepare a benchmark database: a reader who may post (verified, past the new-user
premoderation) and an article whose thread takes the posting benchmark.

    .venv/bin/python bench/setup_bench.py   # prints JSON: thread ids by slug
"""

from __future__ import annotations

import json
import os
from datetime import timedelta

PASSWORD = "bench-Password-1"  # noqa: S105 - a throwaway account on a throwaway database


def main() -> None:
    os.environ.setdefault("DJANGO_SETTINGS_MODULE", "veche.config.settings")
    import django

    django.setup()
    from allauth.account.models import EmailAddress
    from django.utils import timezone

    from veche.accounts.models import User
    from veche.newsroom.actions import save_article
    from veche.newsroom.models import Article, ArticleStatus, Author

    user = User.objects.filter(username="benchreader").first()
    if user is None:
        user = User.objects.create_user("benchreader", "bench@example.org", PASSWORD)
        EmailAddress.objects.create(
            user=user, email="bench@example.org", verified=True, primary=True
        )
        old = timezone.now() - timedelta(days=400)
        User.objects.filter(pk=user.pk).update(date_joined=old)
    author, _ = Author.objects.get_or_create(slug="bench-desk", defaults={"name": "Bench Desk"})
    if not Article.objects.filter(slug="bench-post").exists():
        save_article(
            Article(
                title="Posting benchmark",
                slug="bench-post",
                lead="Posts land here.",
                body_markdown="Posting benchmark.",
                author=author,
                status=ArticleStatus.PUBLISHED,
                published_at=timezone.now() - timedelta(days=1),
            )
        )
    out = {a.slug: a.thread_id for a in Article.objects.filter(slug__startswith="bench-")}
    print(json.dumps(out))


if __name__ == "__main__":
    main()
