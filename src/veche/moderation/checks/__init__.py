"""The posting checks, one small module each, registered with discussion.hooks in
ModerationConfig.ready(). Content checks look only at the text (the classifier's
evaluation uses them through pipeline.content_verdicts); the others look at the author,
the thread and the request."""

from __future__ import annotations

from veche.discussion import hooks


def register_all() -> None:
    from veche.moderation.checks import (
        duplicates,
        flood,
        history,
        links,
        modes,
        words,
    )
    from veche.moderation.checks.context import annotations as author_facts

    # What the checks read about the author comes with posting's one query of their row.
    hooks.register_fact_source(author_facts)
    hooks.register_fact_source(duplicates.annotations)

    # Flood first: a refused request should cost no database work.
    hooks.register_check(flood.check, start=flood.start)
    for check in (
        modes.site_mode,
        modes.user_mode,
        modes.new_user,
        words.check,
        links.check,
        duplicates.check,
        history.check,
    ):
        hooks.register_check(check)
