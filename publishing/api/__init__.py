"""Read API v1 for destinations, status history and changes (routes in publishing/api_urls.py)."""
