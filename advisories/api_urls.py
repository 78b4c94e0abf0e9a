"""Routes of this app's v1 API (mounted under /api/v1/)."""

from django.urls import path  # noqa: F401

app_name = "advisories_api"
urlpatterns: list = []
