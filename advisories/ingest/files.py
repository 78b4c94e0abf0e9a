"""Notices from files on disk: .txt, .html, .json and .eml, read into notice_ingest's fields.

Used by `manage.py ingest_notices`. Reading a file never writes anything; a file that cannot be
read raises `FileUnreadable` with a message meant for the person running the command.
"""

from __future__ import annotations

import email
import email.policy
import json
import re
from dataclasses import dataclass
from datetime import UTC, datetime
from email.utils import parsedate_to_datetime
from html.parser import HTMLParser
from pathlib import Path

from django.conf import settings

from advisories.ingest.text import clean_line, html_to_text
from destinations.moments import parse_moment

SUFFIXES = (".txt", ".html", ".htm", ".json", ".eml")
# A JSON file may hold many notices; any one of them is still held to NOTICE_MAX_BYTES.
FILE_MAX_BYTES_FACTOR = 20
_JSON_FIELDS = {"source", "url", "title", "body", "html", "published_at", "language", "external_id"}


class FileUnreadable(ValueError):
    """The file (or one notice in it) cannot be read as a notice."""


@dataclass(frozen=True, slots=True)
class FileNotice:
    """One notice read from a file; `published_at` is None when the file does not say."""

    label: str
    title: str
    published_at: datetime | None
    body: str | None = None
    html: str | None = None
    url: str = ""
    language: str = "en"
    external_id: str = ""


def notice_files(paths: list[Path]) -> list[Path]:
    """The files named, with directories expanded to the notice files inside them (sorted)."""
    found: list[Path] = []
    for path in paths:
        if path.is_dir():
            found.extend(
                sorted(p for p in path.rglob("*") if p.is_file() and p.suffix.lower() in SUFFIXES)
            )
        else:
            found.append(path)
    return found


def read_notice_file(path: Path, *, source_slug: str) -> list[FileNotice | FileUnreadable]:
    """Read one file into the notices it holds (a JSON list may hold several).

    A file that cannot be read at all raises FileUnreadable; one bad object in a JSON list comes
    back as a FileUnreadable in its place, so the good ones are still ingested.
    """
    suffix = path.suffix.lower()
    if suffix not in SUFFIXES:
        raise FileUnreadable(f"Unknown file type {suffix or '(none)'}: use {', '.join(SUFFIXES)}.")
    limit = settings.NOTICE_MAX_BYTES * FILE_MAX_BYTES_FACTOR
    try:
        if path.stat().st_size > limit:
            raise FileUnreadable(f"The file is larger than {limit} bytes.")
        data = path.read_bytes()
    except OSError as exc:
        raise FileUnreadable(f"Cannot read the file: {exc.strerror or exc}") from None
    if suffix == ".txt":
        return [_read_txt(data, label=str(path))]
    if suffix in (".html", ".htm"):
        return [_read_html(data, label=str(path))]
    if suffix == ".json":
        return _read_json(data, label=str(path), source_slug=source_slug)
    return [_read_eml(data, label=str(path))]


def _decode(data: bytes, *, what: str) -> str:
    try:
        return data.decode("utf-8-sig")
    except UnicodeDecodeError as exc:
        raise FileUnreadable(f"{what} is not UTF-8 (byte {exc.start}).") from None


def _read_txt(data: bytes, *, label: str) -> FileNotice:
    """First non-blank line is the title, the rest is the body."""
    text = _decode(data, what="The text file").lstrip()
    title, _, body = text.partition("\n")
    return FileNotice(label=label, title=title, body=body, published_at=None)


_META_CHARSET = re.compile(rb"<meta[^>]+charset=[\"']?([A-Za-z0-9_.:-]+)", re.IGNORECASE)


def _read_html(data: bytes, *, label: str) -> FileNotice:
    """Title and main text of a saved page; markup dropped, its publication date if it says."""
    declared = _META_CHARSET.search(data[:4096])
    encoding = declared.group(1).decode("ascii") if declared else "utf-8"
    try:
        page = data.decode(encoding)
    except (LookupError, UnicodeDecodeError):
        page = _decode(data, what="The HTML file")
    content = html_to_text(page)
    head = _HeadFacts()
    head.feed(page)
    head.close()
    return FileNotice(
        label=label,
        title=content.title,
        body=content.text,
        published_at=_lenient_moment(head.published),
        url=head.canonical if head.canonical.startswith(("http://", "https://")) else "",
        language=head.language or "en",
    )


class _HeadFacts(HTMLParser):
    """A page's own publication date, canonical URL and language, where it declares them."""

    _DATE_PROPERTIES = {"article:published_time", "datepublished", "date", "dc.date"}

    def __init__(self) -> None:
        super().__init__(convert_charrefs=True)
        self.published = ""
        self.canonical = ""
        self.language = ""

    def handle_starttag(self, tag: str, attrs) -> None:
        values = {name.lower(): value or "" for name, value in attrs}
        if tag == "html" and values.get("lang") and not self.language:
            self.language = values["lang"].strip()[:16]
        elif tag == "meta" and not self.published:
            key = values.get("property") or values.get("name") or values.get("itemprop") or ""
            if key.lower() in self._DATE_PROPERTIES:
                self.published = values.get("content", "")
        elif tag == "link" and "canonical" in values.get("rel", "").lower().split():
            self.canonical = self.canonical or values.get("href", "")
        elif tag == "time" and not self.published and values.get("datetime"):
            self.published = values["datetime"]


def _lenient_moment(value: str) -> datetime | None:
    try:
        return parse_moment(value, date_means="start") if value else None
    except ValueError:
        return None


def _read_json(data: bytes, *, label: str, source_slug: str) -> list[FileNotice | FileUnreadable]:
    """One object with the API's fields, or a list of them."""
    try:
        parsed = json.loads(_decode(data, what="The JSON file"))
    except json.JSONDecodeError as exc:
        raise FileUnreadable(f"Invalid JSON at line {exc.lineno}: {exc.msg}.") from None
    items = parsed if isinstance(parsed, list) else [parsed]
    if not items:
        raise FileUnreadable("The JSON list is empty.")
    notices: list[FileNotice | FileUnreadable] = []
    for index, item in enumerate(items):
        item_label = f"{label}[{index}]" if isinstance(parsed, list) else label
        try:
            notices.append(_json_notice(item, label=item_label, source_slug=source_slug))
        except FileUnreadable as exc:
            notices.append(exc)
    return notices


def _json_notice(item: object, *, label: str, source_slug: str) -> FileNotice:
    if not isinstance(item, dict):
        raise FileUnreadable(f"{label}: expected an object with the API's notice fields.")
    unknown = sorted(set(item) - _JSON_FIELDS)
    if unknown:
        raise FileUnreadable(f"{label}: unknown field(s) {', '.join(unknown)}.")
    for key, value in item.items():
        if value is not None and not isinstance(value, str):
            raise FileUnreadable(f"{label}: {key} must be a string.")
    if item.get("source") and item["source"] != source_slug:
        raise FileUnreadable(
            f"{label}: source {item['source']!r} differs from --source {source_slug!r}."
        )
    published = None
    if item.get("published_at"):
        try:
            published = parse_moment(item["published_at"], date_means="start")
        except ValueError as exc:
            raise FileUnreadable(f"{label}: published_at: {exc}") from None
    return FileNotice(
        label=label,
        title=item.get("title") or "",
        body=item.get("body"),
        html=item.get("html"),
        published_at=published,
        url=item.get("url") or "",
        language=item.get("language") or "en",
        external_id=item.get("external_id") or "",
    )


def _read_eml(data: bytes, *, label: str) -> FileNotice:
    """Subject, date and body of an email; the text/plain part is preferred over HTML."""
    message = email.message_from_bytes(data, policy=email.policy.default)
    part = message.get_body(preferencelist=("plain", "html"))
    if part is None:
        raise FileUnreadable("The email has no text/plain or text/html body.")
    try:
        content = part.get_content()
    except (LookupError, UnicodeError, ValueError) as exc:
        raise FileUnreadable(f"Cannot decode the email body: {exc}") from None
    if not isinstance(content, str):
        raise FileUnreadable("The email body is not text.")
    published = None
    if message.get("Date"):
        try:
            published = parsedate_to_datetime(str(message["Date"]))
        except (TypeError, ValueError):
            published = None
        if published is not None and published.tzinfo is None:
            published = published.replace(tzinfo=UTC)
    is_html = part.get_content_subtype() == "html"
    return FileNotice(
        label=label,
        title=clean_line(str(message.get("Subject") or "")),
        body=html_to_text(content).text if is_html else content,
        published_at=published,
        external_id=clean_line(str(message.get("Message-ID") or "")).strip("<>"),
    )
