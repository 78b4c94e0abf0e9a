"""Re-run the current extractor over stored notices, idempotently."""

from django.core.management.base import BaseCommand, CommandError

from advisories.extraction import EXTRACTOR_VERSION
from advisories.extraction.service import notices_reextract
from destinations.moments import parse_moment


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
            try:
                parsed = parse_moment(since, date_means="start")
            except ValueError as error:
                raise CommandError(f"--since: {error}") from None
            since_at = parsed
        summary = notices_reextract(since=since_at)
        self.stdout.write(
            f"extractor {EXTRACTOR_VERSION}: {summary.seen} notices seen, "
            f"{summary.extracted} extracted, {summary.skipped} already current, "
            f"{summary.failed} failed"
        )
