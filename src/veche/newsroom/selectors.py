"""Read-side queries of the newsroom. Views call these; they never build querysets."""

from __future__ import annotations

from zoneinfo import ZoneInfo, ZoneInfoNotFoundError

from django.conf import settings
from django.core.paginator import Page, Paginator
from django.db.models import Exists, OuterRef, QuerySet
from django.http import HttpRequest

from veche.core.site import current_publication
from veche.newsroom.models import Article, Author, Section

PAGE_SIZE = 20
FEED_SIZE = 30


def live_articles() -> QuerySet[Article]:
    """Live articles, newest first, with everything a listing shows in one query."""
    return (
        Article.objects.live()
        .select_related("author", "section", "thread")
        .order_by("-published_at", "-pk")
    )


def paginate(queryset: QuerySet[Article], page_number: int) -> Page:
    # get_page clamps: a page past the end shows the last one instead of an error.
    return Paginator(queryset, PAGE_SIZE).get_page(page_number)


def front_page(page_number: int) -> Page:
    return paginate(live_articles(), page_number)


def article_for_reader(slug: str, *, is_staff: bool) -> Article | None:
    """The article at `slug` if this reader may see it: live, or any state for staff."""
    queryset = Article.objects.live() if not is_staff else Article.objects.all()
    return (
        queryset.select_related("author", "section", "thread")
        .prefetch_related("tags")
        .filter(slug=slug)
        .first()
    )


def section_by_slug(slug: str) -> Section | None:
    return Section.objects.filter(slug=slug).first()


def section_articles(section: Section, page_number: int) -> Page:
    return paginate(live_articles().filter(section=section), page_number)


def author_by_slug(slug: str) -> Author | None:
    return Author.objects.filter(slug=slug).first()


def author_articles(author: Author, page_number: int) -> Page:
    return paginate(live_articles().filter(author=author), page_number)


def feed_articles() -> list[Article]:
    return list(live_articles()[:FEED_SIZE])


def sections_with_live_articles() -> QuerySet[Section]:
    # Exists rather than a join + distinct: one row per section, no duplicates.
    live = Article.objects.live().filter(section=OuterRef("pk"))
    return Section.objects.filter(Exists(live)).order_by("slug")


def authors_with_live_articles() -> QuerySet[Author]:
    live = Article.objects.live().filter(author=OuterRef("pk"))
    return Author.objects.filter(Exists(live)).order_by("slug")


def publication_zone(request: HttpRequest | None = None) -> ZoneInfo:
    """The publication's time zone; the server's if editors typed an unknown name."""
    try:
        return ZoneInfo(current_publication(request)["time_zone"])
    except (ZoneInfoNotFoundError, ValueError):
        return ZoneInfo(settings.TIME_ZONE)


def article_page_token(article_id: str | int) -> str | None:
    """What an anonymous reader's article page depends on, as one string (one query):
    the article's last save and its thread's version. None once the article is no
    longer live. The full-page cache (veche.core.pagecache) serves a stored page only
    while this is unchanged."""
    row = (
        Article.objects.live()
        .filter(pk=article_id)
        .values_list("pk", "updated_at", "thread_id", "thread__created_at", "thread__version")
        .first()
    )
    return page_token(*row) if row is not None else None


def page_token(article_id, updated_at, thread_id, thread_created_at, thread_version) -> str:
    stamp = updated_at.timestamp() if updated_at else 0
    born = thread_created_at.timestamp() if thread_created_at else 0
    return f"a{article_id}.{stamp:.6f}.t{thread_id}.{born:.6f}.v{thread_version}"
