"""State changes of the publication. The admin, importers and commands call these."""

from __future__ import annotations

from datetime import datetime, timedelta

from django.conf import settings
from django.db import transaction
from django.utils import timezone

from veche.core.markup import render_article_markdown
from veche.core.site import forget_publication
from veche.discussion import actions as discussion
from veche.newsroom.models import Article, ArticleStatus, Publication


@transaction.atomic
def save_article(article: Article) -> Article:
    """Save an article: render its body, and give it a thread that mirrors its state."""
    article.body_html = render_article_markdown(article.body_markdown)
    article.save()
    sync_article_thread(article)
    return article


def article_moderation_mode(article: Article) -> str:
    """The article's own mode, else its section's, else the site default."""
    section_mode = article.section.moderation_mode if article.section_id else ""
    return article.moderation_mode or section_mode or settings.VECHE_MODERATION_MODE


def sync_article_thread(article: Article) -> None:
    thread = article.thread or discussion.get_or_create_thread(
        article.target_key, title=article.title, url=article.get_absolute_url()
    )
    closes_at = None
    days = settings.VECHE_CLOSE_AFTER_DAYS
    # Set once: a closing time an editor later sets on the thread itself stays.
    if days is not None and article.published_at and thread.closes_at is None:
        closes_at = article.published_at + timedelta(days=days)
    discussion.update_thread(
        thread, title=article.title, url=article.get_absolute_url(),
        is_open=article.comments_open, moderation_mode=article_moderation_mode(article),
        closes_at=closes_at,
    )
    if article.thread_id != thread.pk:
        article.thread = thread
        Article.objects.filter(pk=article.pk).update(thread=thread)


def publish_article(article: Article, *, at: datetime | None = None) -> Article:
    """Publish now, or schedule for `at`: a future time keeps it hidden until then.

    No job is needed for scheduled articles: `Article.objects.live()` compares
    published_at with the clock at query time.
    """
    now = timezone.now()
    when = at or article.published_at or now
    if at is None and when > now:
        when = now  # "publish" with no time given means now, not a stale future time
    article.published_at = when
    article.status = ArticleStatus.SCHEDULED if when > now else ArticleStatus.PUBLISHED
    return save_article(article)


def unpublish_article(article: Article) -> Article:
    """Back to draft; the page disappears for readers, the discussion is kept."""
    article.status = ArticleStatus.DRAFT
    return save_article(article)


def set_comments_open(article: Article, is_open: bool) -> Article:
    article.comments_open = is_open
    article.save(update_fields=["comments_open", "updated_at"])
    sync_article_thread(article)
    return article


def save_publication(publication: Publication) -> Publication:
    """Save the masthead and drop the cached copy every page reads."""
    publication.save()
    # Forget now, so this request's redirect shows the new name, and again after the
    # commit, in case another request cached the old row in between.
    forget_publication()
    transaction.on_commit(forget_publication)
    return publication


def delete_publication(publication: Publication) -> None:
    publication.delete()
    forget_publication()
    transaction.on_commit(forget_publication)
