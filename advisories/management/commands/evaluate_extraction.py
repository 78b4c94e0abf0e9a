"""Print the extractor's precision, recall and per-category errors on a labelled set."""

from pathlib import Path

from django.core.management.base import BaseCommand, CommandError

from advisories.extraction import EXTRACTOR_VERSION
from advisories.extraction.evaluation import (
    DEFAULT_CORPUS_DIR,
    REAL_SET_DIR,
    corpus_gazetteer,
    evaluate,
    evaluate_real_set,
    format_real_report,
    format_report,
    load_corpus,
)

SETS = {"development": ["notices.json"], "heldout": ["heldout.json"]}
SETS["all"] = SETS["development"] + SETS["heldout"]
REAL = "real"


class Command(BaseCommand):
    help = (
        "Evaluate the claim extractor: on the project's own corpus (tests/corpus/: development, "
        "heldout, all), or with --set real on a set of real published notices "
        "(../shared/corpus-real/ by default, scored with the rules of its score.py)."
    )

    def add_arguments(self, parser):
        parser.add_argument("--corpus-dir", type=Path, default=None)
        parser.add_argument(
            "--set", choices=[*sorted(SETS), REAL], default="all", dest="corpus_set"
        )
        parser.add_argument("--tolerance-days", type=int, default=3)
        parser.add_argument(
            "--errors", action="store_true", help="List every missed and spurious claim."
        )

    def handle(self, *args, corpus_dir, corpus_set: str, tolerance_days: int, errors, **kw):
        if corpus_set == REAL:
            self._real(corpus_dir or REAL_SET_DIR, tolerance_days, errors)
            return
        corpus_dir = corpus_dir or DEFAULT_CORPUS_DIR
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

    def _real(self, set_dir: Path, tolerance_days: int, errors: bool) -> None:
        if not (Path(set_dir) / "expected.json").is_file():
            raise CommandError(f"No real set in {set_dir} (expected.json is missing).")
        try:
            report = evaluate_real_set(Path(set_dir), tolerance_days=tolerance_days)
        except (OSError, ValueError, KeyError) as exc:
            raise CommandError(f"Cannot read the real set in {set_dir}: {exc}") from exc
        self.stdout.write(f"extractor {EXTRACTOR_VERSION}, real set {set_dir}")
        self.stdout.write(format_real_report(report, verbose=errors))
