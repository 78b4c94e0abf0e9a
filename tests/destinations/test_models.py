from datetime import UTC, datetime

import pytest
from django.db import IntegrityError, transaction

from destinations.models import AppendOnlyError, Audience, StatusChange
from publishing.selectors import status_as_of, timeline
from tests.factories import AliasFactory, DestinationFactory

pytestmark = pytest.mark.django_db

JULY_1 = datetime(2025, 7, 1, tzinfo=UTC)
JULY_16 = datetime(2025, 7, 16, tzinfo=UTC)


def _change(destination, status, effective_at, **extra):
    return StatusChange.objects.create(
        destination=destination,
        status=status,
        effective_at=effective_at,
        summary=f"{status} from {effective_at:%d %b}",
        **extra,
    )


def test_alias_stores_a_form_that_ignores_case_hyphens_and_diacritics():
    alias = AliasFactory(name="Wŏnsan-KALMA  Resort")
    assert alias.normalised == "wonsan kalma resort"


def test_two_spellings_of_one_alias_collide_for_the_same_destination():
    destination = DestinationFactory()
    AliasFactory(destination=destination, name="Wonsan Kalma")
    with pytest.raises(IntegrityError), transaction.atomic():
        AliasFactory(destination=destination, name="wonsan-kalma")


def test_recorded_status_change_cannot_be_saved_again():
    change = _change(DestinationFactory(), "open", JULY_1)
    change.status = "closed"
    with pytest.raises(AppendOnlyError):
        change.save()


def test_status_history_cannot_be_deleted_or_bulk_updated():
    change = _change(DestinationFactory(), "open", JULY_1)
    with pytest.raises(AppendOnlyError):
        change.delete()
    with pytest.raises(AppendOnlyError):
        StatusChange.objects.filter(pk=change.pk).update(status="closed")
    with pytest.raises(AppendOnlyError):
        StatusChange.objects.filter(pk=change.pk).delete()
    assert StatusChange.objects.get(pk=change.pk).status == "open"


def test_audience_must_be_foreign_domestic_or_an_iso_code():
    destination = DestinationFactory()
    _change(destination, "open", JULY_1, audience="RU")
    _change(destination, "open", JULY_1, audience=Audience.DOMESTIC)
    with pytest.raises(Exception, match="ISO 3166-1"):
        _change(destination, "open", JULY_1, audience="russians")


def test_database_rejects_an_invalid_audience_written_behind_the_model():
    destination = DestinationFactory()
    with pytest.raises(IntegrityError), transaction.atomic():
        StatusChange.objects.bulk_create(
            [
                StatusChange(
                    destination=destination,
                    status="open",
                    effective_at=JULY_1,
                    summary="x",
                    audience="ru",
                )
            ]
        )


def test_correction_supersedes_the_old_entry_in_the_public_timeline_but_keeps_it():
    destination = DestinationFactory()
    wrong = _change(destination, "closed", JULY_16)
    corrected = _change(destination, "suspended", JULY_16, supersedes=wrong)
    assert list(timeline(destination=destination)) == [corrected]
    assert StatusChange.objects.filter(destination=destination).count() == 2


def test_status_as_of_returns_the_entry_in_force_at_that_moment():
    destination = DestinationFactory()
    opened = _change(destination, "open", JULY_1)
    suspended = _change(destination, "suspended", JULY_16)
    assert status_as_of(destination, datetime(2025, 6, 1, tzinfo=UTC)) is None
    assert status_as_of(destination, datetime(2025, 7, 10, tzinfo=UTC)) == opened
    assert status_as_of(destination, datetime(2025, 8, 1, tzinfo=UTC)) == suspended


def test_a_country_code_has_one_country_destination():
    with pytest.raises(IntegrityError), transaction.atomic():
        DestinationFactory(kind="country", country_code="KP", slug="another-north-korea")
