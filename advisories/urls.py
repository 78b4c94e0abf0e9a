"""Public page routes of this app."""

from django.urls import path  # noqa: F401

app_name = "advisories"
urlpatterns: list = []
