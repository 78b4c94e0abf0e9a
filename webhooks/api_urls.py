"""Routes of the webhooks API (mounted under /api/v1/)."""

from django.urls import path

from webhooks import api

app_name = "webhooks_api"
urlpatterns = [
    path("webhooks/", api.EndpointListCreate.as_view(), name="endpoint-list"),
    path("webhooks/<int:pk>/", api.EndpointDetail.as_view(), name="endpoint-detail"),
    path(
        "webhooks/<int:pk>/rotate-secret/",
        api.EndpointRotateSecret.as_view(),
        name="endpoint-rotate-secret",
    ),
    path("webhooks/<int:pk>/attempts/", api.EndpointAttempts.as_view(), name="endpoint-attempts"),
]
