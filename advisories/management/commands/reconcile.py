"""manage.py reconcile: run reconciliation synchronously and print each decision with its reason."""

from __future__ import annotations

from django.core.management.base import BaseCommand, CommandError
from django.utils import timezone

from advisories.reconciliation.service import (
    ReconcileOutcome,
    destination_reconcile,
    destinations_due,
    reconcile_pending,
)
from destinations.models import Destination


class Command(BaseCommand):
    help = "Reconcile due destinations (or one) and print each decision with the rule behind it."

    def add_arguments(self, parser):
        parser.add_argument("--destination", metavar="SLUG", help="Reconcile only this one.")
        parser.add_argument(
            "--dry-run", action="store_true", help="Decide and print, but write nothing."
        )
        parser.add_argument(
            "--explain", action="store_true", help="Also print every rule applied and claim fate."
        )

    def handle(self, *args, destination=None, dry_run=False, explain=False, **options):
        now = timezone.now()
        if destination:
            pk = Destination.objects.filter(slug=destination).values_list("pk", flat=True).first()
            if pk is None:
                raise CommandError(f"No destination with slug {destination!r}.")
            outcomes = [destination_reconcile(destination_id=pk, now=now, dry_run=dry_run)]
        elif dry_run:
            due = Destination.objects.filter(destinations_due(now)).values_list("pk", flat=True)
            outcomes = [
                destination_reconcile(destination_id=pk, now=now, dry_run=True) for pk in due
            ]
        else:
            outcomes = reconcile_pending(now=now).outcomes
        for outcome in outcomes:
            self._print(outcome, explain=explain)
        changes = sum(o.changes for o in outcomes)
        verb = "would write" if dry_run else "wrote"
        self.stdout.write(f"{len(outcomes)} destination(s) reconciled; {verb} {changes} change(s).")

    def _print(self, outcome: ReconcileOutcome, *, explain: bool) -> None:
        if outcome.skipped:
            self.stdout.write(f"{outcome.destination_id}: skipped (another worker has it)")
            return
        for pair in outcome.pairs:
            decision = pair.decision
            head = f"{outcome.slug} [{pair.audience}]"
            current = decision.current
            if current is None:
                self.stdout.write(
                    f"{head}: no status" + (" (in review)" if decision.in_review else "")
                )
            else:
                self.stdout.write(
                    f"{head}: {current.status} since {current.since:%Y-%m-%d %H:%M}, "
                    f"last confirmed {current.last_confirmed_at:%Y-%m-%d %H:%M} "
                    f"(rule {current.rule})" + (" — IN REVIEW" if decision.in_review else "")
                )
            for entry in decision.entries:
                mark = f" supersedes #{entry.supersedes_id}" if entry.supersedes_id else ""
                self.stdout.write(
                    f"  + {entry.effective_at:%Y-%m-%d %H:%M} {entry.previous_status} -> "
                    f"{entry.status} [{entry.rule}]{mark}: {entry.reason}"
                )
            for change_id, claim_ids in decision.links:
                self.stdout.write(
                    f"  ~ change #{change_id} gains evidence: claims {list(claim_ids)}"
                )
            if decision.review_claim_ids:
                self.stdout.write(f"  ? held for review: claims {list(decision.review_claim_ids)}")
            if explain:
                for note in decision.explanations:
                    self.stdout.write(f"    rule {note.rule}: {note.message}")
                for claim_id, (rule, message) in sorted(decision.claim_fates.items()):
                    self.stdout.write(f"    claim {claim_id}: {rule} — {message}")
