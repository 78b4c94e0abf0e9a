"""Re-run the current extractor over stored notices, idempotently."""

from datetime import UTC, datetime, time

from django.core.management.base import BaseCommand, CommandError
from django.utils.dateparse import parse_date, parse_datetime

from advisories.extraction import EXTRACTOR_VERSION
from advisories.extraction.service import notices_reextract


class Command(BaseCommand):
    help = (
        "Re-extract claims from stored notices with the current extractor. Notices already "
        "extracted by this version are skipped; claims that are evidence for a status change "
        "are kept (marked rejected when no longer produced), never deleted."
    )

    def add_arguments(self, parser):
        parser.add_argument(
            "--since", help="Only notices published on or after this ISO date or datetime."
        )

    def handle(self, *args, since=None, **options):
        since_at = None
        if since:
            parsed = parse_datetime(since)
            if parsed is None:
                day = parse_date(since)
                if day is None:
                    raise CommandError(f"--since {since!r} is not an ISO date such as 2025-07-01.")
                parsed = datetime.combine(day, time(0, 0), tzinfo=UTC)
            elif parsed.tzinfo is None:
                parsed = parsed.replace(tzinfo=UTC)
            since_at = parsed
        summary = notices_reextract(since=since_at)
        self.stdout.write(
            f"extractor {EXTRACTOR_VERSION}: {summary.seen} notices seen, "
            f"{summary.extracted} extracted, {summary.skipped} already current, "
            f"{summary.failed} failed"
        )
