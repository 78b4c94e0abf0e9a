"""Read API v1 for destinations and their status history (mounted by destinations/api_urls.py)."""
