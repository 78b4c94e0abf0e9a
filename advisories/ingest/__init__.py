"""Notices in: the REST API, sources' feeds and files all end in one door,
``service.notice_ingest``, which validates, stores a notice once per content and hands it to
extraction on commit.

Owns: sources and notices as they arrive (``recording``), plain text (``text``), the guarded
fetcher (``fetcher``), feeds (``feeds``), files (``files``), the notices API (``api``).
May import: ``advisories.models``, ``advisories.handoffs``, ``destinations``. Never a later
stage (extraction, reconciliation, alerts) or the publishing layer.
"""
