import pytest
from django.core.management import call_command

from advisories.models import Notice, Source
from destinations.models import Destination, DestinationAlias

pytestmark = pytest.mark.django_db


def _state():
    return (
        list(Destination.objects.order_by("pk").values()),
        list(DestinationAlias.objects.order_by("pk").values()),
        list(Source.objects.order_by("pk").values()),
        list(Notice.objects.order_by("pk").values("pk", "content_hash")),
    )


def test_demo_places_the_resorts_under_north_korea():
    call_command("load_demo")
    kalma = Destination.objects.get(slug="wonsan-kalma")
    assert kalma.parent.slug == "kangwon"
    assert kalma.parent.parent.country_code == "KP"
    assert Destination.objects.get(slug="rason").parent.country_code == "KP"
    assert Source.objects.get(slug="dprk-national-tourism-administration").kind == "official"


def test_loading_the_demo_twice_changes_nothing():
    call_command("load_demo")
    first = _state()
    call_command("load_demo")
    assert _state() == first
