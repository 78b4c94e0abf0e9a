"""The column sets are versioned and documented: the header is the set, and docs/export.md
describes every column of every set under its version."""

import json
import re
from pathlib import Path

import pytest

from publishing.export.columns import CHANGES, CURRENT
from tests.factories import StatusChangeFactory
from tests.publishing.exports import body

pytestmark = pytest.mark.django_db

DOC = Path(__file__).resolve().parent.parent.parent / "docs" / "export.md"


@pytest.mark.parametrize(
    ("url", "columns"),
    [
        ("/api/v1/export/changes.csv", CHANGES),
        ("/api/v1/export/current.csv", CURRENT),
    ],
)
def test_the_csv_header_is_the_versioned_column_set(client, url, columns):
    StatusChangeFactory()

    header = body(client.get(url)).split(b"\n", 1)[0].decode()

    assert header.split(",") == columns.names


def test_the_jsonl_keys_are_the_changes_column_set_in_order(client):
    StatusChangeFactory()

    line = body(client.get("/api/v1/export/changes.jsonl")).splitlines()[0]

    assert list(json.loads(line)) == CHANGES.names


def test_the_first_versions_are_changes_1_and_current_1():
    assert (CHANGES.label, CURRENT.label) == ("changes/1", "current/1")


@pytest.mark.parametrize("columns", [CHANGES, CURRENT])
def test_the_documentation_describes_every_column_of_the_version_in_force(columns):
    text = DOC.read_text(encoding="utf-8")
    section = re.split(r"\n##+ ", text.split(f"### `{columns.label}`\n", 1)[1], maxsplit=1)[0]

    documented = re.findall(r"^\| `([a-z_]+)` \| (\w+) \|", section, flags=re.MULTILINE)

    assert documented == [(c.name, c.type) for c in columns.columns]
