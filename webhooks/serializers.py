"""Input and output shapes of the webhooks API. The secret appears only in the answers to
registering and rotating: ``EndpointCreatedOut`` and ``SecretOut``."""

from __future__ import annotations

import pycountry
from django.core.exceptions import ValidationError as DjangoValidationError
from rest_framework import serializers

from destinations.models import Audience, Destination
from webhooks.models import EndpointScope, WebhookAttempt, WebhookEndpoint
from webhooks.registration import EndpointScopeSpec

_COUNTRIES = sorted(c.alpha_2 for c in pycountry.countries)


class EndpointIn(serializers.Serializer):
    url = serializers.URLField(max_length=2000, help_text="Where to POST; https required.")
    description = serializers.CharField(max_length=200, required=False, allow_blank=True)
    scope = serializers.ChoiceField(choices=EndpointScope.choices)
    destination = serializers.SlugRelatedField(
        slug_field="slug",
        queryset=Destination.objects.all(),
        required=False,
        allow_null=True,
        help_text="Slug of the destination, for scope `destination`.",
    )
    include_children = serializers.BooleanField(
        default=True, help_text="For scope `destination`: also the places inside it."
    )
    country = serializers.ChoiceField(
        choices=_COUNTRIES,
        required=False,
        allow_blank=True,
        help_text="ISO 3166-1 alpha-2 code, for scope `country`.",
    )
    audience = serializers.CharField(
        max_length=16,
        required=False,
        allow_blank=True,
        help_text="Only changes for this audience ('foreign', 'domestic' or a country code); "
        "blank or absent: every audience.",
    )

    def validate_audience(self, value: str) -> str:
        if value:
            try:
                Audience.validate(value)
            except DjangoValidationError as error:
                raise serializers.ValidationError(error.messages) from None
        return value

    def validate(self, attrs: dict) -> dict:
        scope = attrs.get("scope")
        if scope == EndpointScope.DESTINATION and not attrs.get("destination"):
            raise serializers.ValidationError({"destination": "Required for this scope."})
        if scope == EndpointScope.COUNTRY and not attrs.get("country"):
            raise serializers.ValidationError({"country": "Required for this scope."})
        return attrs

    def scope_spec(self) -> EndpointScopeSpec:
        values = self.validated_data
        return EndpointScopeSpec(
            scope=values["scope"],
            destination=values.get("destination"),
            include_children=values.get("include_children", True),
            country_code=values.get("country") or "",
            audience=values.get("audience") or "",
        )


class EndpointUpdateIn(EndpointIn):
    """Every field optional; the scope fields, when any is given, are taken together with
    ``scope``. ``is_active: true`` turns a disabled endpoint back on."""

    url = serializers.URLField(max_length=2000, required=False)
    scope = serializers.ChoiceField(choices=EndpointScope.choices, required=False)
    include_children = serializers.BooleanField(required=False)
    is_active = serializers.BooleanField(required=False)

    def validate(self, attrs: dict) -> dict:
        scoped = {"destination", "include_children", "country", "audience"} & attrs.keys()
        if scoped and "scope" not in attrs:
            raise serializers.ValidationError({"scope": "Give the scope with its fields."})
        return super().validate(attrs)


class EndpointOut(serializers.ModelSerializer):
    destination = serializers.SlugRelatedField(slug_field="slug", read_only=True, allow_null=True)
    country = serializers.CharField(source="country_code", read_only=True)

    class Meta:
        model = WebhookEndpoint
        fields = [
            "id",
            "url",
            "description",
            "scope",
            "destination",
            "include_children",
            "country",
            "audience",
            "is_active",
            "failing_since",
            "last_success_at",
            "disabled_at",
            "disabled_reason",
            "previous_secret_expires_at",
            "created_at",
        ]
        read_only_fields = fields


class EndpointCreatedOut(EndpointOut):
    secret = serializers.SerializerMethodField(
        help_text="The signing secret (whsec_...). Shown in this answer only: store it now."
    )

    class Meta(EndpointOut.Meta):
        fields = [*EndpointOut.Meta.fields, "secret"]
        read_only_fields = fields

    def get_secret(self, endpoint: WebhookEndpoint) -> str:
        return self.context["secret"]


class SecretOut(serializers.Serializer):
    secret = serializers.CharField(help_text="The new secret, shown in this answer only.")
    previous_secret_expires_at = serializers.DateTimeField(
        help_text="Until then the previous secret signs beside the new one."
    )


class AttemptOut(serializers.ModelSerializer):
    webhook_id = serializers.SerializerMethodField(help_text="The `webhook-id` header sent.")
    change = serializers.IntegerField(source="delivery.change_id", read_only=True)

    class Meta:
        model = WebhookAttempt
        fields = [
            "id",
            "webhook_id",
            "change",
            "number",
            "attempted_at",
            "status_code",
            "error",
            "latency_ms",
            "response_excerpt",
            "outcome",
        ]
        read_only_fields = fields

    def get_webhook_id(self, attempt: WebhookAttempt) -> str:
        return f"msg_{attempt.delivery_id}"
