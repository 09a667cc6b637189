"""Load a thread exported by bench/export_thread.py into the django-comments-xtd peer.

Run with the peer's interpreter (bench/.xtd-venv/bin/python), never Veche's; the
database is $XTD_DB (migrated here first):

    load.py article SLUG [THREAD.json]   # an article, with the thread's comments if given
    load.py count SLUG PREFIX            # comments on SLUG whose text starts with PREFIX
    load.py selfcheck                    # the loader's rows == XtdComment.save()'s rows

Prints one JSON line. XtdComment extends django_comments' Comment by multi-table
inheritance, which bulk_create refuses; so the base rows go in with bulk_create and the
xtd rows with one executemany, carrying the same tree fields XtdComment.save() would have
computed had each comment been posted in the thread's order (checked at the end).
"""

from __future__ import annotations

import json
import os
import random
import sys
from datetime import UTC, datetime
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent))
os.environ.setdefault("DJANGO_SETTINGS_MODULE", "xtdbench.settings")

import django

django.setup()

from django.conf import settings  # noqa: E402
from django.contrib.contenttypes.models import ContentType  # noqa: E402
from django.core.management import call_command  # noqa: E402
from django.db import connection, transaction  # noqa: E402
from django_comments.models import Comment  # noqa: E402
from django_comments_xtd.models import XtdComment  # noqa: E402
from xtdbench.models import Article  # noqa: E402


def tree_fields(comments: list[dict]) -> dict[int, dict]:
    """Per exported id: level, root id, 1-based order within the root's thread (pre-order,
    siblings oldest first, as xtd inserts a reply after its parent's last descendant) and
    nested_count (all descendants, as xtd bumps every ancestor)."""
    children: dict[int, list[int]] = {}
    roots: list[int] = []
    for c in comments:
        (children.setdefault(c["parent"], []) if c["parent"] else roots).append(c["id"])
    out: dict[int, dict] = {}
    for root in roots:
        order = 0
        stack: list[tuple[int, int, list[int]]] = [(root, 0, [])]
        while stack:
            cid, level, ancestors = stack.pop()
            order += 1
            out[cid] = {"level": level, "root": root, "order": order, "nested_count": 0}
            for a in ancestors:
                out[a]["nested_count"] += 1
            for child in reversed(children.get(cid, [])):
                stack.append((child, level + 1, [*ancestors, cid]))
    return out


def load(article: Article, comments: list[dict]) -> int:
    fields = tree_fields(comments)
    deepest = max((f["level"] for f in fields.values()), default=0)
    if deepest > settings.COMMENTS_XTD_MAX_THREAD_LEVEL:
        raise SystemExit(f"thread is {deepest} levels deep; raise COMMENTS_XTD_MAX_THREAD_LEVEL")
    ctype = ContentType.objects.get_for_model(Article)
    email = {}
    base = []
    for c in comments:
        # xtd shows an avatar per e-mail address; one stable address per author.
        email.setdefault(c["author"], f"reader{len(email)}@example.org")
        base.append(Comment(
            content_type=ctype, object_pk=str(article.pk), site_id=settings.SITE_ID,
            user_name=c["author"][:50], user_email=email[c["author"]], user_url="",
            comment=c["text"], submit_date=datetime.fromtimestamp(c["created"], tz=UTC),
            ip_address="127.0.0.1", is_public=True, is_removed=False,
        ))
    with transaction.atomic():
        Comment.objects.bulk_create(base, batch_size=500)
        new_id = {c["id"]: row.pk for c, row in zip(comments, base, strict=True)}
        meta = XtdComment._meta
        columns = ["comment_ptr", "thread_id", "parent_id", "level", "order", "followup",
                   "nested_count"]
        names = ", ".join(connection.ops.quote_name(meta.get_field(f).column) for f in columns)
        marks = ", ".join(["%s"] * len(columns))
        rows = []
        for c in comments:
            f, me = fields[c["id"]], new_id[c["id"]]
            parent = new_id[c["parent"]] if c["parent"] else me  # a root is its own parent
            rows.append((me, new_id[f["root"]], parent, f["level"], f["order"], False,
                         f["nested_count"]))
        with connection.cursor() as cursor:
            table = connection.ops.quote_name(meta.db_table)
            cursor.executemany(f"INSERT INTO {table} ({names}) VALUES ({marks})", rows)  # noqa: S608
    check(article, comments, new_id)
    return len(rows)


def check(article: Article, comments: list[dict], new_id: dict[int, int]) -> None:
    """xtd lists a thread by (thread_id, order): that must be a pre-order walk in which
    every comment follows its parent one level up."""
    listed = list(XtdComment.objects.filter(object_pk=str(article.pk)).values_list(
        "pk", "parent_id", "level", "thread_id"))
    if len(listed) != len(comments):
        raise SystemExit(f"{len(listed)} rows for {len(comments)} comments")
    level_of: dict[int, int] = {}
    path: list[int] = []
    for pk, parent, level, thread in listed:
        if parent == pk:
            if level != 0 or thread != pk:
                raise SystemExit(f"root {pk} has level {level}, thread {thread}")
            path = [pk]
        else:
            if level != level_of.get(parent, -2) + 1 or parent not in path:
                raise SystemExit(f"comment {pk} is not listed under its parent {parent}")
            path = [*path[: path.index(parent) + 1], pk]
        level_of[pk] = level
    listed_parent = {pk: parent for pk, parent, _level, _thread in listed}
    for c in comments:
        pk = new_id[c["id"]]
        if listed_parent[pk] != (new_id[c["parent"]] if c["parent"] else pk):
            raise SystemExit(f"comment {pk} lost its parent")


def selfcheck(size: int = 150) -> dict:
    """Post a random thread one comment at a time through XtdComment.save() (what xtd's
    form and API do) and load the same thread with load(): the tree fields must match."""
    rng = random.Random(size)
    comments: list[dict] = []
    for i in range(1, size + 1):
        parent = rng.choice(comments)["id"] if comments and rng.random() > 0.3 else None
        comments.append({"id": i, "parent": parent, "text": f"selfcheck {i}",
                         "author": f"a{i % 7}", "created": 1.7e9 + i})
    posted = Article.objects.create(title="posted", slug=f"selfcheck-posted-{os.getpid()}",
                                    body="", publish=datetime.now(tz=UTC))
    loaded = Article.objects.create(title="loaded", slug=f"selfcheck-loaded-{os.getpid()}",
                                    body="", publish=datetime.now(tz=UTC))
    ctype = ContentType.objects.get_for_model(Article)
    try:
        pk_of: dict[int, int] = {}
        for c in comments:
            row = XtdComment(
                content_type=ctype, object_pk=str(posted.pk), site_id=settings.SITE_ID,
                user_name=c["author"], user_email="x@example.org", comment=c["text"],
                submit_date=datetime.fromtimestamp(c["created"], tz=UTC),
                parent_id=pk_of[c["parent"]] if c["parent"] else 0,
            )
            row.save()
            pk_of[c["id"]] = row.pk
        load(loaded, comments)

        def shape(article: Article) -> list[tuple]:
            rows = list(XtdComment.objects.filter(object_pk=str(article.pk)))
            index = {r.pk: n for n, r in enumerate(sorted(rows, key=lambda r: r.pk))}
            return [(index[r.pk], index[r.parent_id], index[r.thread_id], r.level, r.order,
                     r.nested_count, r.comment) for r in rows]

        if shape(posted) != shape(loaded):
            raise SystemExit("load() does not give the rows XtdComment.save() gives")
        return {"selfcheck": "ok", "comments": size}
    finally:
        for article in (posted, loaded):
            Comment.objects.filter(object_pk=str(article.pk)).delete()
            article.delete()


def main() -> None:
    command, *args = sys.argv[1:]
    call_command("migrate", verbosity=0)
    if command == "selfcheck":
        print(json.dumps(selfcheck()))
        return
    slug, *rest = args
    if command == "count":
        article = Article.objects.get(slug=slug)
        q = XtdComment.objects.filter(object_pk=str(article.pk), comment__startswith=rest[0])
        print(json.dumps({"rows": q.count(),
                          "distinct": q.values("comment").distinct().count()}))
        return
    comments: list[dict] = []
    if rest:
        with open(rest[0]) as f:
            comments = json.load(f)
    article = Article.objects.create(
        title=f"Benchmark article with {len(comments)} comments", slug=slug,
        body="A generated discussion for benchmarks.",
        publish=datetime.fromtimestamp(comments[0]["created"], tz=UTC) if comments
        else datetime.now(tz=UTC),
    )
    print(json.dumps({"slug": slug, "pk": article.pk, "comments": load(article, comments)}))


if __name__ == "__main__":
    main()
