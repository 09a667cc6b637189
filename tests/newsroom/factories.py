"""Newsroom test data, made through newsroom.actions like the admin and importers do."""

from __future__ import annotations

import itertools
from datetime import datetime, timedelta

from django.utils import timezone

from veche.newsroom import actions
from veche.newsroom.models import Article, ArticleStatus, Author, Publication, Section, Tag

_n = itertools.count(1)


def make_publication(name: str = "The Daily Veche", **fields) -> Publication:
    return actions.save_publication(Publication(name=name, **fields))


def make_author(name: str | None = None, **fields) -> Author:
    n = next(_n)
    return Author.objects.create(
        name=name or f"Author {n}", slug=fields.pop("slug", f"author-{n}"), **fields
    )


def make_section(name: str | None = None, **fields) -> Section:
    n = next(_n)
    return Section.objects.create(
        name=name or f"Section {n}", slug=fields.pop("slug", f"section-{n}"), **fields
    )


def make_tag(name: str | None = None) -> Tag:
    n = next(_n)
    return Tag.objects.create(name=name or f"Tag {n}", slug=f"tag-{n}")


def make_article(
    title: str | None = None,
    *,
    status: str = ArticleStatus.PUBLISHED,
    published_at: datetime | None = None,
    author: Author | None = None,
    tags: list[Tag] = (),
    **fields,
) -> Article:
    """A live article unless told otherwise: published an hour ago."""
    n = next(_n)
    if published_at is None and status != ArticleStatus.DRAFT:
        published_at = timezone.now() - timedelta(hours=1, minutes=n)
    article = Article(
        title=title or f"Article {n}",
        slug=fields.pop("slug", f"article-{n}"),
        lead=fields.pop("lead", f"The lead of article {n}."),
        body_markdown=fields.pop("body_markdown", f"Body of *article* {n}."),
        author=author or make_author(),
        status=status,
        published_at=published_at,
        **fields,
    )
    actions.save_article(article)
    if tags:
        article.tags.set(tags)
    return article
