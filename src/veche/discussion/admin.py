"""Threads and comments in the Django admin, for staff to look things up.

Comments are read-only here: every change of a comment goes through the actions (the
moderators' own pages call them), so the admin cannot bypass counters or audit.
"""

from __future__ import annotations

from django.contrib import admin

from veche.discussion.models import Comment, CommentRevision, Thread


@admin.register(Thread)
class ThreadAdmin(admin.ModelAdmin):
    list_display = ("title", "target_key", "comment_count", "is_open", "moderation_mode")
    list_filter = ("is_open", "moderation_mode")
    search_fields = ("title", "target_key", "url")
    readonly_fields = ("target_key", "comment_count", "next_seq", "version", "last_comment_at")


class RevisionInline(admin.TabularInline):
    model = CommentRevision
    fields = ("replaced_at", "body_markdown")
    readonly_fields = fields
    extra = 0
    can_delete = False

    def has_add_permission(self, request, obj=None) -> bool:
        return False


@admin.register(Comment)
class CommentAdmin(admin.ModelAdmin):
    list_display = ("id", "author_name", "thread", "status", "created_at", "score", "depth")
    list_filter = ("status",)
    # A million-row table: no whole-table COUNT(*) for "N total" on every list view.
    show_full_result_count = False
    search_fields = ("author_name", "body_markdown")
    list_select_related = ("thread",)
    inlines = [RevisionInline]
    readonly_fields = [f.name for f in Comment._meta.fields]

    def has_add_permission(self, request) -> bool:
        return False

    def has_delete_permission(self, request, obj=None) -> bool:
        return False
