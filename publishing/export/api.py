"""Routes under /api/v1/export/: the live exports (streamed), the snapshot listing, and each
snapshot's file. Adapters over publishing/export/streaming.py and snapshots.py.

The live exports answer conditional GETs before anything is read (publishing/export/urls.py
wraps them in `with_etag`: an ETag and Last-Modified from the published status version, which
every write of what they show moves). Their bytes are made while they are sent: a
StreamingHttpResponse over a generator that reads the database a chunk at a time.
"""

from __future__ import annotations

from datetime import date

from django.http import FileResponse, HttpResponseRedirect, StreamingHttpResponse
from django.urls import reverse
from django.utils import timezone
from django.utils.cache import get_conditional_response
from drf_spectacular.types import OpenApiTypes
from drf_spectacular.utils import OpenApiResponse, extend_schema
from rest_framework import serializers
from rest_framework.exceptions import NotFound
from rest_framework.negotiation import BaseContentNegotiation
from rest_framework.permissions import AllowAny
from rest_framework.renderers import JSONRenderer
from rest_framework.request import Request
from rest_framework.response import Response
from rest_framework.views import APIView

from publishing.export.columns import CHANGES, CURRENT
from publishing.export.snapshots import (
    exports_storage,
    snapshot_get,
    snapshot_name,
    snapshots_listed,
)
from publishing.export.streaming import EXPORTS, Export, export_chunks

VERSION_HEADER = "Export-Version"
LIVE_ROUTES = {
    "changes.csv": "export:changes-csv",
    "changes.jsonl": "export:changes-jsonl",
    "current.csv": "export:current-csv",
}


class _AlwaysFirstRenderer(BaseContentNegotiation):
    """A file is a file whatever the Accept header asks; errors are the JSON envelope."""

    def select_parser(self, request, parsers):
        return parsers[0] if parsers else None

    def select_renderer(self, request, renderers, format_suffix=None):
        return renderers[0], renderers[0].media_type


class _FileView(APIView):
    permission_classes = [AllowAny]
    renderer_classes = [JSONRenderer]
    content_negotiation_class = _AlwaysFirstRenderer


def _live_schema(export: Export):
    media_type = export.content_type.split(";")[0]
    return extend_schema(
        operation_id=f"export_{export.kind.replace('.', '_')}",
        summary=f"The {export.kind} export, streamed",
        description=(
            f"Column set `{export.columns.label}` (the `{VERSION_HEADER}` header says which); "
            "see docs/export.md. Sent as an attachment named "
            f"`{export.filename(date(2026, 1, 31))}` (today's UTC date). Answers "
            "If-None-Match and If-Modified-Since with 304."
        ),
        responses={
            (200, media_type): OpenApiResponse(OpenApiTypes.BINARY, description="The file."),
            304: OpenApiResponse(description="Not modified since the validator sent."),
        },
    )


class _LiveExport(_FileView):
    export: Export

    def get(self, request: Request) -> StreamingHttpResponse:
        export = self.export
        # A HEAD gets the headers only: some servers iterate the body to drop it, which would
        # read the whole history for nothing.
        chunks = export_chunks(export) if request.method != "HEAD" else iter(())
        response = StreamingHttpResponse(chunks, content_type=export.content_type)
        filename = export.filename(timezone.now().date())
        response["Content-Disposition"] = f"attachment; filename={filename}"
        response[VERSION_HEADER] = export.columns.label
        return response


class ChangesCsvExport(_LiveExport):
    """Every public status change (none superseded), oldest stored first, as CSV."""

    export = EXPORTS["changes.csv"]

    @_live_schema(EXPORTS["changes.csv"])
    def get(self, request: Request) -> StreamingHttpResponse:
        return super().get(request)


class ChangesJsonlExport(_LiveExport):
    """Every public status change (none superseded), oldest stored first, one JSON per line."""

    export = EXPORTS["changes.jsonl"]

    @_live_schema(EXPORTS["changes.jsonl"])
    def get(self, request: Request) -> StreamingHttpResponse:
        return super().get(request)


class CurrentCsvExport(_LiveExport):
    """The current status per destination and audience (known ones), as CSV."""

    export = EXPORTS["current.csv"]

    @_live_schema(EXPORTS["current.csv"])
    def get(self, request: Request) -> StreamingHttpResponse:
        return super().get(request)


KIND_HELP = "changes.csv, changes.jsonl or current.csv"


class SnapshotSerializer(serializers.Serializer):
    kind = serializers.CharField(help_text=KIND_HELP)
    day = serializers.DateField(help_text="The UTC day it was written.")
    size = serializers.IntegerField(help_text="Bytes of the gzip file.")
    sha256 = serializers.CharField(help_text="Of the gzip file, hex.")
    version = serializers.CharField(help_text="Its column set, e.g. `changes/1`.")
    url = serializers.SerializerMethodField(help_text="Where to download it.")

    def get_url(self, snapshot) -> str:
        path = reverse("export:snapshot", kwargs={"day": snapshot.day, "kind": snapshot.kind})
        return self.context["request"].build_absolute_uri(path)


class LiveExportSerializer(serializers.Serializer):
    kind = serializers.CharField(help_text=KIND_HELP)
    version = serializers.CharField(help_text="Its column set, e.g. `changes/1`.")
    url = serializers.URLField()


class ExportIndexSerializer(serializers.Serializer):
    versions = serializers.DictField(
        child=serializers.CharField(), help_text="Column set versions, by set: changes, current."
    )
    live = LiveExportSerializer(many=True, help_text="The exports as of now, streamed.")
    snapshots = SnapshotSerializer(many=True, help_text="Dated gzip snapshots, newest first.")


class ExportIndex(APIView):
    """The exports: links to the live ones, and every kept snapshot with its size and sha256."""

    permission_classes = [AllowAny]

    @extend_schema(operation_id="export_index", responses=ExportIndexSerializer)
    def get(self, request: Request) -> Response:
        live = [
            {
                "kind": kind,
                "version": EXPORTS[kind].columns.label,
                "url": request.build_absolute_uri(reverse(route)),
            }
            for kind, route in LIVE_ROUTES.items()
        ]
        body = {
            "versions": {CHANGES.name: CHANGES.label, CURRENT.name: CURRENT.label},
            "live": live,
            "snapshots": snapshots_listed(),
        }
        return Response(ExportIndexSerializer(body, context={"request": request}).data)


class SnapshotDownload(_FileView):
    """One snapshot's gzip file (or, on a remote storage, a redirect to it)."""

    @extend_schema(
        operation_id="export_snapshot",
        responses={
            (200, "application/gzip"): OpenApiResponse(
                OpenApiTypes.BINARY, description="The gzip file."
            ),
            302: OpenApiResponse(description="The file is on a remote storage: go there."),
        },
    )
    def get(self, request: Request, day: str, kind: str):
        try:
            when = date.fromisoformat(day)
        except ValueError:
            raise NotFound() from None
        snapshot = snapshot_get(kind=kind, day=when) if kind in EXPORTS else None
        if snapshot is None:
            raise NotFound()
        etag = f'"{snapshot.sha256}"'
        unchanged = get_conditional_response(request, etag=etag)
        if unchanged is not None:  # a file is never rewritten: its hash names its content
            return unchanged
        storage = exports_storage()
        try:
            path = storage.path(snapshot.name)
        except NotImplementedError:  # not on this machine's disk (S3): its own URL
            return HttpResponseRedirect(storage.url(snapshot.name))
        filename = snapshot_name(export=EXPORTS[kind], day=when).rpartition("/")[2]
        response = FileResponse(
            open(path, "rb"),  # noqa: SIM115 (FileResponse closes it)
            as_attachment=True,
            filename=filename,
            content_type="application/gzip",
        )
        response["ETag"] = etag
        response[VERSION_HEADER] = snapshot.version
        return response
