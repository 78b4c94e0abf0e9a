"""Ingest and read API v1 for notices and sources (routes in advisories/api_urls.py)."""
