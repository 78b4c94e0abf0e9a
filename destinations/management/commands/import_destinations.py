"""manage.py import_destinations FILE.json — create or update destinations from a JSON list."""

from pathlib import Path

from django.core.management.base import BaseCommand, CommandError

from destinations.importing import ImportFileError, destinations_import


class Command(BaseCommand):
    help = "Create or update destinations from a JSON list; idempotent, all-or-nothing."

    def add_arguments(self, parser):
        parser.add_argument("file", type=Path)

    def handle(self, *args, file: Path, **options):
        try:
            text = file.read_text(encoding="utf-8")
        except (OSError, UnicodeDecodeError) as error:
            raise CommandError(f"cannot read {file}: {error}") from error
        try:
            counts = destinations_import(text=text)
        except ImportFileError as error:
            raise CommandError(
                f"{file}: nothing imported, {len(error.problems)} problem(s):\n"
                + "\n".join(f"  {problem}" for problem in error.problems)
            ) from error
        self.stdout.write(
            self.style.SUCCESS(
                f"{counts.created} created, {counts.updated} updated, {counts.unchanged} unchanged"
            )
        )
