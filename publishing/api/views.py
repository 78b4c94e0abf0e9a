"""Read API v1: destinations, their status with evidence, their history, and the changes feed.

Thin adapters over publishing.selectors. Reads are public and throttled for anonymous clients
(settings.REST_FRAMEWORK); every 4xx uses the one envelope of config/api_errors.py; responses
carry an ETag derived from the status cache version (see destinations/api_urls.py).
"""

from __future__ import annotations

from datetime import datetime

from django.core.exceptions import ValidationError as DjangoValidationError
from django.db.models import Prefetch
from django.shortcuts import get_object_or_404
from django.utils import timezone
from drf_spectacular.types import OpenApiTypes
from drf_spectacular.utils import OpenApiParameter, extend_schema
from rest_framework import generics, serializers
from rest_framework.exceptions import NotFound, ValidationError
from rest_framework.pagination import CursorPagination
from rest_framework.permissions import AllowAny
from rest_framework.request import Request
from rest_framework.response import Response
from rest_framework.views import APIView

from destinations.models import Audience, Destination, Status
from publishing import selectors
from publishing.api.filters import DestinationFilter, parse_moment, parse_since
from publishing.api.serializers import (
    ChangeSerializer,
    DestinationDetailSerializer,
    DestinationSerializer,
    HistorySerializer,
)

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
    """Destinations with their current status per audience. Filter, search, order, paginate."""

    permission_classes = [AllowAny]
    serializer_class = DestinationSerializer
    filterset_class = DestinationFilter
    ordering_fields = ["name", "slug", "country_code", "kind", "updated_at"]
    ordering = ["name", "id"]

    def get_queryset(self):
        rows = selectors.current_status_rows(now=timezone.now()).order_by("audience")
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
    """A destination's corrected status history; `?at=` adds the status in force then."""

    permission_classes = [AllowAny]

    @extend_schema(parameters=[AT_PARAMETER], responses=HistorySerializer)
    def get(self, request: Request, slug: str) -> Response:
        at = _moment(request, "at")
        destination = get_object_or_404(Destination, slug=slug)
        changes = list(selectors.timeline(destination=destination).select_related("destination"))
        shown = [c for c in changes if at is None or c.effective_at <= at]
        moment = at or timezone.now()
        confirmed = selectors.confirmations_as_of(change_ids=[c.pk for c in changes], at=moment)
        statuses = selectors.statuses_from_history(changes=changes, at=moment, confirmed=confirmed)
        data = {"destination": destination.slug, "at": at, "statuses": statuses, "changes": shown}
        return Response(HistorySerializer(data, context={"request": request}).data)


class ChangesCursor(CursorPagination):
    ordering = ("-recorded_at", "-id")
    page_size = 50
    page_size_query_param = "page_size"
    max_page_size = 200

    def decode_cursor(self, request: Request):
        """DRF's cursor, refused with a 400 unless it is one this API could have given: its
        position must be a recorded_at (a cursor's position is compared in SQL as one)."""
        try:
            cursor = super().decode_cursor(request)
        except NotFound:
            cursor = None
            valid = False
        else:
            valid = cursor is None or cursor.position is None or _is_moment(cursor.position)
        if not valid:
            raise ValidationError(
                {"cursor": ["Not a cursor this API gave: follow the `next` or `previous` link."]}
            )
        return cursor


def _is_moment(text: str) -> bool:
    try:
        return datetime.fromisoformat(text).tzinfo is not None
    except ValueError:
        return False


class ChangeList(generics.ListAPIView):
    """Every status change across destinations, newest recorded first, cursor-paginated.

    Poll with `?since=` (the last `recorded_at` you saw; inclusive) and follow `next`.
    """

    permission_classes = [AllowAny]
    serializer_class = ChangeSerializer
    pagination_class = ChangesCursor
    filter_backends: list = []

    @extend_schema(
        parameters=[
            OpenApiParameter(
                "since",
                OpenApiTypes.STR,
                description="Only changes recorded at or after this date (UTC) or date-time.",
            ),
            OpenApiParameter("destination", OpenApiTypes.STR, description="Destination slug."),
            OpenApiParameter("country", OpenApiTypes.STR, description="ISO 3166-1 alpha-2."),
            OpenApiParameter("status", OpenApiTypes.STR, enum=Status.values),
            OpenApiParameter("audience", OpenApiTypes.STR),
        ]
    )
    def get(self, request, *args, **kwargs):
        return super().get(request, *args, **kwargs)

    def get_queryset(self):
        params = self.request.query_params
        since = _moment(self.request, "since", parse=parse_since)
        changes = selectors.recent_changes(since=since)
        errors: dict[str, list[str]] = {}
        if params.get("destination"):
            changes = changes.filter(destination__slug=params["destination"])
        if params.get("country"):
            code = params["country"].upper()
            if len(code) != 2 or not code.isalpha():
                errors["country"] = ["Use a two-letter ISO 3166-1 code."]
            changes = changes.filter(destination__country_code=code)
        if params.get("status"):
            if params["status"] not in Status.values:
                errors["status"] = [f"Use one of: {', '.join(Status.values)}."]
            changes = changes.filter(status=params["status"])
        if params.get("audience"):
            try:
                Audience.validate(params["audience"])
            except DjangoValidationError:
                errors["audience"] = ["Use 'foreign', 'domestic' or a two-letter code."]
            changes = changes.filter(audience=params["audience"])
        if errors:
            raise serializers.ValidationError(errors)
        return changes
