"""Export a generated Veche thread as JSON for the peers' loaders (bench/peers/).

    .venv/bin/python bench/export_thread.py SLUG OUT.json
"""

from __future__ import annotations

import json
import os
import sys


def main() -> None:
    slug, out = sys.argv[1:3]
    os.environ.setdefault("DJANGO_SETTINGS_MODULE", "veche.config.settings")
    import django

    django.setup()
    from veche.discussion.models import Comment
    from veche.newsroom.models import Article

    thread = Article.objects.get(slug=slug).thread
    rows = Comment.objects.filter(thread=thread).order_by("seq")
    data = [
        {
            "id": c.id,
            "parent": c.parent_id,
            "text": c.body_markdown,
            "author": c.author_name,
            "created": c.created_at.timestamp(),
        }
        for c in rows.only("id", "parent_id", "body_markdown", "author_name", "created_at")
    ]
    with open(out, "w") as f:
        json.dump(data, f)
    print(len(data))


if __name__ == "__main__":
    main()
