"""The demo data set: North Korea's resorts and zones, the sources that speak of them, and
notices (written for this project) that tell their 2025 story."""

from __future__ import annotations

import json
from dataclasses import dataclass
from datetime import datetime
from pathlib import Path

from django.db import transaction
from django.utils import timezone

from advisories.extraction.service import notice_extract
from advisories.ingest.recording import source_get_or_create
from advisories.ingest.service import notice_ingest
from advisories.reconciliation.service import reconcile_pending
from destinations.importing import destinations_import

DEMO_DIR = Path(__file__).resolve().parent / "demo"


@dataclass
class DemoCounts:
    destinations_created: int = 0
    sources_created: int = 0
    notices_created: int = 0
    notices_total: int = 0
    claims: int = 0
    changes: int = 0


def demo_load(*, demo_dir: Path = DEMO_DIR, reconcile: bool = True) -> DemoCounts:
    """Load demo destinations, sources and notices, extract their claims and reconcile.

    Goes through the same services as real notices (ingest, extraction, reconciliation), so the
    board shows the story at once. The demo runs without a worker, so each new notice is
    extracted here, in this process, rather than queued. Running it again adds nothing.
    """
    counts = DemoCounts()
    with transaction.atomic():
        imported = destinations_import(text=(demo_dir / "destinations.json").read_text("utf-8"))
        counts.destinations_created = imported.created
        sources = {}
        for raw in json.loads((demo_dir / "sources.json").read_text("utf-8")):
            source, created = source_get_or_create(
                slug=raw["slug"], name=raw["name"], kind=raw["kind"], homepage=raw["homepage"]
            )
            sources[source.slug] = source
            counts.sources_created += created
        notices_file = demo_dir / "notices.json"
        raw_notices = json.loads(notices_file.read_text("utf-8")) if notices_file.exists() else []
        for raw in raw_notices:
            result = notice_ingest(
                source=sources[raw["source"]],
                title=raw["title"],
                body=raw["body"],
                published_at=datetime.fromisoformat(raw["published_at"]),
                url=raw.get("url", ""),
                language=raw.get("language", "en"),
                enqueue_extraction=False,
            )
            counts.notices_created += result.created
            counts.notices_total += 1
            extraction = notice_extract(notice_id=result.notice.pk)
            counts.claims += len(extraction.claims) if extraction else 0
    if reconcile:
        counts.changes = reconcile_pending(now=timezone.now()).changes
    return counts
