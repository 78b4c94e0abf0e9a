"""Print the extractor's precision, recall and per-category errors on the labelled corpus."""

from pathlib import Path

from django.core.management.base import BaseCommand, CommandError

from advisories.extraction import EXTRACTOR_VERSION
from advisories.extraction.evaluation import (
    DEFAULT_CORPUS_DIR,
    corpus_gazetteer,
    evaluate,
    format_report,
    load_corpus,
)

SETS = {"development": ["notices.json"], "heldout": ["heldout.json"]}
SETS["all"] = SETS["development"] + SETS["heldout"]


class Command(BaseCommand):
    help = "Evaluate the claim extractor against the labelled corpus in tests/corpus/."

    def add_arguments(self, parser):
        parser.add_argument("--corpus-dir", type=Path, default=DEFAULT_CORPUS_DIR)
        parser.add_argument("--set", choices=sorted(SETS), default="all", dest="corpus_set")
        parser.add_argument("--tolerance-days", type=int, default=3)
        parser.add_argument(
            "--errors", action="store_true", help="List every missed and spurious claim."
        )

    def handle(self, *args, corpus_dir: Path, corpus_set: str, tolerance_days: int, errors, **kw):
        try:
            gazetteer = corpus_gazetteer(corpus_dir)
            notices = [n for name in SETS[corpus_set] for n in load_corpus(corpus_dir / name)]
        except (OSError, ValueError, KeyError) as exc:
            raise CommandError(f"Cannot read the corpus in {corpus_dir}: {exc}") from exc
        report = evaluate(notices, gazetteer=gazetteer, tolerance_days=tolerance_days)
        self.stdout.write(
            f"extractor {EXTRACTOR_VERSION}, corpus {corpus_set}: {len(notices)} notices"
        )
        self.stdout.write(format_report(report, verbose=errors))
