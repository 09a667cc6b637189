"""Reader-facing pages of the publication. Thin: parse the request, ask a selector,
render a template."""

from __future__ import annotations

from typing import Any

from django.conf import settings
from django.http import Http404, HttpRequest, HttpResponse
from django.shortcuts import render
from django.utils import timezone
from django.utils.cache import patch_cache_control

from veche.core import pagecache
from veche.core.site import current_publication
from veche.discussion.selectors import DEFAULT_SORT, SORTS
from veche.discussion.web import render_discussion
from veche.newsroom import selectors, seo
from veche.newsroom.models import Article, ArticleStatus


def page_number(request: HttpRequest) -> int:
    """?page=N as a positive int; garbage means the first page, never an error."""
    try:
        return max(1, int(request.GET.get("page", "1")))
    except ValueError:
        return 1


def sort_order(request: HttpRequest) -> str:
    """?sort= if the discussion knows that order, else its default."""
    sort = request.GET.get("sort", DEFAULT_SORT)
    return sort if sort in SORTS else DEFAULT_SORT


def _render(
    request: HttpRequest, template: str, context: dict[str, Any], status: int = 200
) -> HttpResponse:
    # Every newsroom page shows dates in the publication's zone, not the server's.
    context = {"zone": selectors.publication_zone(request), **context}
    return render(request, template, context, status=status)


def home(request: HttpRequest) -> HttpResponse:
    page = selectors.front_page(page_number(request))
    return _render(request, "newsroom/home.html", {"page": page})


def article(request: HttpRequest, slug: str) -> HttpResponse:
    is_staff = bool(getattr(request.user, "is_staff", False))
    item = selectors.article_for_reader(slug, is_staff=is_staff)
    if item is None:
        raise Http404("No such article.")
    url = item.get_absolute_url()
    canonical = seo.canonical_url(settings.VECHE_SITE_URL, item)
    thread = item.thread
    # The same page for every anonymous reader: a version token names it, for ETags,
    # 304s and the full-page cache (veche.core.pagecache).
    token = None
    if item.is_live and not request.user.is_authenticated:
        token = selectors.page_token(
            item.pk,
            item.updated_at,
            thread.pk if thread else None,
            thread.created_at if thread else None,
            thread.version if thread else None,
        )
        unchanged = pagecache.not_modified(request, token)
        if unchanged is not None:
            return unchanged
    zone = selectors.publication_zone(request)
    discussion = None
    # A draft's preview shows no discussion: readers cannot reach it to take part.
    if item.is_live and thread is not None:
        # Comment times in the same zone as the article's date, not the server's.
        with timezone.override(zone):
            discussion = render_discussion(
                request, thread, page=page_number(request), sort=sort_order(request),
                base_url=url,
            )
    publication_name = current_publication(request)["name"]
    jsonld = seo.article_jsonld(
        item,
        url=canonical,
        publication_name=publication_name,
        site_url=settings.VECHE_SITE_URL,
        comment_count=thread.comment_count if thread is not None else 0,
        comments=discussion.jsonld_comments if discussion is not None else None,
        zone=zone,
    )
    response = _render(
        request,
        "newsroom/article.html",
        {
            "article": item,
            "canonical_url": canonical,
            "discussion": discussion,
            "jsonld": seo.jsonld_script(jsonld),
            "published_iso": seo.iso(item.published_at, zone),
            "modified_iso": seo.iso(item.updated_at, zone),
            "tags": list(item.tags.all()),
            "preview": preview_state(item),
        },
    )
    if not item.is_live:
        # A staff preview must never land in a shared cache and be served to readers.
        patch_cache_control(response, private=True, no_store=True)
    elif token is not None:
        pagecache.mark_cacheable(
            request,
            response,
            token=token,
            validator="veche.newsroom.selectors.article_page_token",
            arg=str(item.pk),
            seconds=_cache_seconds(thread),
        )
    else:
        patch_cache_control(response, private=True, no_cache=True)
    return response


def _cache_seconds(thread: Any) -> int:
    """How long a stored anonymous page may live: the thread's closing time (which
    changes the page without a new version) bounds the usual limit."""
    seconds = settings.VECHE_PAGE_CACHE_SECONDS
    closes_at = getattr(thread, "closes_at", None)
    if closes_at is not None:
        left = (closes_at - timezone.now()).total_seconds()
        if left > 0:
            seconds = min(seconds, int(left))
    return max(seconds, 0)


def preview_state(item: Article) -> str | None:
    """Why staff see a banner: "draft", "scheduled" (time not come), "undated"; None
    when the article is live."""
    if item.is_live:
        return None
    if item.status == ArticleStatus.DRAFT:
        return "draft"
    if item.published_at is not None and item.published_at > timezone.now():
        return "scheduled"
    return "undated"


def section(request: HttpRequest, slug: str) -> HttpResponse:
    found = selectors.section_by_slug(slug)
    if found is None:
        raise Http404("No such section.")
    page = selectors.section_articles(found, page_number(request))
    return _render(request, "newsroom/section.html", {"section": found, "page": page})


def author(request: HttpRequest, slug: str) -> HttpResponse:
    found = selectors.author_by_slug(slug)
    if found is None:
        raise Http404("No such author.")
    page = selectors.author_articles(found, page_number(request))
    return _render(request, "newsroom/author.html", {"author": found, "page": page})


def not_found(request: HttpRequest, exception: Exception | None = None) -> HttpResponse:
    """handler404: our page, with the masthead, for unknown and unpublished addresses."""
    return render(request, "404.html", {"request_path": request.path}, status=404)
