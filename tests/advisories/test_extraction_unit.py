"""The extractor, one behaviour per test, through its public entry point ``extract``."""

from datetime import UTC, date, datetime

import pytest

from advisories.extraction import Gazetteer, GazetteerEntry, extract
from advisories.extraction.countries import country_entries

PUBLISHED = datetime(2025, 7, 18, 8, 30, tzinfo=UTC)  # a Friday

WONSAN_KALMA = GazetteerEntry(
    1001,
    "wonsan-kalma",
    "Wonsan-Kalma",
    "resort",
    "KP",
    ("Wonsan Kalma", "Wonsan-Kalma Coastal Tourist Zone", "Kalma resort"),
)
RASON = GazetteerEntry(1002, "rason", "Rason", "zone", "KP", ("Rason Special Economic Zone",))
MASIKRYONG = GazetteerEntry(1003, "masikryong", "Masikryong", "resort", "KP", ("Masik Pass",))
PYONGYANG = GazetteerEntry(1004, "pyongyang", "Pyongyang", "city", "KP")
KANGWON = GazetteerEntry(1005, "kangwon", "Kangwon Province", "region", "KP", ("Kangwon",))
GALAPAGOS = GazetteerEntry(1401, "galapagos", "Galápagos Islands", "zone", "EC", ("Galápagos",))
GRINDAVIK = GazetteerEntry(1601, "grindavik", "Grindavík", "city", "IS")


@pytest.fixture(scope="module")
def gazetteer():
    extra = [WONSAN_KALMA, RASON, MASIKRYONG, PYONGYANG, KANGWON, GALAPAGOS, GRINDAVIK]
    return Gazetteer([*country_entries(), *extra])


def claims_of(gazetteer, body, *, title="Notice", published_at=PUBLISHED, authority=40):
    result = extract(
        title=title, body=body, published_at=published_at, gazetteer=gazetteer, authority=authority
    )
    return result


def triples(result):
    return sorted(
        (c.destination_slug, c.audience, c.status, c.effective_at.date()) for c in result.claims
    )


# --- statuses -------------------------------------------------------------------------------------


def test_temporarily_not_receiving_foreigners_is_a_suspension(gazetteer):
    result = claims_of(gazetteer, "Wonsan-Kalma is temporarily not receiving foreign tourists.")
    assert triples(result) == [("wonsan-kalma", "foreign", "suspended", date(2025, 7, 18))]


def test_stopped_accepting_overseas_groups_is_a_suspension(gazetteer):
    result = claims_of(gazetteer, "Rason has stopped accepting overseas groups.")
    assert triples(result) == [("rason", "foreign", "suspended", date(2025, 7, 18))]


def test_a_ban_on_international_visitors_with_no_end_is_a_closure(gazetteer):
    # Real notices' editors read an open-ended ban as closed (a fixed term makes it suspended).
    result = claims_of(gazetteer, "Pyongyang announced a ban on international visitors.")
    assert triples(result) == [("pyongyang", "foreign", "closed", date(2025, 7, 18))]


def test_closed_until_further_notice_is_a_closure(gazetteer):
    result = claims_of(gazetteer, "Rason is closed to foreigners until further notice.")
    assert triples(result) == [("rason", "foreign", "closed", date(2025, 7, 18))]


def test_a_closure_for_a_stated_period_is_a_suspension(gazetteer):
    result = claims_of(gazetteer, "Masikryong has closed to foreign visitors for two weeks.")
    assert triples(result) == [("masikryong", "foreign", "suspended", date(2025, 7, 18))]


def test_reopened_to_foreign_tourists_is_open(gazetteer):
    result = claims_of(gazetteer, "Rason reopened to foreign tourists.")
    assert triples(result) == [("rason", "foreign", "open", date(2025, 7, 18))]


def test_welcoming_international_guests_again_is_open(gazetteer):
    result = claims_of(gazetteer, "Masikryong is welcoming international guests again.")
    assert triples(result) == [("masikryong", "foreign", "open", date(2025, 7, 18))]


# --- audiences ------------------------------------------------------------------------------------


def test_only_one_nationality_admitted_restricts_foreigners_and_opens_that_nationality(gazetteer):
    result = claims_of(gazetteer, "At Rason, only Chinese tour groups are admitted.")
    assert triples(result) == [
        ("rason", "CN", "open", date(2025, 7, 18)),
        ("rason", "foreign", "restricted", date(2025, 7, 18)),
    ]


def test_hosting_a_party_of_one_nationality_restricts_foreigners(gazetteer):
    result = claims_of(gazetteer, "The Kalma resort hosted a party of Russian holidaymakers.")
    assert triples(result) == [
        ("wonsan-kalma", "RU", "open", date(2025, 7, 18)),
        ("wonsan-kalma", "foreign", "restricted", date(2025, 7, 18)),
    ]


def test_admitting_a_group_of_western_tourists_opens_to_foreigners(gazetteer):
    result = claims_of(gazetteer, "Rason admitted a small group of Western tourists.")
    assert triples(result) == [("rason", "foreign", "open", date(2025, 7, 18))]


def test_open_only_to_escorted_groups_is_restricted(gazetteer):
    result = claims_of(gazetteer, "Pyongyang is open to foreigners only on escorted group tours.")
    assert triples(result) == [("pyongyang", "foreign", "restricted", date(2025, 7, 18))]


def test_opening_to_local_visitors_is_open_for_domestic_only(gazetteer):
    result = claims_of(gazetteer, "Wonsan-Kalma opened to local visitors.")
    assert triples(result) == [("wonsan-kalma", "domestic", "open", date(2025, 7, 18))]


def test_foreigners_not_admitted_next_to_a_domestic_opening_closes_for_foreigners(gazetteer):
    result = claims_of(
        gazetteer, "Wonsan-Kalma opened to local visitors. Foreigners are not admitted."
    )
    assert triples(result) == [
        ("wonsan-kalma", "domestic", "open", date(2025, 7, 18)),
        ("wonsan-kalma", "foreign", "closed", date(2025, 7, 18)),
    ]


def test_own_nationality_counts_as_domestic(gazetteer):
    result = claims_of(gazetteer, "Wonsan-Kalma opened to North Korean holidaymakers.")
    assert triples(result) == [("wonsan-kalma", "domestic", "open", date(2025, 7, 18))]


def test_everyone_covers_foreign_and_domestic_visitors(gazetteer):
    result = claims_of(gazetteer, "Grindavík is closed to everyone.")
    assert triples(result) == [
        ("grindavik", "domestic", "closed", date(2025, 7, 18)),
        ("grindavik", "foreign", "closed", date(2025, 7, 18)),
    ]


# --- negation and speculation ---------------------------------------------------------------------


def test_has_not_reopened_keeps_the_suspension(gazetteer):
    result = claims_of(gazetteer, "Rason has not reopened to foreigners.")
    assert triples(result) == [("rason", "foreign", "suspended", date(2025, 7, 18))]


def test_no_ban_on_visiting_is_open(gazetteer):
    result = claims_of(gazetteer, "There is no ban on visiting Pyongyang.")
    assert triples(result) == [("pyongyang", "foreign", "open", date(2025, 7, 18))]


@pytest.mark.parametrize(
    "sentence",
    [
        "Analysts believe Rason is closed to foreigners.",
        "The closure may be linked to the minister's visit to Rason.",
        "Rason could reopen soon to foreign tourists.",
        "Operators say Rason cannot stay closed for long.",
        "Operators expect Masikryong to open to Chinese groups this winter.",
    ],
)
def test_speculation_produces_no_claim(gazetteer, sentence):
    assert claims_of(gazetteer, sentence).claims == []


def test_a_question_produces_no_claim(gazetteer):
    assert claims_of(gazetteer, "Will Rason reopen to foreigners?").claims == []


def test_background_clause_after_since_produces_no_claim(gazetteer):
    result = claims_of(
        gazetteer, "It was the first marathon since foreigners were allowed into Pyongyang."
    )
    assert result.claims == []


def test_a_future_reopening_without_a_date_produces_no_claim(gazetteer):
    assert claims_of(gazetteer, "Rason will reopen to foreign tourists next year.").claims == []


# --- dates ----------------------------------------------------------------------------------------


def test_schedule_with_a_date_is_effective_on_that_future_date(gazetteer):
    result = claims_of(gazetteer, "Rason will reopen to foreign tourists on 1 March.")
    assert triples(result) == [("rason", "foreign", "open", date(2026, 3, 1))]
    assert result.claims[0].category == "schedule"


def test_day_and_month_without_year_take_the_latest_past_date(gazetteer):
    result = claims_of(gazetteer, "Rason reopened to foreign tourists on 20 December.")
    assert triples(result) == [("rason", "foreign", "open", date(2024, 12, 20))]


def test_month_and_year_date_the_first_of_the_month(gazetteer):
    result = claims_of(gazetteer, "Rason reopened to foreign tourists in February 2025.")
    assert triples(result) == [("rason", "foreign", "open", date(2025, 2, 1))]


def test_a_weekday_means_the_latest_such_day(gazetteer):
    result = claims_of(gazetteer, "Rason closed to foreigners on Wednesday.")
    assert triples(result) == [("rason", "foreign", "closed", date(2025, 7, 16))]


def test_last_weekend_means_the_saturday_before(gazetteer):
    result = claims_of(gazetteer, "Rason closed to foreigners last weekend.")
    assert triples(result) == [("rason", "foreign", "closed", date(2025, 7, 12))]


def test_within_a_month_counts_from_the_earlier_event(gazetteer):
    result = claims_of(
        gazetteer,
        "Rason reopened to foreign tourists on 1 February, but tourism was halted within a month.",
    )
    assert triples(result) == [
        ("rason", "foreign", "open", date(2025, 2, 1)),
        ("rason", "foreign", "suspended", date(2025, 3, 3)),
    ]


def test_a_recounted_history_yields_one_dated_claim_per_event(gazetteer):
    result = claims_of(
        gazetteer,
        "Rason is remote. In the spring the zone briefly admitted foreign groups, "
        "then halted the programme weeks later.",
    )
    assert triples(result) == [
        ("rason", "foreign", "open", date(2025, 4, 1)),
        ("rason", "foreign", "suspended", date(2025, 4, 15)),
    ]


def test_a_date_that_bounds_a_period_does_not_date_the_claim(gazetteer):
    result = claims_of(gazetteer, "Rason will stay closed to foreigners until 1 January.")
    assert triples(result) == [("rason", "foreign", "suspended", date(2025, 7, 18))]


def test_without_a_date_the_claim_takes_the_publication_time(gazetteer):
    result = claims_of(gazetteer, "Rason reopened to foreign tourists.")
    assert result.claims[0].effective_at == PUBLISHED


def test_effective_dates_are_timezone_aware_utc(gazetteer):
    result = claims_of(
        gazetteer,
        "Rason reopened to foreign tourists on 1 July.",
        published_at=datetime.fromisoformat("2025-07-18T09:00:00+09:00"),
    )
    assert result.claims[0].effective_at.tzinfo == UTC


# --- mentions -------------------------------------------------------------------------------------


def test_the_resort_refers_back_to_the_last_resort_named(gazetteer):
    result = claims_of(
        gazetteer, "Wonsan-Kalma is a new beach resort. The resort is closed to foreigners."
    )
    assert triples(result) == [("wonsan-kalma", "foreign", "closed", date(2025, 7, 18))]


def test_the_country_refers_back_to_the_country_named(gazetteer):
    result = claims_of(
        gazetteer, "We wrote about North Korea. The country has closed its borders to tourists."
    )
    assert triples(result) == [("north-korea", "foreign", "closed", date(2025, 7, 18))]


def test_matching_ignores_case_hyphens_and_diacritics(gazetteer):
    result = claims_of(gazetteer, "WONSAN KALMA and the galapagos are closed to foreigners.")
    assert {c.destination_slug for c in result.claims} == {"wonsan-kalma", "galapagos"}


def test_the_most_specific_place_in_a_clause_is_what_it_is_about(gazetteer):
    result = claims_of(
        gazetteer, "North Korea has closed the Wonsan-Kalma resort in Kangwon to foreigners."
    )
    assert {c.destination_slug for c in result.claims} == {"wonsan-kalma"}


def test_a_place_in_an_aside_is_not_the_subject(gazetteer):
    result = claims_of(
        gazetteer,
        "Kangwon Province, home to Masikryong, remains open only to Russian tour groups.",
    )
    assert {c.destination_slug for c in result.claims} == {"kangwon"}


def test_the_evidence_offsets_point_into_title_blank_line_body(gazetteer):
    title = "Update"
    body = "Nothing new. Rason is closed to foreigners."
    result = claims_of(gazetteer, body, title=title)
    claim = result.claims[0]
    assert f"{title}\n\n{body}"[claim.start : claim.end] == "Rason is closed to foreigners."
    assert claim.sentence == "Rason is closed to foreigners."


def test_title_claims_count_only_when_the_body_has_none(gazetteer):
    result = claims_of(gazetteer, "No details were given.", title="Rason closed to foreigners")
    assert triples(result) == [("rason", "foreign", "closed", date(2025, 7, 18))]


def test_a_capitalised_place_that_matches_nothing_is_reported(gazetteer):
    result = claims_of(gazetteer, "The Chilbo Mountain area is closed to foreigners.")
    assert result.claims == []
    assert [p.name for p in result.unmatched_places] == ["Chilbo Mountain"]


# --- confidence -----------------------------------------------------------------------------------


def test_an_official_source_gives_more_confidence_than_the_news(gazetteer):
    body = "Rason is temporarily not receiving foreign tourists."
    official = claims_of(gazetteer, body, authority=100).claims[0].confidence
    news = claims_of(gazetteer, body, authority=40).claims[0].confidence
    assert 0 <= news < official <= 1


def test_naive_publication_time_is_refused(gazetteer):
    with pytest.raises(ValueError, match="timezone-aware"):
        claims_of(gazetteer, "Rason is closed.", published_at=datetime(2025, 7, 18))
