"""Reading sources' RSS and Atom feeds: fetch (through the guarded fetcher), parse, and ingest
each entry as a notice.

- conditional GET with the stored ETag and Last-Modified, so an unchanged feed costs a 304;
- XML that declares entities is refused before feedparser sees it (entity-expansion attacks),
  and feedparser only ever gets a byte stream (given a plain string it would open files or URLs).
One broken feed records its error on its source and never stops the others.
"""

from __future__ import annotations

import http.client
import io
import logging
import re
from dataclasses import dataclass, field
from datetime import UTC, datetime

import feedparser
from defusedxml import DefusedXmlException
from defusedxml import ElementTree as SafeElementTree
from django.conf import settings
from django.db.models import DateTimeField, ExpressionWrapper, F, Q

from advisories.ingest.fetcher import FetchError, FetchResult, guarded_get
from advisories.ingest.service import TITLE_MAX_CHARS, NoticeInvalid, notice_ingest
from advisories.ingest.text import clean_line, clean_text, html_to_text, is_language_tag
from advisories.models import Source

logger = logging.getLogger(__name__)

ERROR_MAX_CHARS = 1000
_ENTITY_DECLARATION = re.compile(rb"<!ENTITY", re.IGNORECASE)


class FeedError(FetchError):
    """A feed could not be read. The message is stored on the source for curators."""


@dataclass(slots=True)
class SourcePollResult:
    source_id: int
    not_modified: bool = False
    error: str = ""
    entries: int = 0
    notices_created: int = 0
    notices_existing: int = 0
    entries_skipped: int = 0
    claims: int = 0


@dataclass(slots=True)
class PollSummary:
    results: list[SourcePollResult] = field(default_factory=list)

    def as_dict(self) -> dict[str, int]:
        return {
            "sources": len(self.results),
            "not_modified": sum(r.not_modified for r in self.results),
            "failed": sum(bool(r.error) for r in self.results),
            "notices_created": sum(r.notices_created for r in self.results),
            "notices_existing": sum(r.notices_existing for r in self.results),
            "entries_skipped": sum(r.entries_skipped for r in self.results),
            "claims": sum(r.claims for r in self.results),
        }


# --- polling --------------------------------------------------------------------------------------


def feeds_poll_due(*, now: datetime) -> PollSummary:
    """Poll every active source with a feed whose interval has passed since its last poll.

    Each source is claimed by moving its `last_polled_at` with a compare-and-set update, so two
    pollers running at once (two beats, a redelivered task) never fetch the same feed twice.
    """
    next_due = ExpressionWrapper(
        F("last_polled_at") + F("poll_interval"), output_field=DateTimeField()
    )
    due = (
        Source.objects.filter(is_active=True)
        .exclude(feed_url="")
        .annotate(next_due=next_due)
        .filter(Q(last_polled_at__isnull=True) | Q(next_due__lte=now))
        .order_by("last_polled_at", "pk")
    )
    summary = PollSummary()
    for source in due:
        claim = Source.objects.filter(pk=source.pk)
        if source.last_polled_at is None:
            claim = claim.filter(last_polled_at__isnull=True)
        else:
            claim = claim.filter(last_polled_at=source.last_polled_at)
        if not claim.update(last_polled_at=now):
            continue  # another poller got there first
        source.last_polled_at = now
        summary.results.append(feed_poll(source=source, now=now))
    return summary


def feed_poll(*, source: Source, now: datetime) -> SourcePollResult:
    """Fetch one source's feed and ingest its entries; a failure is recorded on the source."""
    result = SourcePollResult(source_id=source.pk)
    try:
        fetched = feed_fetch(
            url=source.feed_url, etag=source.etag, last_modified=source.last_modified
        )
        if fetched.status == http.client.NOT_MODIFIED:
            result.not_modified = True
            Source.objects.filter(pk=source.pk).update(last_success_at=now, last_error="")
            return result
        parsed = feed_parse(
            content=fetched.content, url=fetched.url, content_type=fetched.content_type
        )
        _ingest_entries(source=source, parsed=parsed, now=now, result=result)
    except FetchError as exc:
        result.error = str(exc)
    except Exception as exc:  # one feed's surprise must not stop the others
        logger.exception("Polling the feed of source %s failed", source.slug)
        result.error = f"Unexpected error: {type(exc).__name__}: {exc}"
    if result.error:
        Source.objects.filter(pk=source.pk).update(
            last_error=result.error[:ERROR_MAX_CHARS], last_error_at=now
        )
        logger.warning("Feed of source %s failed: %s", source.slug, result.error)
        return result
    # The validators are stored only once the content was read, so a feed we failed on is
    # fetched in full next time rather than answered with a 304.
    Source.objects.filter(pk=source.pk).update(
        etag=fetched.etag[:500],
        last_modified=fetched.last_modified[:100],
        last_success_at=now,
        last_error="",
    )
    return result


def _ingest_entries(
    *, source: Source, parsed: feedparser.FeedParserDict, now: datetime, result: SourcePollResult
) -> None:
    feed_language = str(parsed.feed.get("language") or "")
    # Oldest first, so notices are stored in the order they were published.
    for entry in reversed(parsed.entries):
        result.entries += 1
        fields = _entry_fields(entry, feed_language=feed_language, now=now)
        if fields is None:
            result.entries_skipped += 1
            continue
        try:
            ingested = notice_ingest(source=source, fetched_at=now, now=now, **fields)
        except NoticeInvalid as exc:
            logger.info("Skipped an entry of %s: %s", source.slug, exc)
            result.entries_skipped += 1
            continue
        if ingested.created:
            result.notices_created += 1
            result.claims += len(ingested.claims)
        else:
            result.notices_existing += 1


def _entry_fields(entry, *, feed_language: str, now: datetime) -> dict | None:
    """Map one feedparser entry onto notice_ingest's arguments, or None if it has no text."""
    text, is_html, language = "", False, ""
    for content in entry.get("content") or []:
        if content.get("value"):
            text = content["value"]
            is_html = "html" in (content.get("type") or "")
            language = content.get("language") or ""
            break
    if not text and entry.get("summary"):
        detail = entry.get("summary_detail") or {}
        text = entry["summary"]
        is_html = "html" in (detail.get("type") or "text/html")
        language = detail.get("language") or ""
    if not text:
        return None
    raw_title = entry.get("title") or ""
    title_type = (entry.get("title_detail") or {}).get("type") or ""
    title = html_to_text(raw_title).text if "html" in title_type else raw_title
    title = clean_line(title)
    if not title:
        plain = html_to_text(text).text if is_html else clean_text(text)
        title = clean_line(plain.split("\n", 1)[0])[:120]
    if len(title) > TITLE_MAX_CHARS:
        title = title[: TITLE_MAX_CHARS - 1].rstrip() + "…"
    link = entry.get("link") or ""
    if not link.lower().startswith(("http://", "https://")) or len(link) > 1000:
        link = ""
    language = language or feed_language
    language = language if is_language_tag(language) else "en"
    return {
        "title": title,
        ("html" if is_html else "body"): text,
        "url": link,
        "published_at": min(_entry_published(entry) or now, now),
        "language": language,
        "external_id": clean_line(entry.get("id") or link)[:500],
    }


def _entry_published(entry) -> datetime | None:
    parsed = entry.get("published_parsed") or entry.get("updated_parsed")
    if not parsed:
        return None
    try:
        return datetime(*parsed[:6], tzinfo=UTC)
    except (TypeError, ValueError):
        return None


# --- parsing --------------------------------------------------------------------------------------


def feed_parse(*, content: bytes, url: str, content_type: str = "") -> feedparser.FeedParserDict:
    """Parse RSS or Atom bytes, refusing XML that declares entities.

    defusedxml reads well-formed documents and raises on any entity declaration; for documents
    that are not well-formed (feedparser would still try them) a plain search for a declaration
    stands in.
    """
    try:
        SafeElementTree.fromstring(
            content, forbid_dtd=False, forbid_entities=True, forbid_external=True
        )
    except DefusedXmlException:
        raise FeedError(
            "Refused: the feed declares XML entities (an entity-expansion attack?)."
        ) from None
    except SafeElementTree.ParseError:
        if _ENTITY_DECLARATION.search(content):
            raise FeedError(
                "Refused: the feed declares XML entities (an entity-expansion attack?)."
            ) from None
    headers = {"content-location": url}
    if content_type:
        headers["content-type"] = content_type
    parsed = feedparser.parse(io.BytesIO(content), response_headers=headers)
    if not parsed.get("version") and not parsed.entries:
        reason = parsed.get("bozo_exception")
        raise FeedError("Not an RSS or Atom feed" + (f": {reason}" if reason else "."))
    return parsed


def feed_fetch(*, url: str, etag: str = "", last_modified: str = "") -> FetchResult:
    """GET a feed through the guarded fetcher, conditionally when the source has validators."""
    headers = {
        "User-Agent": f"Portcullis feed reader (+{settings.SITE_URL})",
        "Accept": "application/atom+xml, application/rss+xml, application/xml;q=0.9, "
        "text/xml;q=0.9, */*;q=0.1",
        "Accept-Encoding": "gzip, deflate",
    }
    if etag:
        headers["If-None-Match"] = etag
    if last_modified:
        headers["If-Modified-Since"] = last_modified
    return guarded_get(url=url, headers=headers)
