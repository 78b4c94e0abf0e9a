"""Admin for alerts: subscriptions, deliveries (failures with their reason), fan-out marks."""

from __future__ import annotations

from django.contrib import admin
from django.db.models import QuerySet
from django.http import HttpRequest
from django.utils import timezone

from advisories.models import Delivery, DeliveryState, FanOut, Subscription


class ConfirmedFilter(admin.SimpleListFilter):
    title = "state"
    parameter_name = "state"

    def lookups(self, request, model_admin):
        return [
            ("active", "Active"),
            ("pending", "Awaiting confirmation"),
            ("left", "Unsubscribed"),
        ]

    def queryset(self, request, queryset):
        if self.value() == "active":
            return queryset.active()
        if self.value() == "pending":
            return queryset.filter(confirmed_at__isnull=True, unsubscribed_at__isnull=True)
        if self.value() == "left":
            return queryset.filter(unsubscribed_at__isnull=False)
        return queryset


@admin.register(Subscription)
class SubscriptionAdmin(admin.ModelAdmin):
    list_display = [
        "email",
        "scope_label",
        "frequency",
        "created_at",
        "confirmed_at",
        "unsubscribed_at",
    ]
    list_filter = [ConfirmedFilter, "scope", "frequency"]
    search_fields = ["email", "destination__name", "country_code"]
    list_select_related = ["destination"]
    raw_id_fields = ["destination"]
    exclude = ["key"]  # signed into the subscriber's links; never shown
    readonly_fields = ["created_at", "confirmation_sent_at", "confirmed_at", "unsubscribed_at"]
    date_hierarchy = "created_at"


@admin.action(description="Send again now (failed or skipped deliveries)")
def send_again(modeladmin, request: HttpRequest, queryset: QuerySet[Delivery]) -> None:
    count = queryset.filter(state__in=[DeliveryState.FAILED, DeliveryState.SKIPPED]).update(
        state=DeliveryState.PENDING, attempts=0, next_attempt_at=timezone.now(), claim_token=""
    )
    modeladmin.message_user(request, f"{count} deliveries queued again; the sweep sends them.")


@admin.register(Delivery)
class DeliveryAdmin(admin.ModelAdmin):
    list_display = [
        "id",
        "kind",
        "subscription",
        "change",
        "digest_day",
        "state",
        "attempts",
        "next_attempt_at",
        "sent_at",
        "last_error",
    ]
    list_filter = ["state", "kind"]
    search_fields = ["subscription__email", "last_error", "change__destination__name"]
    list_select_related = ["subscription__destination", "change__destination"]
    show_full_result_count = False  # a fan-out can write 100,000 rows; counting them is slow
    actions = [send_again]
    readonly_fields = [
        "kind",
        "change",
        "digest_day",
        "subscription",
        "state",
        "attempts",
        "next_attempt_at",
        "claimed_at",
        "claim_token",
        "sent_at",
        "last_error",
        "created_at",
    ]

    def has_add_permission(self, request: HttpRequest) -> bool:
        return False


@admin.register(FanOut)
class FanOutAdmin(admin.ModelAdmin):
    list_display = ["change", "deliveries", "note", "created_at"]
    list_select_related = ["change__destination"]
    readonly_fields = ["change", "deliveries", "note", "created_at"]

    def has_add_permission(self, request: HttpRequest) -> bool:
        return False
