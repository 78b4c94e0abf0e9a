"""Read API v1: destinations, their status with evidence, their history, and the changes feed.

Thin adapters over publishing.selectors. Reads are public and throttled for anonymous clients
(settings.REST_FRAMEWORK); every 4xx uses the one envelope of config/api_errors.py; lists page
with config.api_lists; responses carry an ETag derived from the status cache version (see
publishing/api_urls.py).
"""

from __future__ import annotations

from django.db.models import Prefetch
from django.shortcuts import get_object_or_404
from django.utils import timezone
from django_filters.rest_framework import DjangoFilterBackend
from drf_spectacular.types import OpenApiTypes
from drf_spectacular.utils import OpenApiParameter, extend_schema
from rest_framework import generics, serializers
from rest_framework.permissions import AllowAny
from rest_framework.request import Request
from rest_framework.response import Response
from rest_framework.views import APIView

from config.api_lists import StrictOrderingFilter
from destinations.models import Destination
from publishing import selectors
from publishing.api.filters import ChangeFilter, DestinationFilter, parse_moment
from publishing.api.serializers import (
    ChangeSerializer,
    DestinationDetailSerializer,
    DestinationSerializer,
    HistorySerializer,
)
from publishing.selectors.api import destination_statuses

AT_PARAMETER = OpenApiParameter(
    "at",
    OpenApiTypes.STR,
    description="A date (YYYY-MM-DD, meaning the end of that UTC day) or an ISO 8601 date-time.",
)


def _moment(request: Request, name: str, parse=parse_moment):
    value = request.query_params.get(name)
    if value in (None, ""):
        return None
    try:
        return parse(value)
    except ValueError as error:
        raise serializers.ValidationError({name: [str(error)]}) from None


class DestinationList(generics.ListAPIView):
    """Destinations with their current status per audience. Filter, search (`q`), order,
    paginate (cursor)."""

    permission_classes = [AllowAny]
    serializer_class = DestinationSerializer
    filter_backends = [DjangoFilterBackend, StrictOrderingFilter]
    filterset_class = DestinationFilter
    ordering_fields = ["name", "slug", "country_code", "kind", "updated_at"]
    ordering = ["name", "id"]

    def get_queryset(self):
        rows = selectors.current_status_rows(now=timezone.now())
        return Destination.objects.select_related("parent").prefetch_related(
            Prefetch("current_statuses", queryset=rows)
        )


class DestinationDetail(APIView):
    """One destination: its current status per audience, each with the evidence behind it."""

    permission_classes = [AllowAny]

    @extend_schema(responses=DestinationDetailSerializer)
    def get(self, request: Request, slug: str) -> Response:
        destination = get_object_or_404(Destination.objects.select_related("parent"), slug=slug)
        overview = selectors.destination_overview(destination=destination, now=timezone.now())
        serializer = DestinationDetailSerializer(
            overview, context={"request": request, "evidence": overview.evidence}
        )
        return Response(serializer.data)


class DestinationHistory(APIView):
    """A destination's corrected status history, with the status per audience now (the same
    as the detail's) or, with `?at=`, in force then."""

    permission_classes = [AllowAny]

    @extend_schema(parameters=[AT_PARAMETER], responses=HistorySerializer)
    def get(self, request: Request, slug: str) -> Response:
        at = _moment(request, "at")
        destination = get_object_or_404(Destination, slug=slug)
        changes = list(selectors.timeline(destination=destination).select_related("destination"))
        shown = [c for c in changes if at is None or c.effective_at <= at]
        statuses = destination_statuses(
            destination=destination, changes=changes, at=at, now=timezone.now()
        )
        data = {"destination": destination.slug, "at": at, "statuses": statuses, "changes": shown}
        return Response(HistorySerializer(data, context={"request": request}).data)


class ChangeList(generics.ListAPIView):
    """Every status change across destinations, newest recorded first, cursor-paginated.

    Poll with `?since=` (the last `recorded_at` you saw; inclusive) and follow `next`.
    """

    permission_classes = [AllowAny]
    serializer_class = ChangeSerializer
    filter_backends = [DjangoFilterBackend]
    filterset_class = ChangeFilter
    ordering = ("-recorded_at", "-id")

    def get_queryset(self):
        return selectors.recent_changes()
