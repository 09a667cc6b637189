"""State changes of the publication. The admin, importers and commands call these."""

from __future__ import annotations

from django.db import transaction

from veche.core.markup import render_article_markdown
from veche.discussion import actions as discussion
from veche.newsroom.models import Article


@transaction.atomic
def save_article(article: Article) -> Article:
    """Save an article: render its body, and give it a thread that mirrors its state."""
    article.body_html = render_article_markdown(article.body_markdown)
    article.save()
    sync_article_thread(article)
    return article


def sync_article_thread(article: Article) -> None:
    thread = article.thread or discussion.get_or_create_thread(
        article.target_key, title=article.title, url=article.get_absolute_url()
    )
    discussion.update_thread(
        thread, title=article.title, url=article.get_absolute_url(),
        is_open=article.comments_open,
    )
    if article.thread_id != thread.pk:
        article.thread = thread
        Article.objects.filter(pk=article.pk).update(thread=thread)
