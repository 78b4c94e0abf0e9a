"""Alerts: status changes -> delivery rows -> SMTP, and the subscriptions that decide who is told.

Modules by concern: ``subscriptions`` (subscribe, confirm, manage, unsubscribe, their mails),
``fanout`` (a change -> one delivery row per subscriber in scope), ``sending`` (claim with a
lease, send over Django's mail connection, mark each message, retry), ``digests``, ``sweep`` (the
periodic safety net), ``messages`` (what an email says) and ``tokens`` (signed links).
``tasks``, ``admin``, ``api`` and ``views`` are adapters over them.

May import: ``advisories.models``, ``destinations``, ``advisories.handoffs`` (the doors to the
next stage). Never ingest, extraction or reconciliation: they come before this stage.
"""
