"""On PostgreSQL the exports are written by COPY; they must be the very bytes the portable
Python writer gives on the same data, hostile text, corrections and empty values included."""

from datetime import UTC, datetime, timedelta

import pytest

from destinations.models import DecidedBy, Status
from publishing.export import streaming
from publishing.export.streaming import EXPORTS, export_chunks
from tests.factories import (
    CurrentStatusFactory,
    DestinationFactory,
    StatusChangeFactory,
    UserFactory,
)

pytestmark = [pytest.mark.django_db, pytest.mark.postgres]

WHEN = datetime(2025, 7, 16, 9, 30, 15, 123456, tzinfo=UTC)
AWKWARD_TEXT = [
    '=cmd|"/C calc"!A0',
    "+1",
    "-",
    "@here",
    "\tindented",
    "\rreturned",
    'comma, and "quotes" and\nnew line and\r\nCRLF',
    "back\\slash \\. and \\N",
    "\\.",
    "unicode: Пхеньян 평양 ✈ \u2028 \x7f",
    "controls \x01\x02\x1f",
    " leading and trailing spaces ",
    "'already quoted",
]


@pytest.fixture
def awkward():
    curator = UserFactory()
    places = [
        DestinationFactory(name=text, country_code="" if n % 2 else "KP")
        for n, text in enumerate(AWKWARD_TEXT)
    ]
    for n, (place, text) in enumerate(zip(places, AWKWARD_TEXT, strict=True)):
        first = StatusChangeFactory(
            destination=place,
            summary=text,
            effective_at=WHEN + timedelta(days=n),
            recorded_at=WHEN + timedelta(days=n, microseconds=n),
            confidence=[0.1, 0.9, 1.0, 0.0, 1 / 3, 1e-05][n % 6],
            rule="" if n % 3 else text,
        )
        fix = StatusChangeFactory(
            destination=place,
            status=Status.OPEN,
            summary=text[::-1],
            effective_at=WHEN,
            supersedes=first,
            alters_current=bool(n % 2),
            unconfirmed=not n % 2,
            decided_by=DecidedBy.CURATOR,
            curator=curator,
        )
        CurrentStatusFactory(
            change=fix,
            audience="foreign",
            summary=text,
            last_confirmed_at=None if n % 2 else WHEN,
            in_review=bool(n % 2),
        )
    StatusChangeFactory(destination=places[0], rule="retraction")
    CurrentStatusFactory(change=StatusChangeFactory(destination=places[1], audience="domestic"))
    CurrentStatusFactory(
        change=StatusChangeFactory(destination=places[2], audience="RU", status=Status.UNKNOWN)
    )


@pytest.mark.parametrize("kind", sorted(EXPORTS))
def test_copy_and_python_give_the_same_bytes(awkward, kind):
    export = EXPORTS[kind]

    copied = b"".join(export_chunks(export, method="copy"))
    written = b"".join(export_chunks(export, method="python"))

    assert copied == written
    assert len(copied.splitlines()) > len(AWKWARD_TEXT)


def test_the_views_use_copy_on_postgresql(client, awkward, monkeypatch):
    def not_this_one(columns):
        raise AssertionError("the portable writer served PostgreSQL")
        yield b""

    for form in ("csv", "jsonl"):
        monkeypatch.setitem(streaming._WRITERS, ("python", form), not_this_one)

    for kind in EXPORTS:
        response = client.get(f"/api/v1/export/{kind}")
        assert b"".join(response.streaming_content)
