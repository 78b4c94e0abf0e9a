import pycountry
import pytest

from destinations.models import Destination, DestinationAlias
from destinations.services import countries_load

pytestmark = pytest.mark.django_db


def test_every_iso_country_is_a_destination_out_of_the_box():
    codes = set(Destination.objects.filter(kind="country").values_list("country_code", flat=True))
    assert codes == {country.alpha_2 for country in pycountry.countries}


def test_countries_carry_the_names_people_actually_write():
    north_korea = Destination.objects.get(country_code="KP", kind="country")
    aliases = set(north_korea.aliases.values_list("normalised", flat=True))
    assert north_korea.name == "North Korea"
    assert {"dprk", "democratic people s republic of korea"} <= aliases


def test_loading_the_gazetteer_again_changes_nothing():
    before = (Destination.objects.count(), DestinationAlias.objects.count())
    counts = countries_load()
    assert counts.created == 0 and counts.aliases_added == 0
    assert (Destination.objects.count(), DestinationAlias.objects.count()) == before
