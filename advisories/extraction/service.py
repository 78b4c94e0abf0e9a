"""The database side of extraction: load the gazetteer, turn a stored notice into Claim rows.

The extractor itself (`advisories.extraction`) is pure; this module owns the writes. Everything a
notice's extraction changes (claims, unmatched places, the notice's state, the destinations'
reconciliation markers) is written in one transaction, and running it twice over the same notice
with the same extractor writes nothing new.
"""

from __future__ import annotations

import logging
import threading
from collections.abc import Iterable
from dataclasses import dataclass
from datetime import datetime, timedelta

from django.conf import settings
from django.db import transaction
from django.db.models import Count, F, Max, Sum
from django.db.models.functions import Length
from django.utils import timezone
from django.utils.text import slugify

from advisories import handoffs
from advisories.extraction import EXTRACTOR_VERSION, Gazetteer, GazetteerEntry, extract
from advisories.extraction.types import ExtractedClaim
from advisories.models import Claim, Notice, NoticeState, ReviewState, UnmatchedPlace
from destinations.models import Destination, DestinationAlias
from destinations.normalise import normalise_name
from destinations.services import claims_changed

logger = logging.getLogger(__name__)

_cache_lock = threading.Lock()
_cached: tuple[tuple, Gazetteer] | None = None


class ExtractionFailed(Exception):
    """The extractor raised on a notice; the notice is marked failed with the error."""


def _gazetteer_signature() -> tuple:
    """Cheap fingerprint of everything the gazetteer is built from (two aggregate queries).

    Destinations carry ``updated_at``; aliases do not, so their count, highest id and total name
    length stand in. A same-length alias rename slips through: call ``gazetteer_invalidate``.
    """
    destinations = Destination.objects.aggregate(count=Count("id"), latest=Max("updated_at"))
    aliases = DestinationAlias.objects.aggregate(
        count=Count("id"), latest=Max("id"), size=Sum(Length("normalised"))
    )
    return (
        destinations["count"],
        destinations["latest"],
        aliases["count"],
        aliases["latest"],
        aliases["size"],
    )


def gazetteer_invalidate() -> None:
    """Forget the cached gazetteer; the next ``gazetteer_load`` rebuilds it."""
    global _cached
    with _cache_lock:
        _cached = None


def gazetteer_load() -> Gazetteer:
    """The gazetteer of every destination and alias, rebuilt only when they have changed.

    Building costs tens of milliseconds for a few thousand names; checking the fingerprint costs
    two queries, so every notice sees current destinations without paying for a rebuild.
    """
    global _cached
    signature = _gazetteer_signature()
    with _cache_lock:
        if _cached is not None and _cached[0] == signature:
            return _cached[1]
    aliases: dict[int, list[str]] = {}
    for destination_id, name in DestinationAlias.objects.values_list("destination_id", "name"):
        aliases.setdefault(destination_id, []).append(name)
    entries = [
        GazetteerEntry(
            id=pk,
            slug=slug,
            name=name,
            kind=kind,
            country_code=country_code,
            aliases=tuple(aliases.get(pk, ())),
        )
        for pk, slug, name, kind, country_code in Destination.objects.values_list(
            "id", "slug", "name", "kind", "country_code"
        ).order_by("id")
    ]
    gazetteer = Gazetteer(entries)
    with _cache_lock:
        _cached = (signature, gazetteer)
    return gazetteer


@dataclass(frozen=True)
class _Identity:
    destination_id: int
    audience: str
    status: str
    effective_at: datetime
    start: int


def _identity_of(claim: Claim | ExtractedClaim) -> _Identity:
    destination_id = getattr(claim, "destination_id", None)
    return _Identity(destination_id, claim.audience, claim.status, claim.effective_at, claim.start)


@dataclass(frozen=True)
class NoticeExtraction:
    """What the worker did with one notice: its state afterwards and its claims."""

    state: str
    claims: list[Claim]


def notice_extract(*, notice_id: int) -> NoticeExtraction | None:
    """Extract one stored notice that waits for it: the unit of work of the extraction worker.

    Returns None, writing nothing, when the notice is gone or no longer pending (a redelivered
    message, or the sweeper's duplicate). An extractor bug does not lose the notice: it is kept,
    marked failed with the error (``manage.py reextract`` tries again once the extractor is
    fixed), and the outcome says so with no claims. Database errors propagate: the notice stays
    pending, so the task's retry or the sweeper tries again.
    """
    notice = Notice.objects.select_related("source").filter(pk=notice_id).first()
    if notice is None or notice.state != NoticeState.PENDING:
        return None
    try:
        claims = notice_extract_claims(notice=notice)
    except ExtractionFailed as exc:
        logger.warning("Extraction failed for notice %s: %s", notice.pk, exc)
        return NoticeExtraction(state=NoticeState.FAILED, claims=[])
    return NoticeExtraction(state=NoticeState.EXTRACTED, claims=claims)


def notice_extract_claims(*, notice: Notice, gazetteer: Gazetteer | None = None) -> list[Claim]:
    """Extract claims from a stored notice and write them; returns the notice's current claims.

    Idempotent: a claim is identified by (notice, destination, audience, status, effective_at,
    start), which the database also enforces, so a second run finds every claim already there.
    A re-run with a newer extractor updates what it still finds, adds what is new, and deals with
    claims it no longer produces as described in ``_retire``. Claims below
    ``settings.CLAIM_REVIEW_CONFIDENCE`` wait for a curator (review state "needs_review"). Each
    destination whose claims changed gets its ``claims_version`` bumped, which is what tells
    reconciliation to look at it again.

    If the extractor raises, the notice is marked failed with the error and ``ExtractionFailed``
    is raised.
    """
    gazetteer = gazetteer or gazetteer_load()
    source = notice.source
    try:
        result = extract(
            title=notice.title,
            body=notice.body,
            published_at=notice.published_at,
            gazetteer=gazetteer,
            authority=source.authority,
        )
    except Exception as exc:
        error = f"{type(exc).__name__}: {exc}"[:2000]
        Notice.objects.filter(pk=notice.pk).update(state=NoticeState.FAILED, error=error)
        notice.state, notice.error = NoticeState.FAILED, error
        raise ExtractionFailed(error) from exc

    threshold = settings.CLAIM_REVIEW_CONFIDENCE
    with transaction.atomic():
        # One extraction per notice at a time; a concurrent twin waits, then finds its work done.
        locked = Notice.objects.select_for_update().get(pk=notice.pk)
        first_extraction = not locked.extractor_version
        existing = {_identity_of(c): c for c in Claim.objects.filter(notice=locked)}
        # Lock the destinations before touching their claims, in pk order, the order
        # reconciliation takes them in: the two then queue instead of deadlocking.
        involved = {c.destination_id for c in result.claims} | {
            c.destination_id for c in existing.values()
        }
        list(
            Destination.objects.select_for_update(no_key=True)
            .filter(pk__in=involved)
            .order_by("pk")
            .values_list("pk", flat=True)
        )
        touched: set[int] = set()
        wanted: dict[_Identity, ExtractedClaim] = {}
        for extracted in result.claims:
            identity = _Identity(
                extracted.destination_id,
                extracted.audience,
                extracted.status,
                extracted.effective_at,
                extracted.start,
            )
            if identity not in wanted or extracted.confidence > wanted[identity].confidence:
                wanted[identity] = extracted

        to_create = []
        for identity, extracted in wanted.items():
            claim = existing.get(identity)
            if claim is None:
                to_create.append(_new_claim(locked, extracted, threshold))
                touched.add(extracted.destination_id)
            elif _refresh(claim, extracted, threshold):
                touched.add(claim.destination_id)
        Claim.objects.bulk_create(to_create)
        touched |= _retire([c for i, c in existing.items() if i not in wanted])

        _record_unmatched(locked, result.unmatched_places, count_sighting=first_extraction)
        Notice.objects.filter(pk=locked.pk).update(
            state=NoticeState.EXTRACTED, extractor_version=EXTRACTOR_VERSION, error=""
        )
        claims_changed(destination_ids=touched)
    notice.state, notice.extractor_version, notice.error = (
        NoticeState.EXTRACTED,
        EXTRACTOR_VERSION,
        "",
    )
    return list(
        Claim.objects.filter(notice=notice).select_related("destination").order_by("start", "id")
    )


def _review_state_for(confidence: float, threshold: float) -> str:
    return ReviewState.NEEDS_REVIEW if confidence < threshold else ReviewState.AUTO


def _new_claim(notice: Notice, extracted: ExtractedClaim, threshold: float) -> Claim:
    return Claim(
        notice=notice,
        destination_id=extracted.destination_id,
        audience=extracted.audience,
        status=extracted.status,
        effective_at=extracted.effective_at,
        confidence=extracted.confidence,
        sentence=extracted.sentence,
        start=extracted.start,
        end=extracted.end,
        extractor_version=EXTRACTOR_VERSION,
        category=extracted.category,
        review_state=_review_state_for(extracted.confidence, threshold),
    )


def _refresh(claim: Claim, extracted: ExtractedClaim, threshold: float) -> bool:
    """Bring a still-produced claim up to the current extractor; True if reconciliation cares.

    A curator's verdict (accepted/rejected) is never overwritten by a machine.
    """
    fields = {
        "confidence": extracted.confidence,
        "sentence": extracted.sentence,
        "end": extracted.end,
        "category": extracted.category,
        "extractor_version": EXTRACTOR_VERSION,
    }
    if claim.review_state in (ReviewState.AUTO, ReviewState.NEEDS_REVIEW):
        fields["review_state"] = _review_state_for(extracted.confidence, threshold)
    changed = [name for name, value in fields.items() if getattr(claim, name) != value]
    if not changed:
        return False
    review_changed = "review_state" in changed
    for name in changed:
        setattr(claim, name, fields[name])
    claim.save(update_fields=changed)
    return review_changed


def _retire(stale: Iterable[Claim]) -> set[int]:
    """Claims a newer extractor no longer produces.

    A claim nobody relied on (automatic, not evidence for any status change) is deleted. A claim
    that is evidence for a recorded status change, or that a curator has judged, is kept, because
    the history must keep pointing at what justified it; it is marked rejected with a note, so
    reconciliation stops counting it from now on while its evidence link survives.
    """
    touched: set[int] = set()
    stale = list(stale)
    if not stale:
        return touched
    linked = set(
        Claim.changes.through.objects.filter(claim_id__in=[c.pk for c in stale]).values_list(
            "claim_id", flat=True
        )
    )
    to_delete = []
    for claim in stale:
        if claim.pk in linked or claim.review_state in (
            ReviewState.ACCEPTED,
            ReviewState.REJECTED,
        ):
            if claim.review_state != ReviewState.REJECTED:
                claim.review_state = ReviewState.REJECTED
                claim.review_note = (
                    f"{claim.review_note}\n" if claim.review_note else ""
                ) + f"Superseded: extractor {EXTRACTOR_VERSION} no longer reads this claim."
                claim.save(update_fields=["review_state", "review_note"])
                touched.add(claim.destination_id)
        else:
            to_delete.append(claim.pk)
            touched.add(claim.destination_id)
    if to_delete:
        Claim.objects.filter(pk__in=to_delete).delete()
    return touched


def _record_unmatched(notice: Notice, places, *, count_sighting: bool) -> None:
    """Keep one row per unknown place name; count each notice that mentions it once."""
    for place in places:
        normalised = normalise_name(place.name)[:200]
        if not normalised:
            continue
        row, created = UnmatchedPlace.objects.get_or_create(
            normalised=normalised,
            defaults={"name": place.name[:200], "first_notice": notice, "sentence": place.sentence},
        )
        if not created and count_sighting:
            UnmatchedPlace.objects.filter(pk=row.pk).update(seen_count=F("seen_count") + 1)


def notices_reextract(*, since: datetime | None = None, batch_size: int = 200) -> ReextractSummary:
    """Run the current extractor over stored notices (published since ``since``, if given).

    Notices already extracted by this very version are skipped, so an interrupted run resumes
    where it stopped and a second run does nothing.
    """
    summary = ReextractSummary()
    gazetteer = gazetteer_load()
    queryset = Notice.objects.select_related("source").order_by("published_at", "id")
    if since is not None:
        queryset = queryset.filter(published_at__gte=since)
    for notice in queryset.iterator(chunk_size=batch_size):
        summary.seen += 1
        if notice.extractor_version == EXTRACTOR_VERSION and notice.state == NoticeState.EXTRACTED:
            summary.skipped += 1
            continue
        try:
            notice_extract_claims(notice=notice, gazetteer=gazetteer)
        except ExtractionFailed:
            logger.exception("Re-extraction failed for notice %s", notice.pk)
            summary.failed += 1
            continue
        summary.extracted += 1
    return summary


@dataclass
class ReextractSummary:
    seen: int = 0
    extracted: int = 0
    skipped: int = 0
    failed: int = 0


def unmatched_place_create_destination(
    *, place: UnmatchedPlace, kind: str = "site", country_code: str | None = None
) -> Destination:
    """Turn a curator-confirmed unknown place into a destination, and have its notice re-read.

    The country defaults to the one the place's first notice is about (the country of the
    destinations claimed there), which is right for "the Chilbo Mountain area" in a North Korean
    notice. That notice is queued for the worker to read again, so its claims about the new place
    appear as soon as the worker has read it.
    """

    if place.resolved_destination_id:
        return place.resolved_destination
    if country_code is None:
        codes = set()
        if place.first_notice_id:
            codes = set(
                Claim.objects.filter(notice_id=place.first_notice_id)
                .exclude(destination__country_code="")
                .values_list("destination__country_code", flat=True)
            )
        country_code = codes.pop() if len(codes) == 1 else ""
    base = slugify(place.name)[:100] or "place"
    slug, suffix = base, 2
    while Destination.objects.filter(slug=slug).exists():
        slug, suffix = f"{base}-{suffix}", suffix + 1
    with transaction.atomic():
        parent = (
            Destination.objects.filter(kind="country", country_code=country_code).first()
            if country_code
            else None
        )
        destination = Destination.objects.create(
            slug=slug, name=place.name, kind=kind, country_code=country_code, parent=parent
        )
        UnmatchedPlace.objects.filter(pk=place.pk).update(resolved_destination=destination)
        place.resolved_destination = destination
        if place.first_notice_id:
            notice_extraction_request(notice_id=place.first_notice_id)
    gazetteer_invalidate()
    return destination


def notice_extraction_request(*, notice_id: int, now: datetime | None = None) -> None:
    """Have the worker read a stored notice again (its claims stay until it has).

    The notice goes back to pending, so the sweeper catches it if the message is lost, and the
    extraction is enqueued on commit: a curator's action in the admin, a web process, never
    loads the language model itself.
    """
    Notice.objects.filter(pk=notice_id).update(
        state=NoticeState.PENDING, queued_at=now or timezone.now()
    )
    handoffs.notice_stored.open_after_commit(notice_id)


def notices_requeue_stale(*, now: datetime, older_than: timedelta | None = None) -> int:
    """Enqueue again every notice pending longer than ``older_than`` since it was last enqueued
    (default ``settings.EXTRACTION_REQUEUE_AFTER``); returns how many.

    Each is re-marked as enqueued now, so a backlog the worker is still working through is
    enqueued again only once per period, not at every sweep. Two sweeps at once skip each
    other's rows (PostgreSQL); a duplicate message would be harmless anyway, as the task leaves
    a notice that is no longer pending alone.
    """
    cutoff = now - (older_than if older_than is not None else settings.EXTRACTION_REQUEUE_AFTER)
    with transaction.atomic():
        stale = list(
            Notice.objects.select_for_update(skip_locked=True)
            .filter(state=NoticeState.PENDING, queued_at__lt=cutoff)
            .order_by("queued_at", "id")
            .values_list("pk", flat=True)[: settings.EXTRACTION_REQUEUE_BATCH]
        )
        if not stale:
            return 0
        Notice.objects.filter(pk__in=stale).update(queued_at=now)
        for notice_id in stale:
            handoffs.notice_stored.open_after_commit(notice_id)
    logger.info("ingest: enqueued the extraction of %s pending notice(s) again", len(stale))
    return len(stale)
