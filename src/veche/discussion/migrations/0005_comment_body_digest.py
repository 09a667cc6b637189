"""Comment.body_digest and its (author, body_digest) index: posting's duplicate check
finds the same text by the author through the index, where it read every comment the
author had written that day. Comment.thread's own index goes (dropped by name, as in
0004): (thread, path) and (thread, seq) serve every lookup by thread, so a post writes
as many index entries as before."""

import django.db.models.deletion
from django.db import migrations, models

from veche.discussion.text import body_digest

THREAD_INDEX = "discussion_comment_thread_id_f0db2e1e"  # the name Django gave it
BATCH = 2000


def fill_digests(apps, schema_editor):
    Comment = apps.get_model("discussion", "Comment")
    texts = (Comment.objects.using(schema_editor.connection.alias)
             .exclude(body_markdown="").order_by("pk").values_list("pk", "body_markdown"))
    batch = []
    for pk, text in texts.iterator(chunk_size=BATCH):
        batch.append(Comment(pk=pk, body_digest=body_digest(text)))
        if len(batch) == BATCH:
            Comment.objects.bulk_update(batch, ["body_digest"])
            batch.clear()
    if batch:
        Comment.objects.bulk_update(batch, ["body_digest"])


class Migration(migrations.Migration):

    dependencies = [
        ("discussion", "0004_comment_root_path_index"),
    ]

    operations = [
        migrations.AddField(
            model_name="comment",
            name="body_digest",
            field=models.BigIntegerField(default=0),
        ),
        migrations.RunPython(fill_digests, migrations.RunPython.noop),
        migrations.AddIndex(
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
                migrations.RunSQL(
                    f"DROP INDEX IF EXISTS {THREAD_INDEX}",
                    reverse_sql=f'CREATE INDEX {THREAD_INDEX} ON "discussion_comment" '
                                '("thread_id")',
                ),
            ],
        ),
    ]
