"""Score the extractor against a labelled corpus: claim precision, recall and errors by category.

A predicted claim is right when some expected claim of the same notice has the same destination,
audience and status and an effective date within ``tolerance_days``. Precision is the share of
predicted claims that are right; recall the share of expected claims that some prediction finds.
"""

from __future__ import annotations

import json
from collections import defaultdict
from dataclasses import dataclass, field
from datetime import date, datetime
from pathlib import Path

from .countries import country_entries
from .extractor import extract
from .gazetteer import Gazetteer
from .types import ExtractedClaim, GazetteerEntry

#: Authority by source kind, the 0-100 scale sources use.
SOURCE_AUTHORITY = {"official": 100, "operator": 60, "news": 40, "other": 20}

DEFAULT_CORPUS_DIR = Path(__file__).resolve().parents[2] / "tests" / "corpus"


@dataclass(frozen=True, slots=True)
class ExpectedClaim:
    destination: str
    audience: str
    status: str
    effective: date
    category: str

    @classmethod
    def parse(cls, line: str) -> ExpectedClaim:
        """Read the corpus shorthand "slug audience status YYYY-MM-DD category"."""
        slug, audience, status, day, category = line.split()
        return cls(slug, audience, status, date.fromisoformat(day), category)


@dataclass(frozen=True, slots=True)
class CorpusNotice:
    id: str
    source_kind: str
    published_at: datetime
    title: str
    body: str
    expected: tuple[ExpectedClaim, ...]
    unmatched: tuple[str, ...] = ()
    categories: tuple[str, ...] = ()


@dataclass(slots=True)
class CategoryErrors:
    expected: int = 0
    missed: int = 0
    spurious: int = 0


@dataclass(slots=True)
class NoticeErrors:
    notice_id: str
    missed: list[ExpectedClaim]
    spurious: list[ExtractedClaim]


@dataclass(slots=True)
class EvaluationReport:
    predicted: int = 0
    correct_predictions: int = 0
    expected: int = 0
    found: int = 0
    unmatched_expected: int = 0
    unmatched_found: int = 0
    by_category: dict[str, CategoryErrors] = field(
        default_factory=lambda: defaultdict(CategoryErrors)
    )
    notices: list[NoticeErrors] = field(default_factory=list)

    @property
    def precision(self) -> float:
        return self.correct_predictions / self.predicted if self.predicted else 1.0

    @property
    def recall(self) -> float:
        return self.found / self.expected if self.expected else 1.0


def load_corpus(path: Path) -> list[CorpusNotice]:
    """Notices of one corpus file (a JSON list, format described in tests/corpus/README.md)."""
    raw = json.loads(Path(path).read_text(encoding="utf-8"))
    return [
        CorpusNotice(
            id=item["id"],
            source_kind=item["source_kind"],
            published_at=datetime.fromisoformat(item["published_at"]),
            title=item["title"],
            body=item["body"],
            expected=tuple(ExpectedClaim.parse(line) for line in item["expected"]),
            unmatched=tuple(item.get("unmatched", ())),
            categories=tuple(item.get("categories", ())),
        )
        for item in raw
    ]


def load_gazetteer_entries(path: Path) -> list[GazetteerEntry]:
    raw = json.loads(Path(path).read_text(encoding="utf-8"))
    return [
        GazetteerEntry(
            id=item["id"],
            slug=item["slug"],
            name=item["name"],
            kind=item["kind"],
            country_code=item["country_code"],
            aliases=tuple(item.get("aliases", ())),
        )
        for item in raw
    ]


def corpus_gazetteer(corpus_dir: Path = DEFAULT_CORPUS_DIR) -> Gazetteer:
    """All countries plus the corpus's own destinations."""
    return Gazetteer([*country_entries(), *load_gazetteer_entries(corpus_dir / "gazetteer.json")])


def matches(expected: ExpectedClaim, claim: ExtractedClaim, tolerance_days: int) -> bool:
    return (
        expected.destination == claim.destination_slug
        and expected.audience == claim.audience
        and expected.status == claim.status
        and abs((claim.effective_at.date() - expected.effective).days) <= tolerance_days
    )


def evaluate(
    notices: list[CorpusNotice],
    *,
    gazetteer: Gazetteer,
    tolerance_days: int = 3,
) -> EvaluationReport:
    """Run the extractor over ``notices`` and compare with their labels."""
    report = EvaluationReport()
    for notice in notices:
        result = extract(
            title=notice.title,
            body=notice.body,
            published_at=notice.published_at,
            gazetteer=gazetteer,
            authority=SOURCE_AUTHORITY[notice.source_kind],
        )
        claims = result.claims
        missed = [
            e for e in notice.expected if not any(matches(e, c, tolerance_days) for c in claims)
        ]
        spurious = [
            c for c in claims if not any(matches(e, c, tolerance_days) for e in notice.expected)
        ]
        report.predicted += len(claims)
        report.correct_predictions += len(claims) - len(spurious)
        report.expected += len(notice.expected)
        report.found += len(notice.expected) - len(missed)
        for item in notice.expected:
            report.by_category[item.category].expected += 1
        for item in missed:
            report.by_category[item.category].missed += 1
        for claim in spurious:
            for category in dict.fromkeys((claim.category, *notice.categories)):
                report.by_category[category].spurious += 1
        names = {place.name for place in result.unmatched_places}
        report.unmatched_expected += len(notice.unmatched)
        report.unmatched_found += sum(1 for name in notice.unmatched if name in names)
        if missed or spurious:
            report.notices.append(NoticeErrors(notice.id, missed, spurious))
    return report


def format_report(report: EvaluationReport, *, verbose: bool = False) -> str:
    """A plain-text summary for the terminal."""
    lines = [
        f"claims predicted {report.predicted}, expected {report.expected}",
        f"precision {report.precision:.3f}  recall {report.recall:.3f}",
        f"unmatched places found {report.unmatched_found}/{report.unmatched_expected}",
        "category        expected  missed  spurious",
    ]
    for name in sorted(report.by_category):
        errors = report.by_category[name]
        lines.append(f"{name:<15} {errors.expected:>8} {errors.missed:>7} {errors.spurious:>9}")
    if verbose:
        for notice in report.notices:
            lines.append(f"- {notice.notice_id}")
            for item in notice.missed:
                lines.append(
                    f"    missed   {item.destination} {item.audience} {item.status} "
                    f"{item.effective}"
                )
            for claim in notice.spurious:
                lines.append(
                    f"    spurious {claim.destination_slug} {claim.audience} {claim.status} "
                    f"{claim.effective_at.date()} [{claim.pattern}] {claim.sentence[:80]!r}"
                )
    return "\n".join(lines)
