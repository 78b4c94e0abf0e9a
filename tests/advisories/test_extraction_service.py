"""Extraction against the database: claims written once, review flags, markers, re-extraction."""

from datetime import UTC, datetime
from io import StringIO

import pytest
from django.core.management import call_command
from django.urls import reverse

from advisories.extraction import EXTRACTOR_VERSION
from advisories.extraction import service as extraction_service
from advisories.extraction.service import (
    ExtractionFailed,
    gazetteer_load,
    notice_extract_claims,
    unmatched_place_create_destination,
)
from advisories.models import Claim, Notice, NoticeState, ReviewState, UnmatchedPlace
from destinations.models import Destination, DestinationKind
from tests.factories import (
    AliasFactory,
    DestinationFactory,
    NoticeFactory,
    SourceFactory,
    StatusChangeFactory,
    UserFactory,
)

pytestmark = pytest.mark.django_db

SUSPENSION = "The Kalma resort is temporarily not receiving foreign tourists."


@pytest.fixture
def kalma():
    destination = DestinationFactory(slug="wonsan-kalma", name="Wonsan-Kalma", kind="resort")
    AliasFactory(destination=destination, name="Kalma resort")
    return destination


@pytest.fixture
def official():
    return SourceFactory(kind="official", authority=100)


def _notice(body, source, **kwargs):
    return NoticeFactory(source=source, body=body, **kwargs)


def test_extraction_writes_claims_with_evidence_offsets_and_version(kalma, official):
    notice = _notice(SUSPENSION, official)
    (claim,) = notice_extract_claims(notice=notice)
    assert (claim.destination, claim.audience, claim.status) == (kalma, "foreign", "suspended")
    assert notice.text[claim.start : claim.end] == SUSPENSION
    assert claim.extractor_version == EXTRACTOR_VERSION


def test_extraction_marks_the_notice_extracted(kalma, official):
    notice = _notice(SUSPENSION, official)
    notice_extract_claims(notice=notice)
    notice.refresh_from_db()
    assert (notice.state, notice.extractor_version) == (NoticeState.EXTRACTED, EXTRACTOR_VERSION)


def test_extracting_twice_writes_no_new_claims(kalma, official):
    notice = _notice(SUSPENSION, official)
    notice_extract_claims(notice=notice)
    notice_extract_claims(notice=notice)
    assert Claim.objects.filter(notice=notice).count() == 1


def test_extraction_bumps_the_destination_claims_version_once(kalma, official):
    notice = _notice(SUSPENSION, official)
    notice_extract_claims(notice=notice)
    notice_extract_claims(notice=notice)
    kalma.refresh_from_db()
    assert kalma.claims_version == 1


def test_low_confidence_claims_wait_for_review(kalma, settings):
    settings.CLAIM_REVIEW_CONFIDENCE = 0.99
    notice = _notice(SUSPENSION, SourceFactory(kind="news", authority=40))
    (claim,) = notice_extract_claims(notice=notice)
    assert claim.review_state == ReviewState.NEEDS_REVIEW


def test_confident_claims_are_automatic(kalma, official, settings):
    settings.CLAIM_REVIEW_CONFIDENCE = 0.35
    (claim,) = notice_extract_claims(notice=_notice(SUSPENSION, official))
    assert claim.review_state == ReviewState.AUTO


def test_unknown_places_in_status_sentences_are_recorded(official):
    notice = _notice("The Chilbo Mountain area is closed to foreigners.", official)
    notice_extract_claims(notice=notice)
    place = UnmatchedPlace.objects.get()
    assert (place.name, place.first_notice, place.seen_count) == ("Chilbo Mountain", notice, 1)


def test_re_extracting_a_notice_does_not_count_its_unknown_place_again(official):
    notice = _notice("The Chilbo Mountain area is closed to foreigners.", official)
    notice_extract_claims(notice=notice)
    notice_extract_claims(notice=notice)
    assert UnmatchedPlace.objects.get().seen_count == 1


def test_a_second_notice_naming_an_unknown_place_counts_a_sighting(official):
    notice_extract_claims(
        notice=_notice("The Chilbo Mountain area is closed to foreigners.", official)
    )
    notice_extract_claims(notice=_notice("The Chilbo Mountain area is still closed.", official))
    assert UnmatchedPlace.objects.get().seen_count == 2


def test_an_extractor_error_marks_the_notice_failed(kalma, official, monkeypatch):
    def broken(**kwargs):
        raise RuntimeError("boom")

    monkeypatch.setattr(extraction_service, "extract", broken)
    notice = _notice(SUSPENSION, official)
    with pytest.raises(ExtractionFailed):
        notice_extract_claims(notice=notice)
    notice.refresh_from_db()
    assert (notice.state, notice.error) == (NoticeState.FAILED, "RuntimeError: boom")


def test_the_gazetteer_is_rebuilt_when_an_alias_is_added(kalma):
    before = gazetteer_load()
    assert gazetteer_load() is before
    AliasFactory(destination=kalma, name="Kalma beach")
    assert gazetteer_load() is not before


def test_new_destinations_are_recognised_without_a_restart(official):
    gazetteer_load()
    DestinationFactory(slug="rason", name="Rason", kind="zone")
    (claim,) = notice_extract_claims(notice=_notice("Rason is closed to foreigners.", official))
    assert claim.destination.slug == "rason"


# --- re-extraction --------------------------------------------------------------------------------


def _stale_claim(notice, destination, **kwargs):
    return Claim.objects.create(
        notice=notice,
        destination=destination,
        audience="foreign",
        status="open",
        effective_at=datetime(2025, 1, 1, tzinfo=UTC),
        confidence=0.5,
        sentence="old reading",
        start=0,
        end=11,
        extractor_version="old",
        **kwargs,
    )


def test_re_extraction_deletes_an_old_claim_nothing_relied_on(kalma, official):
    notice = _notice(SUSPENSION, official)
    stale = _stale_claim(notice, kalma)
    notice_extract_claims(notice=notice)
    assert not Claim.objects.filter(pk=stale.pk).exists()


def test_re_extraction_keeps_an_old_claim_that_is_evidence_and_rejects_it(kalma, official):
    notice = _notice(SUSPENSION, official)
    stale = _stale_claim(notice, kalma)
    stale.changes.add(StatusChangeFactory(destination=kalma))
    notice_extract_claims(notice=notice)
    stale.refresh_from_db()
    assert stale.review_state == ReviewState.REJECTED
    assert stale.changes.count() == 1


def test_re_extraction_never_overrides_a_curator_verdict(kalma, official, settings):
    settings.CLAIM_REVIEW_CONFIDENCE = 0.99
    notice = _notice(SUSPENSION, official)
    (claim,) = notice_extract_claims(notice=notice)
    Claim.objects.filter(pk=claim.pk).update(
        review_state=ReviewState.ACCEPTED, extractor_version="old"
    )
    notice_extract_claims(notice=notice)
    claim.refresh_from_db()
    assert (claim.review_state, claim.extractor_version) == (
        ReviewState.ACCEPTED,
        EXTRACTOR_VERSION,
    )


def test_reextract_command_skips_notices_already_read_by_this_version(kalma, official):
    notice_extract_claims(notice=_notice(SUSPENSION, official))
    out = StringIO()
    call_command("reextract", stdout=out)
    assert "1 notices seen, 0 extracted, 1 already current" in out.getvalue()


def test_reextract_command_reads_pending_notices_since_a_date(kalma, official):
    _notice(SUSPENSION, official, published_at=datetime(2025, 7, 16, tzinfo=UTC))
    _notice(
        "Kalma resort is closed to foreigners.",
        official,
        published_at=datetime(2024, 1, 1, tzinfo=UTC),
    )
    out = StringIO()
    call_command("reextract", "--since", "2025-01-01", stdout=out)
    assert "1 notices seen, 1 extracted" in out.getvalue()
    assert Claim.objects.count() == 1


def test_reextract_command_refuses_a_bad_date():
    from django.core.management.base import CommandError

    with pytest.raises(CommandError, match="is not a date"):
        call_command("reextract", "--since", "last tuesday")


def test_evaluate_extraction_prints_precision_and_recall():
    out = StringIO()
    call_command("evaluate_extraction", "--set", "development", stdout=out)
    assert "precision" in out.getvalue() and "recall" in out.getvalue()


# --- curators -------------------------------------------------------------------------------------


def test_creating_a_destination_from_an_unknown_place_has_the_worker_re_read_its_notice(
    official, django_capture_on_commit_callbacks
):
    assert Destination.objects.filter(kind=DestinationKind.COUNTRY, country_code="KP").exists()
    notice = _notice(
        "North Korea is closed to foreigners. The Chilbo Mountain area is closed to foreigners.",
        official,
    )
    notice_extract_claims(notice=notice)
    place = UnmatchedPlace.objects.get()
    with django_capture_on_commit_callbacks(execute=True):
        destination = unmatched_place_create_destination(place=place)
    assert (destination.name, destination.country_code) == ("Chilbo Mountain", "KP")
    assert Claim.objects.filter(notice=notice, destination=destination).exists()


def test_admin_action_creates_destinations_from_selected_places(
    client, official, django_capture_on_commit_callbacks
):
    notice_extract_claims(
        notice=_notice("The Chilbo Mountain area is closed to foreigners.", official)
    )
    admin = UserFactory(is_staff=True, is_superuser=True)
    client.force_login(admin)
    place = UnmatchedPlace.objects.get()
    with django_capture_on_commit_callbacks():
        response = client.post(
            reverse("admin:advisories_unmatchedplace_changelist"),
            {"action": "create_destinations_from_places", "_selected_action": [place.pk]},
        )
    assert response.status_code == 302
    # The notice waits for the worker to re-read it: the web process running the admin does not.
    assert Notice.objects.get(pk=place.first_notice_id).state == NoticeState.PENDING
    assert not Claim.objects.filter(destination__name="Chilbo Mountain").exists()
    assert Destination.objects.filter(name="Chilbo Mountain").exists()
