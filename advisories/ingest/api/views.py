"""Notices and sources API: thin adapters over `notice_ingest` and plain querysets."""

from __future__ import annotations

from django.conf import settings
from django.db.models import Count, Prefetch
from django_filters.rest_framework import DjangoFilterBackend
from drf_spectacular.utils import OpenApiResponse, extend_schema, extend_schema_view
from rest_framework import generics, permissions, status
from rest_framework.exceptions import ParseError, ValidationError
from rest_framework.request import Request
from rest_framework.response import Response

from advisories.ingest.api.filters import NoticeFilter
from advisories.ingest.api.serializers import (
    NoticeIn,
    NoticeIngestedOut,
    NoticeOut,
    NoticeSummaryOut,
    SourceOut,
)
from advisories.ingest.service import NoticeInvalid, NoticeTooLarge, notice_ingest
from advisories.models import Claim, Notice, Source
from config.api_errors import ErrorSerializer, PayloadTooLarge
from config.api_parsers import BoundedJSONParser


class CanAddNotice(permissions.BasePermission):
    """Adding a notice needs an account with the `advisories.add_notice` permission."""

    def has_permission(self, request: Request, view) -> bool:
        user = request.user
        return bool(user and user.is_authenticated and user.has_perm("advisories.add_notice"))


def _errors(*codes: int) -> dict[int, OpenApiResponse]:
    """Error answers beyond those config.api_schema lists for every operation."""
    return {code: OpenApiResponse(ErrorSerializer) for code in codes}


def _claims_prefetch() -> Prefetch:
    return Prefetch(
        "claims", queryset=Claim.objects.select_related("destination").order_by("start", "id")
    )


def _check_request_size(request: Request) -> None:
    """Refuse an oversized body before parsing it: the declared length first, then the real one
    (a client can lie about, or leave out, Content-Length)."""
    limit = settings.NOTICE_MAX_BYTES
    declared = request.META.get("CONTENT_LENGTH") or "0"
    try:
        declared_bytes = int(declared)
    except ValueError:
        raise ParseError("Content-Length is not a number.") from None
    if declared_bytes > limit:
        raise PayloadTooLarge(f"The request body is over the limit of {limit} bytes.")
    if len(request._request.body) > limit:
        raise PayloadTooLarge(f"The request body is over the limit of {limit} bytes.")


@extend_schema_view(
    get=extend_schema(
        summary="List notices",
        description="Newest first. Filter by source slug, processing state and publication time.",
        responses=NoticeSummaryOut(many=True),
    ),
)
class NoticeListCreateView(generics.ListAPIView):
    parser_classes = [BoundedJSONParser]
    serializer_class = NoticeSummaryOut
    filter_backends = [DjangoFilterBackend]
    filterset_class = NoticeFilter
    ordering = ("-published_at", "-id")

    def get_permissions(self) -> list[permissions.BasePermission]:
        # Reading is public; writing needs the permission. Two classes, so the schema can say so.
        if self.request is not None and self.request.method not in permissions.SAFE_METHODS:
            return [CanAddNotice()]
        return [permissions.AllowAny()]

    def get_queryset(self):
        return Notice.objects.select_related("source").annotate(claim_count=Count("claims"))

    @extend_schema(
        summary="Add a notice",
        description=(
            "Stores the notice and queues it for extraction (202 Accepted): the answer is the "
            "notice with `extraction_state` pending and, in `claims_url` (also the `Location` "
            "header), the notice's own URL, where its claims appear once the worker has read it. "
            "Sending the same text again returns the stored notice with the claims it has so far "
            "(200) and writes nothing. Needs a token of an account with the "
            "`advisories.add_notice` permission."
        ),
        request=NoticeIn,
        responses={
            202: NoticeIngestedOut,
            200: OpenApiResponse(
                NoticeIngestedOut, description="Already stored: the existing notice."
            ),
            **_errors(413, 415),
        },
    )
    def post(self, request: Request) -> Response:
        _check_request_size(request)
        data = NoticeIn(data=request.data)
        data.is_valid(raise_exception=True)
        fields = data.validated_data
        try:
            result = notice_ingest(
                source=fields["source"],
                title=fields["title"],
                body=fields.get("body"),
                html=fields.get("html"),
                url=fields["url"],
                published_at=fields["published_at"],
                language=fields["language"],
                external_id=fields["external_id"],
            )
        except NoticeTooLarge as exc:
            raise PayloadTooLarge(exc.message) from None
        except NoticeInvalid as exc:
            raise ValidationError({exc.field: [exc.message]}) from None
        out = NoticeIngestedOut(
            result.notice, context={"claims": result.claims, "request": request}
        ).data
        if not result.created:
            return Response(out, status=status.HTTP_200_OK)
        return Response(
            out, status=status.HTTP_202_ACCEPTED, headers={"Location": out["claims_url"]}
        )


@extend_schema(summary="One notice", responses=NoticeOut)
class NoticeDetailView(generics.RetrieveAPIView):
    serializer_class = NoticeOut
    permission_classes = [permissions.AllowAny]

    def get_queryset(self):
        return Notice.objects.select_related("source").prefetch_related(_claims_prefetch())


@extend_schema(summary="List sources", responses=SourceOut(many=True))
class SourceListView(generics.ListAPIView):
    serializer_class = SourceOut
    permission_classes = [permissions.AllowAny]
    filter_backends: list = []
    queryset = Source.objects.all()
    ordering = ("name", "id")


@extend_schema(summary="One source", responses=SourceOut)
class SourceDetailView(generics.RetrieveAPIView):
    serializer_class = SourceOut
    permission_classes = [permissions.AllowAny]
    lookup_field = "slug"
    queryset = Source.objects.all()
