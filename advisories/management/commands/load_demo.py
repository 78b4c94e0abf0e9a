"""manage.py load_demo — the North Korean resort case, for trying Portcullis out."""

from django.core.management.base import BaseCommand

from advisories.demo_loader import demo_load


class Command(BaseCommand):
    help = "Load demo destinations, sources and notices (idempotent)."

    def handle(self, *args, **options):
        counts = demo_load()
        self.stdout.write(
            self.style.SUCCESS(
                f"demo: {counts.destinations_created} destinations, {counts.sources_created} "
                f"sources, {counts.notices_created} of {counts.notices_total} notices created, "
                f"{counts.claims} claims extracted, {counts.changes} status changes recorded"
            )
        )
