"""StatusChange.country_code: a copy of the destination's country for the country lists' index,
set on every insert and moved with the place (destinations/models.py)."""

from __future__ import annotations

import importlib
import json

import pytest
from django.core.management import call_command
from django.db import connection

from destinations.models import Destination, StatusChange
from tests.factories import DestinationFactory, StatusChangeFactory

pytestmark = pytest.mark.django_db

MIGRATION = importlib.import_module("destinations.migrations.0007_status_change_country")


def test_a_change_saved_on_its_own_carries_its_destinations_country():
    change = StatusChangeFactory(destination=DestinationFactory(country_code="KP"))
    assert StatusChange.objects.get(pk=change.pk).country_code == "KP"


def test_a_change_takes_the_destinations_country_whatever_its_writer_passed():
    place = DestinationFactory(country_code="KP")
    [change] = StatusChange.objects.bulk_create(
        [StatusChangeFactory.build(destination=place, country_code="RU")]
    )
    assert StatusChange.objects.get(pk=change.pk).country_code == "KP"


def test_moving_a_destination_to_another_country_moves_its_history():
    place = DestinationFactory(country_code="KP")
    StatusChangeFactory.create_batch(2, destination=place)
    place = Destination.objects.get(pk=place.pk)
    place.country_code = "CN"
    place.save()
    assert set(StatusChange.objects.values_list("country_code", flat=True)) == {"CN"}


def test_a_moved_destinations_changes_are_listed_under_its_new_country(client):
    place = DestinationFactory(country_code="KP", name="Rason")
    StatusChangeFactory(destination=place)
    place.country_code = "CN"
    place.save()
    assert "Rason" in client.get("/feeds/countries/CN/").content.decode()
    assert "Rason" not in client.get("/feeds/countries/KP/").content.decode()


def test_re_importing_a_destination_under_another_country_moves_its_history(tmp_path):
    place = DestinationFactory(slug="rason", name="Rason", kind="city", country_code="KP")
    StatusChangeFactory(destination=place)
    path = tmp_path / "destinations.json"
    path.write_text(
        json.dumps([{"slug": "rason", "name": "Rason", "kind": "city", "parent": "CN"}])
    )
    call_command("import_destinations", str(path))
    assert StatusChange.objects.get().country_code == "CN"


def test_a_destinations_country_is_never_changed_behind_its_history_by_a_bulk_update():
    DestinationFactory(country_code="KP")
    with pytest.raises(ValueError, match="save"):
        Destination.objects.filter(country_code="KP").update(country_code="CN")


def test_the_migration_back_fills_each_changes_country_from_its_destination():
    StatusChangeFactory(destination=DestinationFactory(country_code="KP"))
    StatusChangeFactory(destination=DestinationFactory(country_code=""))
    with connection.cursor() as cursor:
        cursor.execute("UPDATE destinations_statuschange SET country_code = ''")
        cursor.execute(MIGRATION.BACK_FILL)
    codes = StatusChange.objects.order_by("pk").values_list("country_code", flat=True)
    assert list(codes) == ["KP", ""]
