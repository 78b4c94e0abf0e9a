"""Routes of this app's v1 API (mounted under /api/v1/)."""

from django.urls import path  # noqa: F401

app_name = "destinations_api"
urlpatterns: list = []
