"""Reading sources' RSS and Atom feeds: fetch safely, parse, and ingest each entry as a notice.

A feed URL is typed in by a person and served by a stranger, so the fetch is defensive:
- http and https only; the host is resolved once, every address it resolves to must be public
  (unless FEED_ALLOW_PRIVATE_ADDRESSES), and the connection goes to the address that was checked,
  so a DNS answer that changes between check and connect (rebinding) gains nothing;
- one time budget (FEED_TIMEOUT_SECONDS) for the whole fetch, a byte cap (FEED_MAX_BYTES) read in
  chunks, and the same cap after decompression;
- conditional GET with the stored ETag and Last-Modified, so an unchanged feed costs a 304;
- XML that declares entities is refused before feedparser sees it (entity-expansion attacks),
  and feedparser only ever gets a byte stream (given a plain string it would open files or URLs).
One broken feed records its error on its source and never stops the others.
"""

from __future__ import annotations

import http.client
import io
import ipaddress
import logging
import re
import socket
import ssl
import time
import zlib
from dataclasses import dataclass, field
from datetime import UTC, datetime
from urllib.parse import urljoin, urlsplit

import feedparser
from defusedxml import DefusedXmlException
from defusedxml import ElementTree as SafeElementTree
from django.conf import settings
from django.db.models import DateTimeField, ExpressionWrapper, F, Q

from advisories.ingest.service import (
    LANGUAGE_PATTERN,
    TITLE_MAX_CHARS,
    NoticeInvalid,
    clean_line,
    clean_text,
    html_to_text,
    notice_ingest,
)
from advisories.models import Source

logger = logging.getLogger(__name__)

MAX_REDIRECTS = 5
CHUNK_BYTES = 64 * 1024
ERROR_MAX_CHARS = 1000
_REDIRECTS = {301, 302, 303, 307, 308}
_ENTITY_DECLARATION = re.compile(rb"<!ENTITY", re.IGNORECASE)
_LANGUAGE = re.compile(LANGUAGE_PATTERN)


class FeedError(Exception):
    """A feed could not be fetched or read. The message is stored on the source for curators."""


@dataclass(frozen=True, slots=True)
class FetchResult:
    status: int  # 200 or 304
    url: str  # after redirects
    content: bytes = b""
    content_type: str = ""
    etag: str = ""
    last_modified: str = ""


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
    except FeedError as exc:
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
    language = language if _LANGUAGE.match(language) and len(language) <= 16 else "en"
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


# --- fetching -------------------------------------------------------------------------------------


def feed_fetch(*, url: str, etag: str = "", last_modified: str = "") -> FetchResult:
    """GET a feed within the time and size budget, following a few redirects, each checked."""
    deadline = time.monotonic() + settings.FEED_TIMEOUT_SECONDS
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
    for _ in range(MAX_REDIRECTS + 1):
        status, location, result = _fetch_once(url=url, headers=headers, deadline=deadline)
        if status not in _REDIRECTS:
            assert result is not None
            return result
        url = urljoin(url, location)
    raise FeedError(f"More than {MAX_REDIRECTS} redirects.")


def _fetch_once(
    *, url: str, headers: dict[str, str], deadline: float
) -> tuple[int, str, FetchResult | None]:
    parts = urlsplit(url)
    if parts.scheme not in ("http", "https") or not parts.hostname:
        raise FeedError(f"Only http and https feed URLs are fetched, not {url[:200]!r}.")
    try:
        port = parts.port or (443 if parts.scheme == "https" else 80)
    except ValueError:
        raise FeedError("The feed URL has an invalid port.") from None
    address = _checked_address(parts.hostname, port)
    connection = _PinnedConnection.open(
        scheme=parts.scheme, host=parts.hostname, port=port, address=address, deadline=deadline
    )
    path = parts.path or "/"
    if parts.query:
        path = f"{path}?{parts.query}"
    try:
        try:
            connection.request("GET", path, headers=headers)
            response = connection.getresponse()
        except TimeoutError:
            raise FeedError(f"Timed out after {settings.FEED_TIMEOUT_SECONDS} seconds.") from None
        except (OSError, http.client.HTTPException) as exc:
            raise FeedError(f"Could not fetch the feed: {exc}") from None
        status = response.status
        if status in _REDIRECTS:
            location = response.getheader("Location") or ""
            if not location:
                raise FeedError(f"HTTP {status} without a Location header.")
            return status, location, None
        if status == http.client.NOT_MODIFIED:
            return status, "", FetchResult(status=status, url=url)
        if status != http.client.OK:
            raise FeedError(f"HTTP {status} {response.reason}".strip())
        content = _read_capped(response, connection, deadline)
        return (
            status,
            "",
            FetchResult(
                status=status,
                url=url,
                content=content,
                content_type=response.getheader("Content-Type") or "",
                etag=response.getheader("ETag") or "",
                last_modified=response.getheader("Last-Modified") or "",
            ),
        )
    finally:
        connection.close()


def _read_capped(
    response: http.client.HTTPResponse, connection: http.client.HTTPConnection, deadline: float
) -> bytes:
    cap = settings.FEED_MAX_BYTES
    too_big = f"The feed is larger than the limit of {cap} bytes."
    declared = response.getheader("Content-Length")
    if declared and declared.isdigit() and int(declared) > cap:
        raise FeedError(too_big)
    chunks: list[bytes] = []
    size = 0
    while True:
        remaining = deadline - time.monotonic()
        if remaining <= 0:
            raise FeedError(f"Timed out after {settings.FEED_TIMEOUT_SECONDS} seconds.")
        if connection.sock is not None:
            connection.sock.settimeout(remaining)
        try:
            chunk = response.read(CHUNK_BYTES)
        except TimeoutError:
            raise FeedError(f"Timed out after {settings.FEED_TIMEOUT_SECONDS} seconds.") from None
        except (OSError, http.client.HTTPException) as exc:
            raise FeedError(f"The connection failed while reading: {exc}") from None
        if not chunk:
            break
        size += len(chunk)
        if size > cap:
            raise FeedError(too_big)
        chunks.append(chunk)
    content = b"".join(chunks)
    encoding = (response.getheader("Content-Encoding") or "").strip().lower()
    if encoding in ("gzip", "x-gzip", "deflate"):
        # 32 + MAX_WBITS reads both gzip and zlib framing; the output is capped like the input,
        # so a small compressed bomb cannot inflate past the limit.
        inflater = zlib.decompressobj(32 + zlib.MAX_WBITS)
        try:
            content = inflater.decompress(content, cap + 1)
        except zlib.error as exc:
            raise FeedError(f"The feed's {encoding} encoding is corrupt: {exc}") from None
        if len(content) > cap or inflater.unconsumed_tail:
            raise FeedError(too_big)
    elif encoding not in ("", "identity"):
        raise FeedError(f"Unsupported Content-Encoding {encoding!r}.")
    return content


def _checked_address(host: str, port: int) -> str:
    """Resolve the host once and return an address to connect to, refusing non-public ones."""
    try:
        infos = socket.getaddrinfo(host, port, type=socket.SOCK_STREAM)
    except (OSError, UnicodeError) as exc:
        raise FeedError(f"Cannot resolve {host!r}: {exc}") from None
    addresses = list(dict.fromkeys(str(info[4][0]) for info in infos))
    if not addresses:
        raise FeedError(f"Cannot resolve {host!r}.")
    if not settings.FEED_ALLOW_PRIVATE_ADDRESSES:
        for address in addresses:
            if not _is_public(address):
                raise FeedError(
                    f"Refused: {host} resolves to {address}, a private, loopback, link-local or "
                    "reserved address."
                )
    return addresses[0]


def _is_public(address: str) -> bool:
    ip = ipaddress.ip_address(address.split("%", 1)[0])
    if isinstance(ip, ipaddress.IPv6Address) and ip.ipv4_mapped is not None:
        ip = ip.ipv4_mapped
    return ip.is_global and not ip.is_multicast


class _PinnedConnection:
    """HTTP(S) connections that go to an address already checked, whatever DNS says later.

    The Host header, TLS server name and certificate check still use the URL's host name.
    """

    @staticmethod
    def open(
        *, scheme: str, host: str, port: int, address: str, deadline: float
    ) -> http.client.HTTPConnection:
        timeout = max(deadline - time.monotonic(), 0.001)
        if scheme == "https":
            return _PinnedHTTPS(host, port, address=address, timeout=timeout)
        return _PinnedHTTP(host, port, address=address, timeout=timeout)


class _PinnedHTTP(http.client.HTTPConnection):
    def __init__(self, host: str, port: int, *, address: str, timeout: float) -> None:
        super().__init__(host, port, timeout=timeout)
        self._address = address

    def connect(self) -> None:
        self.sock = socket.create_connection((self._address, self.port), self.timeout)


class _PinnedHTTPS(http.client.HTTPSConnection):
    def __init__(self, host: str, port: int, *, address: str, timeout: float) -> None:
        super().__init__(host, port, timeout=timeout, context=ssl.create_default_context())
        self._address = address

    def connect(self) -> None:
        sock = socket.create_connection((self._address, self.port), self.timeout)
        self.sock = self._context.wrap_socket(sock, server_hostname=self.host)
