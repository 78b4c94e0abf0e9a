"""Writes for sources and notices: the one door every notice comes in through."""

from __future__ import annotations

import hashlib
import re
from datetime import datetime

from django.db import IntegrityError, transaction
from django.utils import timezone

from advisories.models import DEFAULT_AUTHORITY, UNRATED_AUTHORITY, Notice, Source, SourceKind

_SPACE = re.compile(r"\s+")


def notice_content_hash(*, title: str, body: str) -> str:
    """The same text twice is one notice, however its whitespace or case was mangled."""
    folded = _SPACE.sub(" ", f"{title}\n{body}").strip().casefold()
    return hashlib.sha256(folded.encode("utf-8")).hexdigest()


def source_get_or_create(
    *,
    slug: str,
    name: str | None = None,
    kind: str | None = SourceKind.NEWS,
    homepage: str = "",
    feed_url: str = "",
    implicit: bool = False,
) -> tuple[Source, bool]:
    """Find a source by slug, creating it if missing.

    A source created with a kind gets that kind's default authority. Without one (``kind=None``)
    nothing is known of it: it is "other", with the lowest authority, so its word alone never
    settles a status. An ``implicit`` source (no curator created it: a new slug on the command
    line) is flagged ``needs_rating`` for the admin's list; an existing source is never changed.
    """
    defaults = {
        "name": name or slug.replace("-", " ").title(),
        "kind": kind or SourceKind.OTHER,
        "authority": DEFAULT_AUTHORITY[SourceKind(kind)] if kind else UNRATED_AUTHORITY,
        "homepage": homepage,
        "feed_url": feed_url,
        "needs_rating": implicit,
    }
    try:
        with transaction.atomic():
            return Source.objects.get_or_create(slug=slug, defaults=defaults)
    except IntegrityError:
        return Source.objects.get(slug=slug), False


def notice_record(
    *,
    source: Source,
    title: str,
    body: str,
    published_at: datetime,
    url: str = "",
    external_id: str = "",
    language: str = "en",
    fetched_at: datetime | None = None,
) -> tuple[Notice, bool]:
    """Store a notice once per source; returns (notice, created). A source repeating its own text
    adds nothing; the same text from another source is that source's notice, so every source
    that published it stands as evidence and the most authoritative one counts.

    Safe under concurrency: the unique (source, content hash) decides, and a racing duplicate
    gets the row the winner wrote.
    """
    content_hash = notice_content_hash(title=title, body=body)
    existing = Notice.objects.filter(source=source, content_hash=content_hash).first()
    if existing is not None:
        return existing, False
    try:
        with transaction.atomic():
            notice = Notice.objects.create(
                source=source,
                title=title,
                body=body,
                published_at=published_at,
                url=url,
                external_id=external_id,
                language=language or "en",
                fetched_at=fetched_at or timezone.now(),
                content_hash=content_hash,
            )
    except IntegrityError:
        return Notice.objects.get(source=source, content_hash=content_hash), False
    return notice, True
