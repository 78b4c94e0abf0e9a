"""`GET /api/v1/`: what the API offers, as links (names to absolute URLs), so a client can start
from the root rather than from documentation."""

from __future__ import annotations

from django.urls import reverse
from drf_spectacular.types import OpenApiTypes
from drf_spectacular.utils import OpenApiExample, extend_schema
from rest_framework.permissions import AllowAny
from rest_framework.request import Request
from rest_framework.response import Response
from rest_framework.views import APIView

# Name in the index -> URL name. Resources that need a slug or id are reached from these.
RESOURCES = {
    "destinations": "destinations_api:destination-list",
    "changes": "destinations_api:change-list",
    "notices": "advisories_api:notice-list",
    "sources": "advisories_api:source-list",
    "subscriptions": "advisories_api:subscription-create",
    "webhooks": "webhooks_api:endpoint-list",
    "export": "export:index",
}
DOCUMENTATION = {"schema": "schema", "docs": "swagger-ui", "redoc": "redoc"}


class ApiIndexView(APIView):
    """The API's resources and its documentation, as absolute URLs."""

    permission_classes = [AllowAny]

    @extend_schema(
        operation_id="api_index",
        summary="Index of the API",
        responses=OpenApiTypes.OBJECT,
        examples=[
            OpenApiExample(
                "Index",
                value={
                    "resources": {"destinations": "https://example.org/api/v1/destinations/"},
                    "schema": "https://example.org/api/v1/schema/",
                    "docs": "https://example.org/api/v1/docs/",
                    "redoc": "https://example.org/api/v1/redoc/",
                },
                response_only=True,
            )
        ],
    )
    def get(self, request: Request) -> Response:
        def link(name: str) -> str:
            return request.build_absolute_uri(reverse(name))

        body: dict = {"resources": {key: link(name) for key, name in RESOURCES.items()}}
        body.update({key: link(name) for key, name in DOCUMENTATION.items()})
        return Response(body)
