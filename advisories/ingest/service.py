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
from dataclasses import dataclass, field
from datetime import UTC, datetime, timedelta

from django.conf import settings
from django.core.exceptions import ValidationError
from django.core.validators import URLValidator
from django.db import transaction
from django.utils import timezone

from advisories import handoffs
from advisories.ingest.recording import notice_record
from advisories.ingest.text import clean_line, clean_text, html_to_text, is_language_tag
from advisories.models import Claim, Notice, NoticeState, Source

logger = logging.getLogger(__name__)

TITLE_MAX_CHARS = Notice._meta.get_field("title").max_length
URL_MAX_CHARS = Notice._meta.get_field("url").max_length
EXTERNAL_ID_MAX_CHARS = Notice._meta.get_field("external_id").max_length
# Sources' clocks and time zones are sloppy; a notice dated a little ahead is still believable.
FUTURE_TOLERANCE = timedelta(days=1)


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
    if not is_language_tag(language):
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
