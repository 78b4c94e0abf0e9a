"""`/api/v1/webhooks/`: an owner's endpoints, their secret rotation and delivery attempts.

Token (or session) authentication and the `webhooks.add_webhookendpoint` permission; each
account sees and changes only its own endpoints (anyone else's is a 404, as if absent).
"""

from __future__ import annotations

from django.core.exceptions import ValidationError as DjangoValidationError
from django.db.models import QuerySet
from django.shortcuts import get_object_or_404
from drf_spectacular.utils import extend_schema
from rest_framework import generics, permissions, serializers, status
from rest_framework.request import Request
from rest_framework.response import Response
from rest_framework.views import APIView

from webhooks import registration
from webhooks.models import WebhookAttempt, WebhookEndpoint
from webhooks.serializers import (
    AttemptOut,
    EndpointCreatedOut,
    EndpointIn,
    EndpointOut,
    EndpointUpdateIn,
    SecretOut,
)

PERMISSION = "webhooks.add_webhookendpoint"


class CanUseWebhooks(permissions.BasePermission):
    """A signed-in account holding `webhooks.add_webhookendpoint`."""

    def has_permission(self, request: Request, view) -> bool:
        user = request.user
        return bool(user and user.is_authenticated and user.has_perm(PERMISSION))


def _own_endpoints(request: Request) -> QuerySet[WebhookEndpoint]:
    return WebhookEndpoint.objects.filter(owner=request.user).select_related("destination")


def _service_errors(error: DjangoValidationError) -> serializers.ValidationError:
    return serializers.ValidationError(error.message_dict)


class EndpointListCreate(generics.ListAPIView):
    """Your webhook endpoints, newest first; POST registers one (its secret is in the answer)."""

    permission_classes = [CanUseWebhooks]
    serializer_class = EndpointOut
    filter_backends: list = []

    def get_queryset(self) -> QuerySet[WebhookEndpoint]:
        return _own_endpoints(self.request)

    @extend_schema(request=EndpointIn, responses={201: EndpointCreatedOut})
    def post(self, request: Request) -> Response:
        data = EndpointIn(data=request.data)
        data.is_valid(raise_exception=True)
        try:
            endpoint, secret = registration.endpoint_register(
                owner=request.user,
                url=data.validated_data["url"],
                scope=data.scope_spec(),
                description=data.validated_data.get("description", ""),
            )
        except DjangoValidationError as error:
            raise _service_errors(error) from None
        out = EndpointCreatedOut(endpoint, context={"secret": secret})
        return Response(out.data, status=status.HTTP_201_CREATED)


class EndpointDetail(APIView):
    """One of your endpoints: read, change (PATCH), or delete."""

    permission_classes = [CanUseWebhooks]

    @extend_schema(responses=EndpointOut)
    def get(self, request: Request, pk: int) -> Response:
        return Response(EndpointOut(get_object_or_404(_own_endpoints(request), pk=pk)).data)

    @extend_schema(request=EndpointUpdateIn, responses=EndpointOut)
    def patch(self, request: Request, pk: int) -> Response:
        endpoint = get_object_or_404(_own_endpoints(request), pk=pk)
        data = EndpointUpdateIn(data=request.data)
        data.is_valid(raise_exception=True)
        values = data.validated_data
        try:
            registration.endpoint_update(
                endpoint=endpoint,
                url=values.get("url"),
                scope=data.scope_spec() if "scope" in values else None,
                description=values.get("description"),
                is_active=values.get("is_active"),
            )
        except DjangoValidationError as error:
            raise _service_errors(error) from None
        return Response(EndpointOut(endpoint).data)

    @extend_schema(responses={204: None})
    def delete(self, request: Request, pk: int) -> Response:
        get_object_or_404(_own_endpoints(request), pk=pk).delete()
        return Response(status=status.HTTP_204_NO_CONTENT)


class EndpointRotateSecret(APIView):
    """A new secret, shown once; the old one keeps signing beside it for the overlap."""

    permission_classes = [CanUseWebhooks]

    @extend_schema(request=None, responses={200: SecretOut})
    def post(self, request: Request, pk: int) -> Response:
        endpoint = get_object_or_404(_own_endpoints(request), pk=pk)
        rotated = registration.endpoint_rotate_secret(endpoint=endpoint)
        return Response(SecretOut(rotated).data)


class EndpointAttempts(generics.ListAPIView):
    """Delivery attempts to one of your endpoints, newest first: HTTP status or error, latency,
    and the first kilobyte of what it answered."""

    permission_classes = [CanUseWebhooks]
    serializer_class = AttemptOut
    filter_backends: list = []

    def get_queryset(self) -> QuerySet[WebhookAttempt]:
        endpoint = get_object_or_404(_own_endpoints(self.request), pk=self.kwargs["pk"])
        return WebhookAttempt.objects.filter(endpoint=endpoint).select_related("delivery")
