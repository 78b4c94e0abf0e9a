"""manage.py ingest_notices: .txt, .html, .json and .eml files."""

import json
import os
from datetime import UTC, datetime
from email.message import EmailMessage
from io import StringIO

import pytest
from django.core.management import CommandError, call_command

from advisories.models import Notice, Source, SourceKind
from tests.advisories.ingest_support import SUSPENSION

pytestmark = pytest.mark.django_db


def ingest(*paths, source="tourism-admin", **options) -> tuple[str, str]:
    out, err = StringIO(), StringIO()
    call_command(
        "ingest_notices", *[str(p) for p in paths], source=source, stdout=out, stderr=err,
        **options,
    )  # fmt: skip
    return out.getvalue(), err.getvalue()


@pytest.mark.django_db(transaction=True)
def test_a_text_file_gives_its_first_line_as_title_and_prints_the_claims_when_eager(
    tmp_path, official_source, kalma_zone
):
    """Transactional, as the command runs live: the eager extraction runs on commit, before the
    command prints what it found."""
    path = tmp_path / "notice.txt"
    path.write_text(f"Zone notice\n\n{SUSPENSION}\n", encoding="utf-8")

    out, _ = ingest(path, published_at="2025-07-16")

    notice = Notice.objects.get()
    assert notice.title == "Zone notice" and notice.body == SUSPENSION
    assert notice.published_at == datetime(2025, 7, 16, tzinfo=UTC)
    assert f"new notice #{notice.pk} 'Zone notice'" in out
    assert "wonsan-kalma: suspended for all foreign visitors from 2025-07-16" in out


def test_an_html_file_gives_its_title_and_main_text_without_markup(
    tmp_path, official_source, kalma_zone, django_capture_on_commit_callbacks
):
    path = tmp_path / "notice.html"
    path.write_text(
        '<html lang="en"><head><title>Zone notice</title>'
        '<meta property="article:published_time" content="2025-07-16T10:00:00+09:00">'
        '<link rel="canonical" href="https://tourism.example.org/n/1"></head>'
        "<body><nav>Home</nav><article><h1>Zone notice</h1>"
        f"<p>{SUSPENSION}</p><script>track()</script></article><footer>(c)</footer></body></html>",
        encoding="utf-8",
    )

    with django_capture_on_commit_callbacks(execute=True):
        ingest(path)

    notice = Notice.objects.get()
    assert notice.title == "Zone notice"
    assert notice.body == f"Zone notice\n\n{SUSPENSION}"
    assert notice.url == "https://tourism.example.org/n/1"
    assert notice.published_at == datetime(2025, 7, 16, 1, 0, tzinfo=UTC)
    assert notice.claims.filter(destination=kalma_zone, status="suspended").exists()


def test_a_json_file_holds_one_notice_or_a_list_of_them(tmp_path, official_source, kalma_zone):
    one = tmp_path / "one.json"
    one.write_text(
        json.dumps(
            {
                "title": "Zone notice",
                "body": SUSPENSION,
                "published_at": "2025-07-16T10:00:00+09:00",
                "url": "https://tourism.example.org/n/1",
                "external_id": "n-1",
            }
        )
    )
    many = tmp_path / "many.json"
    many.write_text(
        json.dumps(
            [
                {"title": "Rason", "body": "Rason is open.", "published_at": "2025-02-10"},
                {"title": "Kalma", "html": "<p>Kalma news.</p>", "published_at": "2025-07-01"},
            ]
        )
    )

    out, _ = ingest(one, many)

    assert Notice.objects.count() == 3
    assert Notice.objects.get(external_id="n-1").published_at == datetime(
        2025, 7, 16, 1, 0, tzinfo=UTC
    )
    assert Notice.objects.get(title="Kalma").body == "Kalma news."
    assert "3 new notice(s)" in out


def test_an_email_gives_subject_date_and_prefers_the_plain_text_part(
    tmp_path, official_source, kalma_zone
):
    message = EmailMessage()
    message["Subject"] = "Zone notice"
    message["Date"] = "Wed, 16 Jul 2025 10:00:00 +0900"
    message["Message-ID"] = "<n-1@tourism.example.org>"
    message.set_content(SUSPENSION)
    message.add_alternative("<p>The HTML version, which is not used.</p>", subtype="html")
    path = tmp_path / "notice.eml"
    path.write_bytes(message.as_bytes())

    ingest(path)

    notice = Notice.objects.get()
    assert notice.title == "Zone notice" and notice.body == SUSPENSION
    assert notice.published_at == datetime(2025, 7, 16, 1, 0, tzinfo=UTC)
    assert notice.external_id == "n-1@tourism.example.org"


def test_an_html_only_email_is_reduced_to_text(tmp_path, official_source):
    message = EmailMessage()
    message["Subject"] = "Rason"
    message["Date"] = "Mon, 10 Feb 2025 09:00:00 +0000"
    message.set_content("<p>Rason <b>admits</b> groups.</p><script>x()</script>", subtype="html")
    path = tmp_path / "notice.eml"
    path.write_bytes(message.as_bytes())

    ingest(path)

    assert Notice.objects.get().body == "Rason admits groups."


def test_an_unknown_source_is_created_with_the_given_kind(tmp_path):
    path = tmp_path / "notice.txt"
    path.write_text("Title\n\nSome text.")

    out, _ = ingest(path, source="ministry-of-tourism", source_kind="official")

    source = Source.objects.get(slug="ministry-of-tourism")
    assert source.kind == SourceKind.OFFICIAL and source.authority == 100
    assert "Created source 'ministry-of-tourism'" in out


def test_an_unknown_source_without_a_kind_gets_the_lowest_authority(tmp_path):
    path = tmp_path / "notice.txt"
    path.write_text("Title\n\nSome text.")

    ingest(path, source="some-paper")

    source = Source.objects.get(slug="some-paper")
    assert (source.kind, source.authority) == (SourceKind.OTHER, 20)


def test_an_unknown_source_is_flagged_for_a_curator_to_rate(tmp_path):
    path = tmp_path / "notice.txt"
    path.write_text("Title\n\nSome text.")

    ingest(path, source="some-paper")

    assert Source.objects.get(slug="some-paper").needs_rating is True


def test_an_unknown_source_with_a_kind_keeps_that_kinds_authority_but_is_still_flagged(tmp_path):
    path = tmp_path / "notice.txt"
    path.write_text("Title\n\nSome text.")

    ingest(path, source="heldout-operator", source_kind="operator")

    source = Source.objects.get(slug="heldout-operator")
    assert (source.authority, source.needs_rating) == (60, True)


def test_ingesting_under_an_existing_source_leaves_its_rating_alone(tmp_path, official_source):
    path = tmp_path / "notice.txt"
    path.write_text("Title\n\nSome text.")

    ingest(path, source=official_source.slug)

    official_source.refresh_from_db()
    assert (official_source.authority, official_source.needs_rating) == (100, False)


def test_bad_files_are_reported_and_the_good_ones_still_ingested(tmp_path, official_source):
    good = tmp_path / "good.txt"
    good.write_text("Good\n\nA fine notice.")
    (tmp_path / "broken.json").write_text("{not json")
    (tmp_path / "empty.txt").write_text("Only a title")
    (tmp_path / "latin1.txt").write_bytes("Caf\xe9\n\ntext".encode("latin-1"))
    mixed = tmp_path / "mixed.json"
    mixed.write_text(
        json.dumps(
            [
                {"title": "Fine", "body": "Fine text.", "published_at": "2025-07-01"},
                {"title": "Bad date", "body": "Text.", "published_at": "someday"},
                {"title": "Other source", "body": "Text.", "source": "elsewhere"},
            ]
        )
    )

    with pytest.raises(CommandError, match="5 notice"):
        ingest(tmp_path, published_at="2025-07-16")

    assert set(Notice.objects.values_list("title", flat=True)) == {"Good", "Fine"}


def test_each_problem_names_the_file_and_the_reason(tmp_path, official_source):
    (tmp_path / "broken.json").write_text("{not json")
    (tmp_path / "notice.pdf").write_bytes(b"%PDF")
    err = StringIO()

    with pytest.raises(CommandError):
        call_command(
            "ingest_notices",
            str(tmp_path / "broken.json"),
            str(tmp_path / "notice.pdf"),
            source="tourism-admin",
            stdout=StringIO(),
            stderr=err,
        )

    assert "broken.json: Invalid JSON at line 1" in err.getvalue()
    assert "notice.pdf: Unknown file type .pdf" in err.getvalue()


def test_ingesting_the_same_files_twice_adds_nothing(tmp_path, official_source, kalma_zone):
    path = tmp_path / "notice.txt"
    path.write_text(f"Zone notice\n\n{SUSPENSION}")
    ingest(path, published_at="2025-07-16")

    out, _ = ingest(path, published_at="2025-07-16")

    assert Notice.objects.count() == 1 and "already stored" in out


def test_a_file_without_a_date_and_no_published_at_is_dated_by_its_modification_time(
    tmp_path, official_source
):
    path = tmp_path / "notice.txt"
    path.write_text("Title\n\nText.")
    moment = datetime(2025, 3, 1, 12, 0, tzinfo=UTC).timestamp()
    os.utime(path, (moment, moment))

    out, _ = ingest(path)

    assert Notice.objects.get().published_at == datetime(2025, 3, 1, 12, 0, tzinfo=UTC)
    assert "modification time" in out


@pytest.mark.parametrize(
    ("options", "message"),
    [
        ({"source": "not a slug"}, "is not a slug"),
        ({"published_at": "last week"}, "--published-at"),
    ],
)
def test_bad_options_stop_the_command_before_anything_is_read(tmp_path, options, message):
    path = tmp_path / "notice.txt"
    path.write_text("Title\n\nText.")
    options = {"source": "tourism-admin", **options}

    with pytest.raises(CommandError, match=message):
        ingest(path, **options)

    assert Notice.objects.count() == 0


def test_many_files_show_a_progress_bar(tmp_path, official_source, capsys):
    for index in range(6):
        (tmp_path / f"n{index}.txt").write_text(f"Notice {index}\n\nText number {index}.")

    ingest(tmp_path, published_at="2025-07-16")

    assert "6/6" in capsys.readouterr().err
    assert Notice.objects.count() == 6
