"""The notices and sources API v1: POST a notice to ingest it, read notices and sources."""
