"""The admin's source list: sources created implicitly wait there for a curator to rate them."""

import pytest

from advisories.models import Source
from tests.factories import SourceFactory

pytestmark = pytest.mark.django_db


def test_the_needs_rating_filter_lists_only_sources_waiting_for_a_rating(admin_client):
    SourceFactory(name="Rated Wire", needs_rating=False)
    SourceFactory(name="Unknown Blog", needs_rating=True)

    page = admin_client.get("/admin/advisories/source/", {"needs_rating__exact": "1"})

    assert page.status_code == 200
    assert b"Unknown Blog" in page.content and b"Rated Wire" not in page.content


def test_a_curator_setting_the_authority_in_the_list_rates_the_source(admin_client):
    source = SourceFactory(name="Unknown Blog", kind="other", authority=20, needs_rating=True)

    admin_client.post(
        "/admin/advisories/source/",
        {
            "form-TOTAL_FORMS": "1",
            "form-INITIAL_FORMS": "1",
            "form-0-id": str(source.pk),
            "form-0-authority": "60",
            "_save": "Save",
        },
    )

    source.refresh_from_db()
    assert (source.authority, source.needs_rating) == (60, False)


def test_marking_sources_rated_keeps_their_authority(admin_client):
    source = SourceFactory(kind="other", authority=20, needs_rating=True)

    admin_client.post(
        "/admin/advisories/source/",
        {"action": "mark_rated", "_selected_action": [str(source.pk)]},
    )

    assert Source.objects.filter(pk=source.pk, authority=20, needs_rating=False).exists()
