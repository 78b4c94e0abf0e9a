"""The demo notices (advisories/demo/notices.json) tell the domain-facts timeline as claims."""

import json
from datetime import date, datetime
from pathlib import Path

import pytest

from advisories.extraction import Gazetteer, GazetteerEntry, extract
from advisories.extraction.countries import country_entries

DEMO = Path(__file__).resolve().parents[2] / "advisories" / "demo"
AUTHORITY = {"official": 100, "operator": 60, "news": 40, "other": 20}

# (notice title, expected (destination, audience, status, effective date))
EXPECTED = {
    "Rason: our first group is back across the border": {
        ("rason", "foreign", "open", "2025-02-20"),
    },
    "Masikryong: Russian ski groups on the slopes": {
        ("masikryong", "RU", "open", "2025-02-08"),
        ("masikryong", "foreign", "restricted", "2025-02-08"),
        ("masikryong", "RU", "open", "2025-02-10"),
        ("masikryong", "foreign", "restricted", "2025-02-10"),
    },
    "Rason tours halted weeks after restart": {("rason", "foreign", "suspended", "2025-03-05")},
    "Kim opens Wonsan-Kalma beach resort at ceremony": {
        ("wonsan-kalma", "domestic", "open", "2025-07-01"),
    },
    "Wonsan-Kalma welcomes its first holidaymakers": {
        ("wonsan-kalma", "domestic", "open", "2025-07-01"),
        ("wonsan-kalma", "foreign", "closed", "2025-07-01"),
    },
    # One event, one reading: the group's stay last weekend and the state since.
    "First Russian tourists holiday at Wonsan-Kalma": {
        ("wonsan-kalma", "RU", "open", "2025-07-05"),
        ("wonsan-kalma", "foreign", "restricted", "2025-07-05"),
    },
    "Foreign minister tours Wonsan-Kalma": set(),
    "Notice on the Wonsan-Kalma Coastal Tourist Zone": {
        ("wonsan-kalma", "foreign", "suspended", "2025-07-16"),
        ("wonsan-kalma", "domestic", "open", "2025-07-16"),
    },
    "North Korea shuts new beach resort to foreigners": {
        ("wonsan-kalma", "foreign", "suspended", "2025-07-16"),
    },
    # Praise ("a major draw") reports no change of access: it must not reopen the resort.
    "Moscow talks up North Korean beach resort": set(),
    "Rason still off limits to foreigners": {("rason", "foreign", "suspended", "2025-11-30")},
}


def _demo_gazetteer() -> Gazetteer:
    """Countries plus the demo destinations, with the aliases load_demo gives them."""
    raw = json.loads((DEMO / "destinations.json").read_text("utf-8"))
    entries = [
        GazetteerEntry(
            id=10_000 + index,
            slug=item["slug"],
            name=item["name"],
            kind=item["kind"],
            country_code=item.get("country_code") or "KP",
            aliases=tuple(item.get("aliases", ())),
        )
        for index, item in enumerate(raw)
    ]
    return Gazetteer([*country_entries(), *entries])


@pytest.fixture(scope="module")
def demo():
    notices = json.loads((DEMO / "notices.json").read_text("utf-8"))
    sources = {s["slug"]: s for s in json.loads((DEMO / "sources.json").read_text("utf-8"))}
    return notices, sources, _demo_gazetteer()


def test_demo_has_between_eight_and_twelve_notices(demo):
    notices, _, _ = demo
    assert 8 <= len(notices) <= 12


@pytest.mark.parametrize("title", sorted(EXPECTED))
def test_demo_notice_yields_the_timeline_claims(demo, title):
    notices, sources, gazetteer = demo
    notice = next(n for n in notices if n["title"] == title)
    result = extract(
        title=notice["title"],
        body=notice["body"],
        published_at=datetime.fromisoformat(notice["published_at"]),
        gazetteer=gazetteer,
        authority=AUTHORITY[sources[notice["source"]]["kind"]],
    )
    found = {
        (c.destination_slug, c.audience, c.status, c.effective_at.date().isoformat())
        for c in result.claims
    }
    # Dates count within three days, the same tolerance the corpus scorers use.
    assert _within_three_days(found, EXPECTED[title]), (found, EXPECTED[title])


def _within_three_days(found: set, expected: set) -> bool:
    def near(a, b):
        days = abs((date.fromisoformat(a[3]) - date.fromisoformat(b[3])).days)
        return a[:3] == b[:3] and days <= 3

    return all(any(near(f, e) for e in expected) for f in found) and all(
        any(near(f, e) for f in found) for e in expected
    )
