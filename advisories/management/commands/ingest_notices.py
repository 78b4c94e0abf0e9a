"""manage.py ingest_notices PATH [PATH ...] --source SLUG: notices from .txt, .html, .json, .eml."""

from __future__ import annotations

import sys
from datetime import UTC, datetime
from pathlib import Path

from django.core.exceptions import ValidationError
from django.core.management.base import BaseCommand, CommandError, CommandParser
from django.core.validators import validate_slug
from tqdm import tqdm

from advisories.ingest.files import (
    SUFFIXES,
    FileNotice,
    FileUnreadable,
    notice_files,
    read_notice_file,
)
from advisories.ingest.recording import source_get_or_create
from advisories.ingest.service import IngestResult, NoticeInvalid, notice_ingest
from advisories.models import SourceKind
from destinations.models import Audience
from destinations.moments import parse_moment

# Below this many files a progress bar is noise.
PROGRESS_BAR_FROM = 5


class Command(BaseCommand):
    help = (
        "Ingest notices from files: .txt (first line is the title), .html (title and main text), "
        ".json (the API's fields; one object or a list), .eml (subject, date, body). "
        "Directories are searched for such files. Each new notice is queued for the extraction "
        "worker; with CELERY_TASK_ALWAYS_EAGER=1 (no worker) it is extracted here, and the "
        "claims found in it are printed."
    )

    def add_arguments(self, parser: CommandParser) -> None:
        parser.add_argument("paths", nargs="+", type=Path, metavar="PATH")
        parser.add_argument("--source", required=True, metavar="SLUG", help="Source slug.")
        parser.add_argument(
            "--source-kind",
            default=None,
            choices=SourceKind.values,
            help="Kind of the source if it has to be created: it gets that kind's authority. "
            "Without it a new source is 'other' with the lowest authority. Either way a created "
            "source is flagged 'needs rating' in the admin.",
        )
        parser.add_argument(
            "--published-at",
            metavar="ISO-DATE",
            help="Publication date for files that do not carry one (default: the file's "
            "modification time).",
        )

    def handle(self, *args, **options) -> None:
        try:
            validate_slug(options["source"])
        except ValidationError:
            raise CommandError(
                f"--source {options['source']!r} is not a slug (letters, digits, - and _)."
            ) from None
        default_published: datetime | None = None
        if options["published_at"]:
            try:
                default_published = parse_moment(options["published_at"], date_means="start")
            except ValueError as exc:
                raise CommandError(f"--published-at: {exc}") from None
        source, created = source_get_or_create(
            slug=options["source"], kind=options["source_kind"], implicit=True
        )
        if created:
            self.stdout.write(
                f"Created source {source.slug!r} ({source.kind}, authority {source.authority}); "
                "a curator should rate it in the admin."
            )

        files = notice_files(options["paths"])
        if not files:
            raise CommandError(f"No notice files ({', '.join(SUFFIXES)}) found.")
        counts = {"new": 0, "existing": 0, "claims": 0, "queued": 0, "problems": 0}
        progress = tqdm(files, unit="file", file=sys.stderr, disable=len(files) < PROGRESS_BAR_FROM)
        for path in progress:
            try:
                notices = read_notice_file(path, source_slug=source.slug)
            except FileUnreadable as exc:
                self._problem(progress, f"{path}: {exc}", counts)
                continue
            for item in notices:
                if isinstance(item, FileUnreadable):
                    self._problem(progress, str(item), counts)
                    continue
                self._ingest(progress, item, path, source, default_published, counts)

        summary = (
            f"{counts['new']} new notice(s), {counts['existing']} already stored, "
            f"{counts['claims']} claim(s) found"
        )
        summary += f", {counts['queued']} queued for extraction." if counts["queued"] else "."
        self.stdout.write(self.style.SUCCESS(summary))
        if counts["problems"]:
            raise CommandError(f"{counts['problems']} notice(s) could not be ingested (see above).")

    def _ingest(self, progress, item: FileNotice, path: Path, source, default, counts) -> None:
        published, origin = item.published_at, ""
        if published is None:
            published = default
        if published is None:
            mtime = datetime.fromtimestamp(path.stat().st_mtime, tz=UTC)
            published, origin = mtime, " (dated by the file's modification time)"
        try:
            result = notice_ingest(
                source=source,
                title=item.title,
                body=item.body,
                html=item.html,
                url=item.url,
                published_at=published,
                language=item.language,
                external_id=item.external_id,
            )
        except NoticeInvalid as exc:
            self._problem(progress, f"{item.label}: {exc.field}: {exc.message}", counts)
            return
        counts["new" if result.created else "existing"] += 1
        counts["claims"] += len(result.claims) if result.created else 0
        counts["queued"] += result.created and result.pending
        self._report(progress, item.label, result, origin)

    def _report(self, progress, label: str, result: IngestResult, origin: str) -> None:
        notice = result.notice
        state = "new" if result.created else "already stored"
        found = "queued for extraction" if result.pending else f"{len(result.claims)} claim(s)"
        lines = [f"{label}: {state} notice #{notice.pk} {notice.title!r}{origin}: {found}"]
        for claim in result.claims:
            lines.append(
                f"    {claim.destination.slug}: {claim.status} for "
                f"{Audience.label(claim.audience)} from {claim.effective_at:%Y-%m-%d} "
                f"(confidence {claim.confidence:.2f})"
            )
        with progress.external_write_mode(file=sys.stderr):
            self.stdout.write("\n".join(lines))

    def _problem(self, progress, message: str, counts: dict[str, int]) -> None:
        counts["problems"] += 1
        with progress.external_write_mode(file=sys.stderr):
            self.stderr.write(self.style.ERROR(f"Skipped {message}"))
