"""Routes of the destinations read API (mounted under /api/v1/). Every route answers
conditional GETs: an ETag from the status cache version, 304 before the view runs."""

from django.urls import path

from publishing.api import views
from publishing.caching import with_etag

app_name = "destinations_api"
urlpatterns = [
    path("destinations/", with_etag(views.DestinationList.as_view()), name="destination-list"),
    path(
        "destinations/<slug:slug>/",
        with_etag(views.DestinationDetail.as_view()),
        name="destination-detail",
    ),
    path(
        "destinations/<slug:slug>/history/",
        with_etag(views.DestinationHistory.as_view()),
        name="destination-history",
    ),
    path("changes/", with_etag(views.ChangeList.as_view()), name="change-list"),
]
