"""The lists moderators and administrators manage, and the read-only audit log."""

from __future__ import annotations

from django.contrib import admin, messages
from django.http import HttpRequest

from veche.moderation.models import (
    BlockedDomain,
    DesignatedOrganisation,
    ModerationEvent,
    Report,
    Sanction,
    UserModeration,
    WordListEntry,
)


def classifier_status() -> str:
    """What the ML classifier says about itself, if it is installed."""
    try:
        from veche.moderation import classifier
    except ImportError:
        return "ML classifier not installed: light checks only."
    status = getattr(classifier, "status", None)
    if not callable(status):
        return "ML classifier not available: light checks only."
    try:
        return f"ML classifier: {status()}"
    except Exception as error:  # the notice must never break the admin page
        return f"ML classifier unavailable ({error.__class__.__name__}): light checks only."


@admin.register(WordListEntry)
class WordListEntryAdmin(admin.ModelAdmin):
    list_display = ("pattern", "kind", "match_type", "language", "note", "enabled")
    list_filter = ("kind", "match_type", "language", "enabled")
    search_fields = ("pattern", "note")
    list_editable = ("enabled",)

    def changelist_view(self, request: HttpRequest, extra_context=None):
        messages.info(request, classifier_status())
        return super().changelist_view(request, extra_context)


@admin.register(BlockedDomain)
class BlockedDomainAdmin(admin.ModelAdmin):
    list_display = ("domain", "note", "created_at")
    search_fields = ("domain", "note")


@admin.register(DesignatedOrganisation)
class DesignatedOrganisationAdmin(admin.ModelAdmin):
    list_display = ("name", "label", "enabled")
    list_filter = ("enabled",)
    search_fields = ("name", "forms")


@admin.register(Report)
class ReportAdmin(admin.ModelAdmin):
    list_display = ("comment", "reason", "reporter", "weight", "created_at", "resolved", "outcome")
    list_filter = ("reason", "resolved", "outcome")
    raw_id_fields = ("comment", "reporter")
    readonly_fields = ("comment", "reporter", "weight", "created_at")


@admin.register(Sanction)
class SanctionAdmin(admin.ModelAdmin):
    """Read-only here: sanctions are given and revoked on /moderation/users/<id>/,
    which writes the audit log."""

    list_display = ("user", "kind", "until", "revoked", "created_by", "created_at")
    list_filter = ("kind", "revoked")
    raw_id_fields = ("user", "created_by")

    def has_add_permission(self, request: HttpRequest) -> bool:
        return False

    def has_change_permission(self, request: HttpRequest, obj=None) -> bool:
        return False


@admin.register(ModerationEvent)
class ModerationEventAdmin(admin.ModelAdmin):
    list_display = ("created_at", "event_type", "comment", "target_user", "actor",
                    "from_status", "to_status", "reason")
    list_filter = ("event_type",)
    show_full_result_count = False  # the audit log grows with every decision
    search_fields = ("reason",)
    date_hierarchy = "created_at"

    def has_add_permission(self, request: HttpRequest) -> bool:
        return False

    def has_change_permission(self, request: HttpRequest, obj=None) -> bool:
        return False

    def has_delete_permission(self, request: HttpRequest, obj=None) -> bool:
        return False


@admin.register(UserModeration)
class UserModerationAdmin(admin.ModelAdmin):
    list_display = ("user", "always_premoderate", "trust_level", "reports_upheld",
                    "reports_dismissed")
    list_filter = ("always_premoderate", "trust_level")
    raw_id_fields = ("user",)
