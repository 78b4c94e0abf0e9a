from django import forms
from django.contrib import admin

from advisories.alerts import admin as alerts_admin  # noqa: F401  (registers the alerts models)
from advisories.extraction.service import unmatched_place_create_destination
from advisories.ingest.fetcher import url_refusal
from advisories.models import Claim, CuratorOverride, Notice, Source, UnmatchedPlace
from advisories.reconciliation.admin import (
    OverrideAdminMixin,
    accept_claims,
    other_side,
    reject_claims,
)


@admin.action(description="Mark the selected sources as rated (keep their authority)")
def mark_rated(modeladmin, request, queryset):
    count = queryset.filter(needs_rating=True).update(needs_rating=False)
    modeladmin.message_user(request, f"Marked {count} source(s) as rated.")


class SourceForm(forms.ModelForm):
    class Meta:
        model = Source
        fields = "__all__"  # noqa: DJ007 - the admin's fieldsets decide what shows

    def clean_feed_url(self) -> str:
        """Refuse a feed the guarded fetcher would refuse, now rather than at every poll."""
        url = self.cleaned_data["feed_url"]
        if url and (reason := url_refusal(url)):
            raise forms.ValidationError(reason)
        return url


@admin.register(Source)
class SourceAdmin(admin.ModelAdmin):
    form = SourceForm
    list_display = [
        "name",
        "slug",
        "kind",
        "authority",
        "needs_rating",
        "is_active",
        "last_polled_at",
        "last_error_at",
    ]
    # Sources created implicitly wait here ("Needs rating: Yes") for a curator to rate them;
    # the authority can be set right in the list.
    list_filter = ["needs_rating", "kind", "is_active"]
    list_editable = ["authority"]
    actions = [mark_rated]
    search_fields = ["name", "slug", "homepage", "feed_url"]
    prepopulated_fields = {"slug": ["name"]}
    readonly_fields = [
        "etag",
        "last_modified",
        "last_polled_at",
        "last_success_at",
        "last_error",
        "last_error_at",
    ]

    def save_model(self, request, obj, form, change):
        # A curator who sets the authority has rated the source.
        if "authority" in form.changed_data:
            obj.needs_rating = False
        super().save_model(request, obj, form, change)


class ClaimInline(admin.TabularInline):
    model = Claim
    fields = [
        "destination",
        "audience",
        "status",
        "effective_at",
        "confidence",
        "sentence",
        "review_state",
    ]
    readonly_fields = fields
    extra = 0
    can_delete = False
    show_change_link = True

    def has_add_permission(self, request, obj=None):
        return False


@admin.register(Notice)
class NoticeAdmin(admin.ModelAdmin):
    list_display = ["title", "source", "published_at", "state", "extractor_version"]
    list_filter = ["state", "source__kind", "source"]
    search_fields = ["title", "body", "url", "external_id"]
    date_hierarchy = "published_at"
    readonly_fields = ["content_hash", "fetched_at", "extractor_version", "error"]
    list_select_related = ["source"]
    inlines = [ClaimInline]


@admin.register(Claim)
class ClaimAdmin(admin.ModelAdmin):
    list_display = [
        "destination",
        "audience",
        "status",
        "effective_at",
        "confidence",
        "review_state",
        "notice",
    ]
    list_filter = ["review_state", "status", "audience", "notice__source__kind"]
    search_fields = ["destination__name", "sentence", "notice__title"]
    list_select_related = ["destination", "notice"]
    raw_id_fields = ["notice", "destination", "reviewed_by"]
    filter_horizontal = ["changes"]
    # The review queue: filter on review state, compare both sides, accept or reject with a note.
    actions = [accept_claims, reject_claims]
    readonly_fields = [other_side]


@admin.action(description="Create a destination (kind: site) from each selected place")
def create_destinations_from_places(modeladmin, request, queryset):
    created = [
        unmatched_place_create_destination(place=place)
        for place in queryset.filter(resolved_destination__isnull=True)
    ]
    modeladmin.message_user(
        request, f"Created {len(created)} destination(s); edit their kind and parent if needed."
    )


@admin.register(UnmatchedPlace)
class UnmatchedPlaceAdmin(admin.ModelAdmin):
    list_display = ["name", "seen_count", "created_at", "resolved_destination"]
    list_filter = [("resolved_destination", admin.EmptyFieldListFilter)]
    search_fields = ["name", "sentence"]
    readonly_fields = ["normalised", "first_notice", "sentence", "seen_count", "created_at"]
    actions = [create_destinations_from_places]


@admin.register(CuratorOverride)
class CuratorOverrideAdmin(OverrideAdminMixin, admin.ModelAdmin):
    list_display = [
        "destination",
        "audience",
        "status",
        "curator",
        "starts_at",
        "ends_at",
        "revoked_at",
    ]
    list_filter = ["status", "audience"]
    search_fields = ["destination__name", "summary", "reason"]
    raw_id_fields = ["destination"]
