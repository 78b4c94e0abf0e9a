import json

import pytest
from django.core.management import CommandError, call_command

from destinations.models import Destination

pytestmark = pytest.mark.django_db

GOOD = [
    {"slug": "kangwon", "name": "Kangwon Province", "kind": "region", "parent": "KP"},
    {
        "slug": "wonsan-kalma",
        "name": "Wonsan-Kalma",
        "kind": "resort",
        "parent": "kangwon",
        "aliases": ["Kalma resort", "Wonsan Kalma"],
        "latitude": 39.18,
        "longitude": 127.48,
    },
]


def _write(tmp_path, payload, name="destinations.json"):
    path = tmp_path / name
    path.write_text(payload if isinstance(payload, str) else json.dumps(payload, indent=2))
    return path


def _run(path):
    call_command("import_destinations", str(path))


def test_import_creates_destinations_under_their_parents(tmp_path):
    _run(_write(tmp_path, GOOD))
    resort = Destination.objects.get(slug="wonsan-kalma")
    assert resort.parent.slug == "kangwon"
    assert resort.parent.parent.country_code == "KP"
    assert resort.country_code == "KP"
    assert sorted(resort.aliases.values_list("name", flat=True)) == ["Kalma resort"]


def test_running_the_same_import_twice_changes_nothing(tmp_path):
    path = _write(tmp_path, GOOD)
    _run(path)
    snapshot = list(Destination.objects.order_by("pk").values())
    _run(path)
    assert list(Destination.objects.order_by("pk").values()) == snapshot


def test_a_changed_entry_updates_the_existing_destination(tmp_path):
    _run(_write(tmp_path, GOOD))
    changed = [GOOD[0], {**GOOD[1], "name": "Wonsan-Kalma Coastal Tourist Zone"}]
    _run(_write(tmp_path, changed))
    assert Destination.objects.get(slug="wonsan-kalma").name == "Wonsan-Kalma Coastal Tourist Zone"


def test_invalid_entries_are_reported_by_line_and_nothing_is_written(tmp_path):
    payload = json.dumps(GOOD, indent=2)[:-1] + (
        ',\n  {"slug": "Bad Slug", "name": "", "kind": "volcano",\n'
        '   "parent": "atlantis", "latitude": 123}\n]'
    )
    before = Destination.objects.count()
    with pytest.raises(CommandError) as error:
        _run(_write(tmp_path, payload))
    message = str(error.value)
    bad_line = (
        payload.splitlines().index('  {"slug": "Bad Slug", "name": "", "kind": "volcano",') + 1
    )
    for problem in [
        '"slug"',
        '"name" must not be empty',
        "\"kind\" 'volcano'",
        "'atlantis'",
        '"latitude"',
    ]:
        assert f"line {bad_line}:" in message and problem in message
    assert Destination.objects.count() == before


def test_malformed_json_names_the_line_of_the_error(tmp_path):
    with pytest.raises(CommandError, match="line 3: invalid JSON"):
        _run(_write(tmp_path, '[\n {"slug": "a", "name": "A", "kind": "site"},\n {oops}\n]'))


def test_a_duplicated_slug_in_the_file_is_refused(tmp_path):
    with pytest.raises(CommandError, match="already appears on line 2"):
        _run(_write(tmp_path, [GOOD[0], GOOD[0]]))


def test_a_parent_loop_is_refused(tmp_path):
    loop = [
        {"slug": "a-zone", "name": "A", "kind": "zone", "parent": "b-zone"},
        {"slug": "b-zone", "name": "B", "kind": "zone", "parent": "a-zone"},
    ]
    with pytest.raises(CommandError, match="loops back"):
        _run(_write(tmp_path, loop))


PALESTINE_UNDER_ITS_OWN_SLUG = [
    {
        "slug": "palestinian-territories",
        "name": "Palestinian Territories",
        "kind": "country",
        "country_code": "PS",
        "aliases": ["Occupied Palestinian Territories"],
    },
    {
        "slug": "gaza-strip",
        "name": "Gaza Strip",
        "kind": "region",
        "parent": "palestinian-territories",
    },
]


def test_a_country_named_under_another_slug_updates_the_country_the_project_has(tmp_path):
    project_slug = Destination.objects.get(kind="country", country_code="PS").slug

    _run(_write(tmp_path, PALESTINE_UNDER_ITS_OWN_SLUG))

    country = Destination.objects.get(kind="country", country_code="PS")
    assert country.slug == project_slug  # its pages keep their address
    assert country.name == "Palestinian Territories"
    assert "Occupied Palestinian Territories" in set(country.aliases.values_list("name", flat=True))
    assert not Destination.objects.filter(slug="palestinian-territories").exists()
    assert Destination.objects.get(slug="gaza-strip").parent == country


def test_one_country_code_twice_in_a_file_is_reported_with_its_line_and_nothing_is_written(
    tmp_path,
):
    twice = [
        {"slug": "palestine-a", "name": "Palestine A", "kind": "country", "country_code": "PS"},
        {"slug": "palestine-b", "name": "Palestine B", "kind": "country", "country_code": "PS"},
        {"slug": "new-resort", "name": "New Resort", "kind": "resort", "parent": "KP"},
    ]

    with pytest.raises(CommandError, match=r"line \d+: country PS already appears on line \d+"):
        _run(_write(tmp_path, twice))

    assert not Destination.objects.filter(slug="new-resort").exists()
