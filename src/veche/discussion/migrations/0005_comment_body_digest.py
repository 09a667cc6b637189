"""Comment.body_digest and its (author, body_digest) index: posting's duplicate check
finds the same text by the author through the index, where it read every comment the
author had written that day. Comment.thread's own index goes: (thread, path) and
(thread, seq) serve every lookup by thread, so a post writes as many index entries as
before.

Written for a big, busy PostgreSQL database: not one transaction (atomic = False). The
column comes with a database default (instant, and a server still running the code
before it can go on posting), the digests are filled in batches of their own, and the
indexes are built and dropped CONCURRENTLY, so posting goes on meanwhile."""

import django.db.models.deletion
from django.db import migrations, models, transaction

from veche.core.migration_ops import AddIndexOnline, drop_index_online
from veche.discussion.text import body_digest

THREAD_INDEX = "discussion_comment_thread_id_f0db2e1e"  # the name Django gave it
BATCH = 2000


def fill_digests(apps, schema_editor):
    Comment = apps.get_model("discussion", "Comment")
    alias = schema_editor.connection.alias
    # Rows still without a digest, by primary key: an interrupted run resumes.
    last = 0
    while True:
        rows = list(Comment.objects.using(alias).filter(pk__gt=last, body_digest=0)
                    .exclude(body_markdown="").order_by("pk")
                    .values_list("pk", "body_markdown")[:BATCH])
        if not rows:
            return
        with transaction.atomic(using=alias):
            Comment.objects.using(alias).bulk_update(
                [Comment(pk=pk, body_digest=body_digest(text)) for pk, text in rows],
                ["body_digest"])
        last = rows[-1][0]


class Migration(migrations.Migration):
    atomic = False

    dependencies = [
        ("discussion", "0004_comment_root_path_index"),
    ]

    operations = [
        migrations.AddField(
            model_name="comment",
            name="body_digest",
            field=models.BigIntegerField(db_default=0, default=0),
        ),
        migrations.RunPython(fill_digests, migrations.RunPython.noop),
        AddIndexOnline(
            model_name="comment",
            index=models.Index(fields=["author", "body_digest"], name="comment_author_digest"),
        ),
        migrations.SeparateDatabaseAndState(
            state_operations=[
                migrations.AlterField(
                    model_name="comment",
                    name="thread",
                    field=models.ForeignKey(
                        db_index=False,
                        on_delete=django.db.models.deletion.CASCADE,
                        related_name="comments",
                        to="discussion.thread",
                    ),
                ),
            ],
            database_operations=[
                drop_index_online(THREAD_INDEX, "discussion_comment", ["thread_id"]),
            ],
        ),
    ]
