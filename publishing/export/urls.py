"""Routes of the open-data export (mounted under /api/v1/export/). The live exports answer
conditional GETs from the published status version before the view runs (`with_etag`)."""

from django.urls import path

from publishing.caching import with_etag
from publishing.export import api

app_name = "export"
urlpatterns = [
    path("", api.ExportIndex.as_view(), name="index"),
    path("changes.csv", with_etag(api.ChangesCsvExport.as_view()), name="changes-csv"),
    path("changes.jsonl", with_etag(api.ChangesJsonlExport.as_view()), name="changes-jsonl"),
    path("current.csv", with_etag(api.CurrentCsvExport.as_view()), name="current-csv"),
    path("snapshots/<str:day>/<str:kind>.gz", api.SnapshotDownload.as_view(), name="snapshot"),
]
