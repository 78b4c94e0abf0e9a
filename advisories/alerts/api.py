"""`POST /api/v1/subscriptions/`: subscribe by API, with the page's rules and its throttle."""

from __future__ import annotations

import pycountry
from drf_spectacular.utils import extend_schema, inline_serializer
from rest_framework import serializers, status
from rest_framework.permissions import AllowAny
from rest_framework.request import Request
from rest_framework.response import Response
from rest_framework.settings import api_settings
from rest_framework.throttling import SimpleRateThrottle
from rest_framework.views import APIView

from advisories.alerts import subscriptions
from advisories.models import Frequency, SubscriptionScope
from destinations.models import Destination

ACCEPTED_MESSAGE = (
    "If this address can receive email, a message is on its way to it. "
    "Alerts start only once the link in it is confirmed."
)


class SubscribeThrottle(SimpleRateThrottle):
    """Per client (user when logged in, else IP address), shared by the page and the API."""

    scope = "subscribe"

    def get_rate(self) -> str | None:
        # Read live, so a deployer's (or a test's) setting applies without re-importing.
        return api_settings.DEFAULT_THROTTLE_RATES.get(self.scope)

    def get_cache_key(self, request, view) -> str:
        user = getattr(request, "user", None)
        ident = f"user-{user.pk}" if user is not None and user.is_authenticated else None
        return self.cache_format % {"scope": self.scope, "ident": ident or self.get_ident(request)}


class SubscriptionRequestSerializer(serializers.Serializer):
    email = serializers.EmailField(max_length=254)
    scope = serializers.ChoiceField(choices=SubscriptionScope.choices)
    destination = serializers.SlugRelatedField(
        slug_field="slug",
        queryset=Destination.objects.all(),
        required=False,
        allow_null=True,
        help_text="Slug of the destination, for scope `destination`.",
    )
    include_children = serializers.BooleanField(
        default=True, help_text="For scope `destination`: also places inside it."
    )
    country = serializers.ChoiceField(
        choices=sorted(c.alpha_2 for c in pycountry.countries),
        required=False,
        allow_blank=True,
        help_text="ISO 3166-1 alpha-2 code, for scope `country`.",
    )
    frequency = serializers.ChoiceField(choices=Frequency.choices, default=Frequency.IMMEDIATE)

    def validate(self, attrs: dict) -> dict:
        scope = attrs["scope"]
        if scope == SubscriptionScope.DESTINATION and not attrs.get("destination"):
            raise serializers.ValidationError({"destination": "Required for this scope."})
        if scope == SubscriptionScope.COUNTRY and not attrs.get("country"):
            raise serializers.ValidationError({"country": "Required for this scope."})
        return attrs


class SubscriptionCreateView(APIView):
    """Ask for alerts. The answer is the same whether or not the address is known."""

    permission_classes = [AllowAny]
    throttle_classes = [SubscribeThrottle]

    @extend_schema(
        request=SubscriptionRequestSerializer,
        responses={
            202: inline_serializer("SubscriptionAccepted", {"detail": serializers.CharField()}),
        },
        summary="Subscribe to status-change alerts (double opt-in)",
    )
    def post(self, request: Request) -> Response:
        data = SubscriptionRequestSerializer(data=request.data)
        data.is_valid(raise_exception=True)
        values = data.validated_data
        subscriptions.subscription_request(
            email=values["email"],
            scope=values["scope"],
            frequency=values["frequency"],
            destination=values.get("destination"),
            include_children=values["include_children"],
            country_code=values.get("country") or "",
        )
        return Response({"detail": ACCEPTED_MESSAGE}, status=status.HTTP_202_ACCEPTED)
