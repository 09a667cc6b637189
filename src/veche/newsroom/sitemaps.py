"""sitemap.xml: live articles, and the sections and authors that have some."""

from __future__ import annotations

from datetime import datetime
from urllib.parse import urlsplit

from django.conf import settings
from django.contrib.sitemaps import Sitemap
from django.db.models import QuerySet

from veche.newsroom import selectors
from veche.newsroom.models import Article, Author, Section


class SiteUrlSitemap(Sitemap):
    """Takes host and scheme from VECHE_SITE_URL rather than the sites framework's row,
    so the sitemap agrees with canonical URLs and feeds."""

    limit = 5000

    def get_protocol(self, protocol: str | None = None) -> str:
        return urlsplit(settings.VECHE_SITE_URL).scheme or "https"

    def get_domain(self, site: object = None) -> str:
        parts = urlsplit(settings.VECHE_SITE_URL)
        return parts.netloc + parts.path.rstrip("/")


class ArticleSitemap(SiteUrlSitemap):
    changefreq = "daily"

    def items(self) -> QuerySet[Article]:
        return selectors.live_articles()

    def lastmod(self, item: Article) -> datetime | None:
        return item.updated_at


class SectionSitemap(SiteUrlSitemap):
    changefreq = "hourly"

    def items(self) -> QuerySet[Section]:
        return selectors.sections_with_live_articles()


class AuthorSitemap(SiteUrlSitemap):
    changefreq = "weekly"

    def items(self) -> QuerySet[Author]:
        return selectors.authors_with_live_articles()


SITEMAPS: dict[str, type[Sitemap]] = {
    "articles": ArticleSitemap,
    "sections": SectionSitemap,
    "authors": AuthorSitemap,
}
