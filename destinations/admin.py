from django.contrib import admin

from destinations.models import CurrentStatus, Destination, DestinationAlias, StatusChange


class AliasInline(admin.TabularInline):
    model = DestinationAlias
    fields = ["name", "normalised", "language"]
    readonly_fields = ["normalised"]
    extra = 1


@admin.register(Destination)
class DestinationAdmin(admin.ModelAdmin):
    list_display = ["name", "slug", "kind", "country_code", "parent", "reconciled_at"]
    list_filter = ["kind", "country_code"]
    search_fields = ["name", "slug", "aliases__name", "aliases__normalised"]
    prepopulated_fields = {"slug": ["name"]}
    autocomplete_fields = ["parent"]
    readonly_fields = ["claims_version", "reconciled_version", "reconcile_after", "reconciled_at"]
    inlines = [AliasInline]


@admin.register(StatusChange)
class StatusChangeAdmin(admin.ModelAdmin):
    """The audit trail: everything recorded, superseded entries included. Read-only."""

    list_display = [
        "destination",
        "audience",
        "status",
        "effective_at",
        "recorded_at",
        "decided_by",
        "rule",
        "supersedes",
    ]
    list_filter = ["status", "decided_by", "audience"]
    search_fields = ["destination__name", "summary"]
    date_hierarchy = "effective_at"
    list_select_related = ["destination", "supersedes"]

    def has_change_permission(self, request, obj=None):
        return False

    def has_delete_permission(self, request, obj=None):
        return False

    def has_add_permission(self, request):
        return False


@admin.register(CurrentStatus)
class CurrentStatusAdmin(admin.ModelAdmin):
    list_display = ["destination", "audience", "status", "since", "last_confirmed_at", "in_review"]
    list_filter = ["status", "in_review", "audience"]
    search_fields = ["destination__name"]
    list_select_related = ["destination"]

    def has_change_permission(self, request, obj=None):
        return False

    def has_delete_permission(self, request, obj=None):
        return False

    def has_add_permission(self, request):
        return False
