"""Admin for webhooks: endpoints (secret shown once on creation and rotation, never after),
deliveries, and the attempts list filtered by endpoint."""

from __future__ import annotations

from django import forms
from django.contrib import admin, messages
from django.db.models import QuerySet
from django.http import HttpRequest
from django.urls import reverse
from django.utils.html import format_html

from webhooks.models import WebhookAttempt, WebhookDelivery, WebhookEndpoint, WebhookFanOut
from webhooks.registration import endpoint_rotate_secret
from webhooks.rules import endpoint_url_problem
from webhooks.signing import new_secret


class EndpointForm(forms.ModelForm):
    class Meta:
        model = WebhookEndpoint
        fields = [
            "owner",
            "url",
            "description",
            "scope",
            "destination",
            "include_children",
            "country_code",
            "audience",
            "is_active",
        ]

    def clean_url(self) -> str:
        url = self.cleaned_data["url"]
        if (self.instance.pk is None or url != self.instance.url) and (
            problem := endpoint_url_problem(url)
        ):
            raise forms.ValidationError(problem)
        return url


@admin.register(WebhookEndpoint)
class WebhookEndpointAdmin(admin.ModelAdmin):
    form = EndpointForm
    list_display = ["url", "owner", "scope", "is_active", "failing_since", "attempts_link"]
    list_filter = ["is_active", "scope"]
    search_fields = ["url", "owner__username", "owner__email"]
    list_select_related = ["owner"]
    raw_id_fields = ["owner", "destination"]
    readonly_fields = [
        "failing_since",
        "last_success_at",
        "disabled_at",
        "disabled_reason",
        "created_at",
    ]
    actions = ["rotate_secret"]

    @admin.display(description="attempts")
    def attempts_link(self, endpoint: WebhookEndpoint) -> str:
        url = reverse("admin:webhooks_webhookattempt_changelist")
        return format_html('<a href="{}?endpoint__id__exact={}">attempts</a>', url, endpoint.pk)

    def save_model(self, request: HttpRequest, obj: WebhookEndpoint, form, change: bool) -> None:
        if not change:
            obj.secret = new_secret()
        super().save_model(request, obj, form, change)
        if not change:
            self.message_user(
                request,
                f"Signing secret of {obj.url} (shown this once): {obj.secret}",
                messages.WARNING,
            )

    @admin.action(description="Rotate the signing secret (the old one signs on for the overlap)")
    def rotate_secret(self, request: HttpRequest, queryset: QuerySet[WebhookEndpoint]) -> None:
        for endpoint in queryset:
            rotated = endpoint_rotate_secret(endpoint=endpoint)
            self.message_user(
                request,
                f"New secret of {endpoint.url} (shown this once): {rotated.secret}",
                messages.WARNING,
            )


@admin.register(WebhookAttempt)
class WebhookAttemptAdmin(admin.ModelAdmin):
    list_display = [
        "attempted_at",
        "endpoint",
        "delivery_id",
        "number",
        "status_code",
        "error",
        "latency_ms",
        "response_excerpt",
        "outcome",
    ]
    list_filter = ["outcome", "endpoint"]
    list_select_related = ["endpoint"]
    date_hierarchy = "attempted_at"

    def has_add_permission(self, request: HttpRequest) -> bool:
        return False

    def has_change_permission(self, request: HttpRequest, obj=None) -> bool:
        return False


@admin.register(WebhookDelivery)
class WebhookDeliveryAdmin(admin.ModelAdmin):
    list_display = ["id", "change_id", "endpoint", "state", "attempts", "next_attempt_at"]
    list_filter = ["state"]
    list_select_related = ["endpoint"]
    readonly_fields = [f.name for f in WebhookDelivery._meta.fields]

    def has_add_permission(self, request: HttpRequest) -> bool:
        return False


@admin.register(WebhookFanOut)
class WebhookFanOutAdmin(admin.ModelAdmin):
    list_display = ["change_id", "deliveries", "note", "created_at"]

    def has_add_permission(self, request: HttpRequest) -> bool:
        return False
