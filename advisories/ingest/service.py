"""Notices in: text cleaning, HTML reduced to plain text, and `notice_ingest`, the service every
way in (API, feeds, files) calls to validate and store a notice and enqueue its extraction.

Extraction runs in the worker (it needs the language model, which web processes never load):
a new notice is stored pending and handed to extraction through `handoffs.notice_stored` once it
has committed; extraction's sweeper enqueues again any notice whose message was lost.

Stored text is plain text. HTML goes through nh3 (a maintained sanitiser) first, so scripts,
styles and comments are gone with their content, and the sanitised, well-formed result is then
walked with the standard library's parser to keep paragraph breaks, which the sentence splitter
relies on. Nothing stored is markup, and templates escape it anyway.
"""

from __future__ import annotations

import logging
import re
import unicodedata
from dataclasses import dataclass, field
from datetime import UTC, datetime, timedelta
from html.parser import HTMLParser

import nh3
from django.conf import settings
from django.core.exceptions import ValidationError
from django.core.validators import URLValidator
from django.db import transaction
from django.utils import timezone

from advisories import handoffs
from advisories.ingest.recording import notice_record
from advisories.models import Claim, Notice, NoticeState, Source

logger = logging.getLogger(__name__)

TITLE_MAX_CHARS = Notice._meta.get_field("title").max_length
URL_MAX_CHARS = Notice._meta.get_field("url").max_length
EXTERNAL_ID_MAX_CHARS = Notice._meta.get_field("external_id").max_length
LANGUAGE_PATTERN = r"^[A-Za-z]{2,3}(-[A-Za-z0-9]{1,8})*$"
_LANGUAGE = re.compile(LANGUAGE_PATTERN)
# Sources' clocks and time zones are sloppy; a notice dated a little ahead is still believable.
FUTURE_TOLERANCE = timedelta(days=1)

# --- plain text -----------------------------------------------------------------------------------

# C0/C1 control characters other than tab and newline: PostgreSQL refuses NUL, and none of them
# belongs in prose.
_CONTROL = re.compile(r"[\x00-\x08\x0b\x0c\x0e-\x1f\x7f-\x9f]")
_INLINE_SPACE = re.compile(r"[^\S\n]+")
_MANY_BLANK_LINES = re.compile(r"\n{3,}")


def clean_text(value: str) -> str:
    """Plain text as stored: valid UTF-8, NFC, no control characters, tidy whitespace.

    Paragraph breaks (blank lines) survive because sentences never run across them.
    """
    text = value.encode("utf-8", "replace").decode("utf-8")  # lone surrogates become "?"
    text = unicodedata.normalize("NFC", text.replace("\r\n", "\n").replace("\r", "\n"))
    text = _CONTROL.sub("", text)
    lines = (_INLINE_SPACE.sub(" ", line).strip() for line in text.split("\n"))
    return _MANY_BLANK_LINES.sub("\n\n", "\n".join(lines)).strip()


def clean_line(value: str) -> str:
    """A one-line field (title, id): clean text with every line break folded to a space."""
    return " ".join(clean_text(value).split())


# --- HTML -----------------------------------------------------------------------------------------

# Tags whose content is never text a reader saw: dropped whole by the sanitiser.
_DROPPED_WITH_CONTENT = {
    "script", "style", "template", "noscript", "iframe", "object", "embed", "svg", "math",
    "canvas", "select", "textarea", "button",
}  # fmt: skip
# Tags that start a new paragraph (or line) in the text.
_BLOCK = {
    "address", "article", "aside", "blockquote", "dd", "details", "div", "dl", "dt",
    "figcaption", "figure", "footer", "form", "h1", "h2", "h3", "h4", "h5", "h6", "header",
    "hr", "li", "main", "nav", "ol", "p", "pre", "section", "summary", "table", "tbody", "td",
    "tfoot", "th", "thead", "tr", "ul", "caption",
}  # fmt: skip
# Page furniture left out when the page has no <main> or <article> to say where the text is.
_FURNITURE = {"nav", "header", "footer", "aside", "form"}
_MAIN = {"main", "article"}
_KEPT_TAGS = _BLOCK | {"br", "title"}


@dataclass(frozen=True, slots=True)
class HtmlText:
    """What a page says: its title (<title>, else its first <h1>) and its main text."""

    title: str
    text: str


class _TextCollector(HTMLParser):
    """Walks sanitised HTML, collecting the title, the whole text and the <main>/<article> text."""

    def __init__(self) -> None:
        super().__init__(convert_charrefs=True)
        self.title: list[str] = []
        self.heading: list[str] = []
        self.all: list[str] = []
        self.main: list[str] = []
        self._open: list[str] = []
        self._main_depth = 0
        self._main_done = False
        self._furniture_depth = 0
        self._seen_h1 = False

    def handle_starttag(self, tag: str, attrs) -> None:
        if tag == "br":
            self._emit("\n")
            return
        if tag == "hr":
            self._emit("\n\n")
            return
        self._open.append(tag)
        if tag in _MAIN and not self._main_done:
            self._main_depth += 1
        if tag in _FURNITURE:
            self._furniture_depth += 1
        if tag in _BLOCK:
            self._emit("\n\n")

    def handle_endtag(self, tag: str) -> None:
        if tag not in self._open:
            return
        while self._open:
            closed = self._open.pop()
            if closed in _MAIN and self._main_depth:
                self._main_depth -= 1
                self._main_done = self._main_depth == 0
            if closed in _FURNITURE:
                self._furniture_depth -= 1
            if closed == "h1":
                self._seen_h1 = True
            if closed == tag:
                break
        if tag in _BLOCK:
            self._emit("\n\n")

    def handle_data(self, data: str) -> None:
        if "title" in self._open:
            self.title.append(data)
            return
        if "h1" in self._open and not self._seen_h1:
            self.heading.append(data)
        self._emit(data)

    def _emit(self, text: str) -> None:
        if self._main_depth:
            self.main.append(text)
        if not self._furniture_depth:
            self.all.append(text)


def html_to_text(html: str) -> HtmlText:
    """Reduce an HTML page or fragment to its title and plain main text.

    The main text is the first <main> or <article> when the page has one, else everything but
    navigation, headers, footers and asides.
    """
    sanitised = nh3.clean(
        html.encode("utf-8", "replace").decode("utf-8"),
        tags=_KEPT_TAGS,
        attributes={},
        clean_content_tags=_DROPPED_WITH_CONTENT - _KEPT_TAGS,
        strip_comments=True,
    )
    collector = _TextCollector()
    collector.feed(sanitised)
    collector.close()
    main = clean_text("".join(collector.main))
    title = clean_line("".join(collector.title)) or clean_line("".join(collector.heading))
    return HtmlText(title=title, text=main or clean_text("".join(collector.all)))


# --- the service ----------------------------------------------------------------------------------


class NoticeInvalid(ValueError):
    """A notice that cannot be stored as given; `field` names the input at fault."""

    def __init__(self, field: str, message: str) -> None:
        super().__init__(f"{field}: {message}")
        self.field = field
        self.message = message


class NoticeTooLarge(NoticeInvalid):
    """The notice text is over NOTICE_MAX_BYTES."""


@dataclass(slots=True)
class IngestResult:
    """The stored notice; ``claims`` are those extracted by the time ingest returned: none while
    its extraction waits in the queue (``notice.state`` is then pending)."""

    notice: Notice
    created: bool
    claims: list[Claim] = field(default_factory=list)

    @property
    def pending(self) -> bool:
        return self.notice.state == NoticeState.PENDING


_URL = URLValidator(schemes=["http", "https"])


def notice_ingest(
    *,
    source: Source,
    title: str,
    published_at: datetime,
    body: str | None = None,
    html: str | None = None,
    url: str = "",
    language: str = "en",
    external_id: str = "",
    fetched_at: datetime | None = None,
    now: datetime | None = None,
    enqueue_extraction: bool = True,
) -> IngestResult:
    """Validate and store (once) a notice, and enqueue its extraction: the service behind the
    API, feeds and files.

    Give the text as `body` (plain text) or `html` (reduced to text here), not both. Raises
    `NoticeInvalid` (or `NoticeTooLarge`) naming the bad input before anything is written. A new
    notice is stored pending and its extraction is enqueued when the transaction commits (in an
    eager Celery setup, as `manage.py` commands run without a worker, it has then already run and
    the result carries its claims). With `enqueue_extraction=False` the caller extracts it itself
    (`extraction_service.notice_extract`); the sweeper still catches one it forgets. Sending the
    same text again returns the stored notice and the claims it has so far, and writes nothing.
    """
    now = now or timezone.now()
    text = _notice_text(body=body, html=html)
    cleaned_title = clean_line(title or "")
    if not cleaned_title:
        raise NoticeInvalid("title", "A notice needs a title.")
    if len(cleaned_title) > TITLE_MAX_CHARS:
        raise NoticeInvalid("title", f"Keep the title under {TITLE_MAX_CHARS} characters.")
    cleaned_url = clean_line(url or "")
    if cleaned_url:
        if len(cleaned_url) > URL_MAX_CHARS:
            raise NoticeInvalid("url", f"Keep the URL under {URL_MAX_CHARS} characters.")
        try:
            _URL(cleaned_url)
        except ValidationError:
            raise NoticeInvalid("url", "Give an http or https URL.") from None
    cleaned_id = clean_line(external_id or "")
    if len(cleaned_id) > EXTERNAL_ID_MAX_CHARS:
        raise NoticeInvalid(
            "external_id", f"Keep the external id under {EXTERNAL_ID_MAX_CHARS} characters."
        )
    language = (language or "en").strip()
    if len(language) > 16 or not _LANGUAGE.match(language):
        raise NoticeInvalid("language", "Give a language tag such as 'en' or 'ko-KP'.")
    if timezone.is_naive(published_at):
        raise NoticeInvalid("published_at", "Give the publication time with its time zone.")
    try:
        published_at = published_at.astimezone(UTC)
    except OverflowError:
        raise NoticeInvalid("published_at", "The publication time is out of range.") from None
    if published_at > now + FUTURE_TOLERANCE:
        raise NoticeInvalid("published_at", "The publication time is in the future.")

    with transaction.atomic():
        notice, created = notice_record(
            source=source,
            title=cleaned_title,
            body=text,
            published_at=published_at,
            url=cleaned_url,
            external_id=cleaned_id,
            language=language,
            fetched_at=fetched_at or now,
        )
        if created and enqueue_extraction:
            handoffs.notice_stored.open_after_commit(notice.pk)
    if created:
        # An eager task has run on commit by now; a queued one has not. Read which.
        notice.refresh_from_db(fields=["state", "extractor_version", "error"])
    claims: list[Claim] = []
    if notice.state == NoticeState.EXTRACTED:
        claims = list(notice.claims.select_related("destination").order_by("start", "id"))
    return IngestResult(notice=notice, created=created, claims=claims)


def _notice_text(*, body: str | None, html: str | None) -> str:
    if body is not None and html is not None:
        raise NoticeInvalid("html", "Give the text as body or as html, not both.")
    if body is None and html is None:
        raise NoticeInvalid("body", "A notice needs its text, as body (plain text) or html.")
    field_name, raw = ("body", body) if body is not None else ("html", html)
    assert raw is not None
    if len(raw.encode("utf-8", "replace")) > settings.NOTICE_MAX_BYTES:
        raise NoticeTooLarge(
            field_name, f"The text is over the limit of {settings.NOTICE_MAX_BYTES} bytes."
        )
    text = clean_text(raw) if field_name == "body" else html_to_text(raw).text
    if not text:
        raise NoticeInvalid(field_name, "The notice has no text.")
    return text
