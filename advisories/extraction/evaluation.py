"""Score the extractor against a labelled corpus: claim precision, recall and errors by category.

A predicted claim is right when some expected claim of the same notice has the same destination,
audience and status and an effective date within ``tolerance_days``. Precision is the share of
predicted claims that are right; recall the share of expected claims that some prediction finds.
"""

from __future__ import annotations

import json
from collections import defaultdict
from dataclasses import dataclass, field
from datetime import UTC, date, datetime
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


# -- a set of real published notices (../shared/corpus-real layout) ------------------------------
#: Where the development set of real notices lives beside a checkout, when it is there.
REAL_SET_DIR = Path(__file__).resolve().parents[3] / "shared" / "corpus-real"
_REAL_ID_BASE = 100_000


@dataclass(frozen=True, slots=True)
class RealClaim:
    destination: str
    audience: str
    status: str
    effective: date
    also: tuple[str, ...] = ()
    history: bool = False

    def accepts(self, claim: ExtractedClaim, tolerance_days: int) -> bool:
        return (
            self.destination == claim.destination_slug
            and self.audience == claim.audience
            and claim.status in (self.status, *self.also)
            and abs((claim.effective_at.date() - self.effective).days) <= tolerance_days
        )


@dataclass(frozen=True, slots=True)
class RealNotice:
    file: str
    source_kind: str
    published_at: datetime
    title: str
    body: str
    expected: tuple[RealClaim, ...]
    optional: tuple[RealClaim, ...]


@dataclass(slots=True)
class RealReport:
    right: int = 0
    missed: int = 0
    good: int = 0
    extra: int = 0
    lines: list[str] = field(default_factory=list)
    extra_by_category: dict[str, int] = field(default_factory=lambda: defaultdict(int))
    missed_by_kind: dict[str, int] = field(default_factory=lambda: defaultdict(int))

    @property
    def precision(self) -> float:
        return self.good / (self.good + self.extra) if self.good + self.extra else 0.0

    @property
    def recall(self) -> float:
        return self.right / (self.right + self.missed) if self.right + self.missed else 0.0


def _real_claim(raw: dict, slugs: dict[str, str]) -> RealClaim:
    return RealClaim(
        destination=slugs.get(raw["destination"], raw["destination"]),
        audience=(raw.get("audience") or "foreign"),
        status=raw["status"],
        effective=date.fromisoformat(raw["effective_at"][:10]),
        also=tuple(raw.get("also_acceptable", ())),
        history=bool(raw.get("history")),
    )


def load_real_set(set_dir: Path) -> tuple[list[RealNotice], Gazetteer]:
    """The notices of a real set and a gazetteer of every country plus the set's destinations.

    Countries keep the project's own slugs (matched by country code), as ``score.py`` does.
    """
    spec = json.loads((Path(set_dir) / "expected.json").read_text(encoding="utf-8"))
    countries = country_entries()
    by_code = {entry.country_code: entry.slug for entry in countries}
    slugs: dict[str, str] = {}
    places: dict[str, GazetteerEntry] = {}
    for item in spec:
        for raw in item["destinations"]:
            if raw["kind"] == "country" and raw["country_code"] in by_code:
                slugs[raw["slug"]] = by_code[raw["country_code"]]
            elif raw["slug"] not in places:
                places[raw["slug"]] = GazetteerEntry(
                    id=_REAL_ID_BASE + len(places),
                    slug=raw["slug"],
                    name=raw["name"],
                    kind=raw["kind"],
                    country_code=raw.get("country_code") or "",
                    aliases=tuple(raw.get("aliases", ())),
                )
    notices = []
    for item in spec:
        text = (Path(set_dir) / item["file"]).read_text(encoding="utf-8")
        title, _, body = text.partition("\n")
        published = datetime.fromisoformat(item["published_at"])
        if published.tzinfo is None:
            published = published.replace(tzinfo=UTC)
        notices.append(
            RealNotice(
                file=item["file"],
                source_kind=item["source_kind"],
                published_at=published,
                title=title.strip(),
                body=body.strip(),
                expected=tuple(_real_claim(c, slugs) for c in item["expected"]),
                optional=tuple(_real_claim(c, slugs) for c in item.get("optional", ())),
            )
        )
    return notices, Gazetteer([*countries, *places.values()])


def evaluate_real_set(set_dir: Path, *, tolerance_days: int = 3) -> RealReport:
    """Score the extractor on a real set with ``score.py``'s rules: recall over required claims,
    precision over distinct extracted claims against required plus optional ones."""
    notices, gazetteer = load_real_set(set_dir)
    report = RealReport()
    for notice in notices:
        result = extract(
            title=notice.title,
            body=notice.body,
            published_at=notice.published_at,
            gazetteer=gazetteer,
            authority=SOURCE_AUTHORITY.get(notice.source_kind, 20),
        )
        distinct: dict[tuple, ExtractedClaim] = {}
        for claim in result.claims:
            key = (claim.destination_slug, claim.audience, claim.status, claim.effective_at.date())
            distinct.setdefault(key, claim)
        for expected in notice.expected:
            if any(expected.accepts(c, tolerance_days) for c in distinct.values()):
                report.right += 1
            else:
                report.missed += 1
                kind = "history" if expected.history else expected.status
                report.missed_by_kind[kind] += 1
                report.lines.append(
                    f"MISS  {notice.file}: {expected.destination} {expected.audience} "
                    f"{expected.status} {expected.effective}"
                )
        allowed = (*notice.expected, *notice.optional)
        for claim in distinct.values():
            if any(a.accepts(claim, tolerance_days) for a in allowed):
                report.good += 1
            else:
                report.extra += 1
                report.extra_by_category[claim.category] += 1
                report.lines.append(
                    f"EXTRA {notice.file}: {claim.destination_slug} {claim.audience} "
                    f"{claim.status} {claim.effective_at.date()} [{claim.pattern}] "
                    f"{claim.sentence[:100]!r}"
                )
    return report


def format_real_report(report: RealReport, *, verbose: bool = False) -> str:
    lines = [
        f"precision {report.precision:.2f}  recall {report.recall:.2f}  "
        f"({report.right} right, {report.extra} extra, {report.missed} missed)",
        "extra claims by category: "
        + ", ".join(f"{k} {v}" for k, v in sorted(report.extra_by_category.items())),
        "missed claims by kind:    "
        + ", ".join(f"{k} {v}" for k, v in sorted(report.missed_by_kind.items())),
    ]
    if verbose:
        lines += report.lines
    return "\n".join(lines)
