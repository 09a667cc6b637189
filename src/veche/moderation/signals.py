"""Keep compiled lists fresh: any change to an entry bumps its list's version."""

from __future__ import annotations

from typing import Any

from django.db.models.signals import post_delete, post_save

from veche.moderation import versions


def connect() -> None:
    from veche.moderation.models import BlockedDomain, DesignatedOrganisation, WordListEntry

    for model, name in (
        (WordListEntry, versions.WORDS),
        (BlockedDomain, versions.DOMAINS),
        (DesignatedOrganisation, versions.LABELS),
    ):
        def bump(sender: Any, _name: str = name, **kwargs: Any) -> None:
            versions.bump(_name)

        post_save.connect(bump, sender=model, weak=False, dispatch_uid=f"veche-mod-{name}-save")
        post_delete.connect(bump, sender=model, weak=False, dispatch_uid=f"veche-mod-{name}-del")


def connect_sections() -> None:
    """A section's new moderation mode reaches the threads of its articles that do not
    set their own (their threads carry the effective mode)."""
    from veche.newsroom.models import Section

    def resync(sender: Any, instance: Any, **kwargs: Any) -> None:
        from veche.discussion.actions import update_thread
        from veche.newsroom.actions import article_moderation_mode

        own_mode_unset = instance.articles.filter(moderation_mode="").exclude(thread=None)
        for article in own_mode_unset.select_related("thread", "section"):
            update_thread(article.thread, moderation_mode=article_moderation_mode(article))

    post_save.connect(resync, sender=Section, weak=False, dispatch_uid="veche-mod-section")
