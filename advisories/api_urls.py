"""Routes of this app's v1 API (mounted under /api/v1/)."""

from django.urls import path

from advisories.alerts.api import SubscriptionCreateView
from advisories.ingest.api.views import (
    NoticeDetailView,
    NoticeListCreateView,
    SourceDetailView,
    SourceListView,
)
from advisories.reconciliation.api import ExplainView, OverrideCreateView

app_name = "advisories_api"
urlpatterns: list = [
    path("subscriptions/", SubscriptionCreateView.as_view(), name="subscription-create"),
    path("notices/", NoticeListCreateView.as_view(), name="notice-list"),
    path("notices/<int:pk>/", NoticeDetailView.as_view(), name="notice-detail"),
    path("sources/", SourceListView.as_view(), name="source-list"),
    path("sources/<str:slug>/", SourceDetailView.as_view(), name="source-detail"),
    path("destinations/<slug:slug>/explain/", ExplainView.as_view(), name="destination-explain"),
    path(
        "destinations/<slug:slug>/overrides/",
        OverrideCreateView.as_view(),
        name="destination-overrides",
    ),
]
