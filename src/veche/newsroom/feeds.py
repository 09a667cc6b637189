"""RSS and Atom feeds of live articles.

Links are built from VECHE_SITE_URL: the syndication framework leaves absolute URLs
alone, so feeds never show the sites framework's placeholder domain.
"""

from __future__ import annotations

from datetime import datetime

from django.conf import settings
from django.contrib.syndication.views import Feed
from django.urls import reverse
from django.utils.feedgenerator import Atom1Feed, Rss201rev2Feed

from veche.core.site import current_publication
from veche.newsroom import selectors
from veche.newsroom.models import Article


def absolute(path: str) -> str:
    return settings.VECHE_SITE_URL.rstrip("/") + path


class LatestArticlesRss(Feed):
    feed_type = Rss201rev2Feed

    def title(self) -> str:
        return current_publication()["name"]

    def description(self) -> str:
        return current_publication()["tagline"]

    def link(self) -> str:
        return absolute(reverse("newsroom:home"))

    def feed_url(self) -> str:
        return absolute(reverse("newsroom:feed_rss"))

    def items(self) -> list[Article]:
        return selectors.feed_articles()

    def item_title(self, item: Article) -> str:
        return item.title

    def item_description(self, item: Article) -> str:
        return item.lead

    def item_link(self, item: Article) -> str:
        return absolute(item.get_absolute_url())

    def item_author_name(self, item: Article) -> str:
        return item.author.name

    def item_author_link(self, item: Article) -> str:
        return absolute(item.author.get_absolute_url())

    def item_pubdate(self, item: Article) -> datetime | None:
        return item.published_at

    def item_updateddate(self, item: Article) -> datetime | None:
        return item.updated_at

    def item_categories(self, item: Article) -> list[str]:
        return [item.section.name] if item.section is not None else []


class LatestArticlesAtom(LatestArticlesRss):
    feed_type = Atom1Feed

    def subtitle(self) -> str:
        return current_publication()["tagline"]

    def feed_url(self) -> str:
        return absolute(reverse("newsroom:feed_atom"))
