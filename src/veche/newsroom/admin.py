"""The editors' desk. Every save goes through newsroom.actions, so an article's
body_html and discussion thread, and the cached masthead, never go stale."""

from __future__ import annotations

from typing import Any

from django.contrib import admin, messages
from django.db.models import QuerySet
from django.http import HttpRequest

from veche.newsroom import actions
from veche.newsroom.models import Article, ArticleStatus, Author, Publication, Section, Tag


@admin.register(Publication)
class PublicationAdmin(admin.ModelAdmin):
    list_display = ("name", "tagline", "time_zone", "language")

    def has_add_permission(self, request: HttpRequest) -> bool:
        # One masthead: the site reads the first row, a second one would be ignored.
        return super().has_add_permission(request) and not Publication.objects.exists()

    def save_model(self, request: HttpRequest, obj: Publication, form: Any, change: bool) -> None:
        actions.save_publication(obj)

    def delete_model(self, request: HttpRequest, obj: Publication) -> None:
        actions.delete_publication(obj)

    def delete_queryset(self, request: HttpRequest, queryset: QuerySet[Publication]) -> None:
        for publication in queryset:
            actions.delete_publication(publication)


@admin.register(Section)
class SectionAdmin(admin.ModelAdmin):
    list_display = ("name", "slug")
    search_fields = ("name", "slug")
    prepopulated_fields = {"slug": ("name",)}


@admin.register(Tag)
class TagAdmin(admin.ModelAdmin):
    list_display = ("name", "slug")
    search_fields = ("name", "slug")
    prepopulated_fields = {"slug": ("name",)}


@admin.register(Author)
class AuthorAdmin(admin.ModelAdmin):
    list_display = ("name", "slug", "user")
    search_fields = ("name", "slug", "user__username")
    prepopulated_fields = {"slug": ("name",)}
    raw_id_fields = ("user",)
    list_select_related = ("user",)


@admin.register(Article)
class ArticleAdmin(admin.ModelAdmin):
    list_display = (
        "title", "status", "published_at", "author", "section", "is_exclusive",
        "comments_open",
    )
    list_filter = ("status", "section", "is_exclusive", "comments_open", "language")
    list_select_related = ("author", "section")
    search_fields = ("title", "slug", "lead", "author__name")
    prepopulated_fields = {"slug": ("title",)}
    date_hierarchy = "published_at"
    autocomplete_fields = ("author", "section", "tags")
    readonly_fields = ("thread", "import_key", "updated_at")
    fieldsets = (
        (None, {"fields": ("title", "slug", "lead", "body_markdown")}),
        ("Byline and place", {"fields": ("author", "is_exclusive", "section", "tags", "language")}),
        (
            "Publication",
            {
                "fields": ("status", "published_at", "comments_open"),
                "description": (
                    "“Scheduled” with a future time stays hidden until that time; "
                    "“Published” with no time is published now."
                ),
            },
        ),
        ("Records", {"classes": ("collapse",), "fields": ("thread", "import_key", "updated_at")}),
    )
    actions = ("publish_now", "make_draft", "open_comments", "close_comments")

    def save_model(self, request: HttpRequest, obj: Article, form: Any, change: bool) -> None:
        if obj.status != ArticleStatus.DRAFT and obj.published_at is None:
            # "Published" without a time would never go live (live() needs a time).
            actions.publish_article(obj)
        else:
            actions.save_article(obj)

    @admin.action(description="Publish selected articles now")
    def publish_now(self, request: HttpRequest, queryset: QuerySet[Article]) -> None:
        published = 0
        for article in queryset:
            if article.is_live:
                continue  # keep the date readers already saw
            # A scheduled or stale time is replaced: "now" means now.
            article.published_at = None
            actions.publish_article(article)
            published += 1
        messages.success(request, f"Published {published} article(s).")

    @admin.action(description="Return selected articles to draft")
    def make_draft(self, request: HttpRequest, queryset: QuerySet[Article]) -> None:
        for article in queryset:
            actions.unpublish_article(article)

    @admin.action(description="Open comments on selected articles")
    def open_comments(self, request: HttpRequest, queryset: QuerySet[Article]) -> None:
        for article in queryset:
            actions.set_comments_open(article, True)

    @admin.action(description="Close comments on selected articles")
    def close_comments(self, request: HttpRequest, queryset: QuerySet[Article]) -> None:
        for article in queryset:
            actions.set_comments_open(article, False)
