from django.contrib import admin

from veche.api.models import AllowedSite, ApiToken


@admin.register(AllowedSite)
class AllowedSiteAdmin(admin.ModelAdmin):
    list_display = ("name", "origin", "enabled", "created_at")
    list_filter = ("enabled",)
    search_fields = ("name", "origin")


@admin.register(ApiToken)
class ApiTokenAdmin(admin.ModelAdmin):
    list_display = ("prefix", "user", "kind", "name", "created_at", "last_used_at", "expires_at")
    list_filter = ("kind",)
    readonly_fields = ("user", "kind", "key_hash", "prefix", "site", "created_at", "last_used_at")
    search_fields = ("user__username", "prefix", "name")

    def has_add_permission(self, request) -> bool:
        return False
