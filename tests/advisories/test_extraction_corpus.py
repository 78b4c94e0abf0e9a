"""Accuracy on the labelled corpus (tests/corpus/), and the evaluation arithmetic itself."""

from datetime import UTC, date, datetime

import pytest

from advisories.extraction.evaluation import (
    DEFAULT_CORPUS_DIR,
    CorpusNotice,
    ExpectedClaim,
    corpus_gazetteer,
    evaluate,
    load_corpus,
)


@pytest.fixture(scope="module")
def gazetteer():
    return corpus_gazetteer()


@pytest.fixture(scope="module")
def development_report(gazetteer):
    return evaluate(load_corpus(DEFAULT_CORPUS_DIR / "notices.json"), gazetteer=gazetteer)


def test_corpus_is_large_and_varied_enough():
    notices = [
        *load_corpus(DEFAULT_CORPUS_DIR / "notices.json"),
        *load_corpus(DEFAULT_CORPUS_DIR / "heldout.json"),
    ]
    destinations = {e.destination for n in notices for e in n.expected}
    gazetteer = corpus_gazetteer()
    countries = {gazetteer.by_slug[slug].country_code for slug in destinations}
    assert len(notices) >= 60
    assert len(destinations) >= 10
    assert len(countries) >= 4


def test_corpus_precision_is_at_least_095(development_report):
    assert development_report.precision >= 0.95


def test_corpus_recall_is_at_least_090(development_report):
    assert development_report.recall >= 0.90


def test_corpus_unmatched_places_are_all_reported(development_report):
    assert development_report.unmatched_found == development_report.unmatched_expected


def _notice(body, expected):
    return CorpusNotice(
        id="n",
        source_kind="news",
        published_at=datetime(2025, 7, 18, tzinfo=UTC),
        title="Notice",
        body=body,
        expected=tuple(ExpectedClaim.parse(line) for line in expected),
    )


def test_a_date_within_three_days_still_counts_as_right(gazetteer):
    notice = _notice(
        "Rason reopened to foreign tourists on 15 July.", ["rason foreign open 2025-07-12 x"]
    )
    report = evaluate([notice], gazetteer=gazetteer)
    assert (report.precision, report.recall) == (1.0, 1.0)


def test_a_date_four_days_off_counts_as_wrong(gazetteer):
    notice = _notice(
        "Rason reopened to foreign tourists on 16 July.", ["rason foreign open 2025-07-12 x"]
    )
    report = evaluate([notice], gazetteer=gazetteer)
    assert (report.precision, report.recall) == (0.0, 0.0)


def test_a_wrong_audience_is_a_miss_and_a_spurious_claim(gazetteer):
    notice = _notice(
        "Rason reopened to local visitors.", ["rason foreign open 2025-07-18 reopening"]
    )
    report = evaluate([notice], gazetteer=gazetteer)
    assert report.by_category["reopening"].missed == 1
    assert report.by_category["domestic"].spurious == 1


def test_expected_claim_shorthand_is_parsed():
    parsed = ExpectedClaim.parse("wonsan-kalma RU open 2025-07-05 restriction")
    assert parsed == ExpectedClaim("wonsan-kalma", "RU", "open", date(2025, 7, 5), "restriction")
