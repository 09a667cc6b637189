"""Comment.root's own index becomes (root, path): the replies of a page's top-level
comments are read by root in thread order, where SQLite had walked the whole thread
along (thread, path). The old index is dropped by name, not by AlterField, which on
SQLite would copy the whole comment table to change nothing else. On PostgreSQL both
happen CONCURRENTLY (not in one transaction), so posting goes on meanwhile."""

import django.db.models.deletion
from django.db import migrations, models

from veche.core.migration_ops import AddIndexOnline, drop_index_online

INDEX = "discussion_comment_root_id_f40ea2bb"  # the name Django gave it


class Migration(migrations.Migration):
    atomic = False

    dependencies = [
        ("discussion", "0003_comment_author_index_in_recent"),
    ]

    operations = [
        migrations.SeparateDatabaseAndState(
            state_operations=[
                migrations.AlterField(
                    model_name="comment",
                    name="root",
                    field=models.ForeignKey(
                        blank=True,
                        db_index=False,
                        null=True,
                        on_delete=django.db.models.deletion.PROTECT,
                        related_name="+",
                        to="discussion.comment",
                    ),
                ),
            ],
            database_operations=[
                drop_index_online(INDEX, "discussion_comment", ["root_id"]),
            ],
        ),
        AddIndexOnline(
            model_name="comment",
            index=models.Index(fields=["root", "path"], name="comment_root_path"),
        ),
    ]
