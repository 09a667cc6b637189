"""Comment.author loses its own index: comment_author_recent (author, created_at)
serves every lookup by author. The index is dropped by name, not by AlterField, which
on SQLite would copy the whole comment table to change nothing else."""

import django.db.models.deletion
from django.conf import settings
from django.db import migrations, models

INDEX = "discussion_comment_author_id_e6fa51d3"  # the name Django gave it


class Migration(migrations.Migration):

    dependencies = [
        ("discussion", "0002_author_tally"),
        migrations.swappable_dependency(settings.AUTH_USER_MODEL),
    ]

    operations = [
        migrations.SeparateDatabaseAndState(
            state_operations=[
                migrations.AlterField(
                    model_name="comment",
                    name="author",
                    field=models.ForeignKey(
                        blank=True,
                        db_index=False,
                        null=True,
                        on_delete=django.db.models.deletion.SET_NULL,
                        related_name="comments",
                        to=settings.AUTH_USER_MODEL,
                    ),
                ),
            ],
            database_operations=[
                migrations.RunSQL(
                    f"DROP INDEX IF EXISTS {INDEX}",
                    reverse_sql=f'CREATE INDEX {INDEX} ON "discussion_comment" ("author_id")',
                ),
            ],
        ),
    ]
