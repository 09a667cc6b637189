from __future__ import annotations

from django_tasks import task


@task()
def recheck_comment(comment_id: int) -> str:
    """Re-check a comment the scorer did not answer for at posting time."""
    from veche.moderation.classifier.checks import recheck

    return str(recheck(comment_id))
