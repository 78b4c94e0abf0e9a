"""The extractor against the nine kinds of misreading listed in issue 12, one behaviour per test.

The sentences are the project's own, about invented places and real countries; a test that
expects no claim sits beside a control showing that the same place and verb do give a claim
when the text asserts one.
An ``xfail(strict=True)`` marks a reading the extractor still gets wrong: the expectation is the
right one, and the mark comes off when the cause is fixed.
"""

from datetime import UTC, date, datetime

import pytest

from advisories.extraction import Gazetteer, GazetteerEntry, extract
from advisories.extraction.countries import country_entries

PUBLISHED = datetime(2024, 3, 14, 9, 0, tzinfo=UTC)  # a Thursday
TODAY = PUBLISHED.date()
LAST_MONDAY = date(2024, 3, 11)

LUMEN_COVE = GazetteerEntry(
    2001, "lumen-cove", "Lumen Cove", "resort", "TH", ("Lumen Cove Resort",)
)
SARNA_VALLEY = GazetteerEntry(
    2002, "sarna-valley", "Sarna Valley National Park", "site", "NP", ("Sarna Valley",)
)
ORVIK_ISLAND = GazetteerEntry(2003, "orvik-island", "Orvik Island", "site", "NO", ("Orvik",))
TALMERE = GazetteerEntry(2004, "talmere", "Talmere Free Trade Zone", "zone", "KP", ("Talmere",))


@pytest.fixture(scope="module")
def gazetteer():
    return Gazetteer([*country_entries(), LUMEN_COVE, SARNA_VALLEY, ORVIK_ISLAND, TALMERE])


def claims(gazetteer, body, *, title="Travel update", published_at=PUBLISHED):
    result = extract(
        title=title, body=body, published_at=published_at, gazetteer=gazetteer, authority=40
    )
    return sorted(
        (c.destination_slug, c.audience, c.status, c.effective_at.date()) for c in result.claims
    )


# --- 1. a participle or relative clause describing a place is no event ----------------------------


def test_a_newly_opened_resort_mentioned_in_passing_is_not_an_opening(gazetteer):
    body = "The newly opened Lumen Cove resort is drawing praise from travel writers."
    assert claims(gazetteer, body) == []


def test_the_resort_opening_to_foreign_tourists_is_an_opening(gazetteer):
    body = "Lumen Cove opened to foreign tourists over the weekend."
    assert claims(gazetteer, body) == [("lumen-cove", "foreign", "open", date(2024, 3, 9))]


def test_a_relative_clause_saying_when_a_zone_began_operating_is_not_an_opening(gazetteer):
    body = (
        "The Talmere Free Trade Zone, which began operations this month, "
        "hosts a dozen garment factories."
    )
    assert claims(gazetteer, body) == []


def test_the_zone_beginning_to_receive_foreign_visitors_is_an_opening(gazetteer):
    body = "Talmere began receiving foreign visitors."
    assert claims(gazetteer, body) == [("talmere", "foreign", "open", TODAY)]


def test_visitors_returning_to_a_recently_reopened_park_is_not_a_reopening(gazetteer):
    body = "Trekkers returned to the recently reopened Sarna Valley National Park."
    assert claims(gazetteer, body) == []


def test_the_park_reopening_to_foreign_trekkers_is_a_reopening(gazetteer):
    body = "Sarna Valley National Park reopened to foreign trekkers on Monday."
    assert claims(gazetteer, body) == [("sarna-valley", "foreign", "open", LAST_MONDAY)]


# --- 2. a status verb whose object is something other than the place ------------------------------


def test_opening_a_rail_line_to_the_resort_is_not_the_resort_opening(gazetteer):
    body = "Thailand opened a new rail line to Lumen Cove on Monday."
    assert claims(gazetteer, body) == []


def test_opening_the_resort_itself_to_foreign_tourists_is_an_opening(gazetteer):
    body = "Thailand opened Lumen Cove to foreign tourists on Monday."
    assert claims(gazetteer, body) == [("lumen-cove", "foreign", "open", LAST_MONDAY)]


def test_closing_a_plant_on_the_island_is_not_the_island_closing(gazetteer):
    body = "Norway closed a fish-processing plant on Orvik Island."
    assert claims(gazetteer, body) == []


def test_closing_the_island_itself_to_visitors_is_a_closure(gazetteer):
    body = "Norway closed Orvik Island to cruise visitors."
    assert claims(gazetteer, body) == [("orvik-island", "foreign", "closed", TODAY)]


def test_a_bus_route_serving_the_park_is_not_an_opening(gazetteer):
    body = "A shuttle bus now serves Sarna Valley National Park."
    assert claims(gazetteer, body) == []


# --- 3. countries visitors come from are their audience, not destinations -------------------------


def test_tourists_from_listed_countries_are_audiences_of_the_resort(gazetteer):
    body = "Lumen Cove reopened to tourists from Germany, France and Italy."
    assert claims(gazetteer, body) == [
        ("lumen-cove", "DE", "open", TODAY),
        ("lumen-cove", "FR", "open", TODAY),
        ("lumen-cove", "IT", "open", TODAY),
        ("lumen-cove", "foreign", "restricted", TODAY),
    ]


def test_citizens_of_a_country_are_an_audience_of_the_island(gazetteer):
    body = "Orvik Island reopened to citizens of Canada."
    assert claims(gazetteer, body) == [
        ("orvik-island", "CA", "open", TODAY),
        ("orvik-island", "foreign", "restricted", TODAY),
    ]


def test_a_visa_suspension_for_citizens_of_a_country_is_about_the_issuer(gazetteer):
    body = "Japan suspended visa-free entry for citizens of Brazil."
    assert claims(gazetteer, body) == [("japan", "BR", "suspended", TODAY)]


def test_hosting_holidaymakers_from_a_country_opens_the_resort_to_that_nationality(gazetteer):
    body = "Lumen Cove hosted a group of holidaymakers from Germany on Monday."
    assert claims(gazetteer, body) == [
        ("lumen-cove", "DE", "open", LAST_MONDAY),
        ("lumen-cove", "foreign", "restricted", LAST_MONDAY),
    ]


def test_being_open_again_to_citizens_of_one_country_restricts_other_foreigners(gazetteer):
    body = "Orvik Island is open again to citizens of Canada."
    assert claims(gazetteer, body) == [
        ("orvik-island", "CA", "open", TODAY),
        ("orvik-island", "foreign", "restricted", TODAY),
    ]


def test_a_country_opening_its_resort_to_one_nationality_is_about_the_resort(gazetteer):
    body = "Thailand reopened Lumen Cove to Brazilian nationals."
    assert claims(gazetteer, body) == [
        ("lumen-cove", "BR", "open", TODAY),
        ("lumen-cove", "foreign", "restricted", TODAY),
    ]


# --- 4. one sentence, one consistent reading ------------------------------------------------------


def test_a_suspension_recalled_in_a_relative_clause_leaves_only_the_reopening(gazetteer):
    body = "Lumen Cove, which suspended foreign tours last year, has reopened to foreigners."
    assert claims(gazetteer, body) == [("lumen-cove", "foreign", "open", TODAY)]


def test_lifting_a_ban_on_foreign_visitors_is_only_an_opening(gazetteer):
    body = "Lumen Cove has lifted the ban on foreign visitors."
    assert claims(gazetteer, body) == [("lumen-cove", "foreign", "open", TODAY)]


def test_ending_a_suspension_of_foreign_tours_is_an_opening(gazetteer):
    body = "Lumen Cove has ended its suspension of foreign tours."
    assert claims(gazetteer, body) == [("lumen-cove", "foreign", "open", TODAY)]


def test_no_longer_suspended_and_open_again_is_an_opening(gazetteer):
    body = "Orvik Island is no longer suspended for foreign visitors and is open again."
    assert claims(gazetteer, body) == [("orvik-island", "foreign", "open", TODAY)]


@pytest.mark.xfail(
    strict=True, reason="the actor of 'lifted the suspension' also gets a suspended claim"
)
def test_a_country_lifting_a_suspension_of_tours_opens_the_resort_and_suspends_nothing(gazetteer):
    body = "Thailand lifted the suspension of tours to Lumen Cove."
    assert claims(gazetteer, body) == [("lumen-cove", "foreign", "open", TODAY)]


def test_a_closure_and_a_later_reopening_reported_with_dates_are_both_kept(gazetteer):
    body = "Lumen Cove closed to foreign visitors on 2 February and reopened to them on 1 March."
    assert claims(gazetteer, body) == [
        ("lumen-cove", "foreign", "closed", date(2024, 2, 2)),
        ("lumen-cove", "foreign", "open", date(2024, 3, 1)),
    ]


# --- 5. headline and body, or several sentences, restating one event are one claim ----------------


def test_a_headline_restated_by_a_dated_body_sentence_is_one_claim_on_the_body_date(gazetteer):
    result = claims(
        gazetteer,
        "Lumen Cove reopened to foreign tourists on 5 March.",
        title="Lumen Cove reopens to foreigners",
    )
    assert result == [("lumen-cove", "foreign", "open", date(2024, 3, 5))]


def test_a_headline_alone_gives_its_claim(gazetteer):
    result = claims(
        gazetteer, "Prices at the hotels have risen.", title="Lumen Cove reopens to foreigners"
    )
    assert result == [("lumen-cove", "foreign", "open", TODAY)]


def test_a_headline_naming_foreign_visitors_gives_its_claim(gazetteer):
    result = claims(
        gazetteer,
        "Prices at the hotels have risen.",
        title="Lumen Cove reopens to foreign visitors",
    )
    assert result == [("lumen-cove", "foreign", "open", TODAY)]


def test_an_undated_sentence_about_the_same_reopening_adds_no_second_claim(gazetteer):
    body = (
        "Lumen Cove reopened to foreign tourists on 5 March. "
        "Hotel owners welcomed the reopening of Lumen Cove to foreigners."
    )
    assert claims(gazetteer, body) == [("lumen-cove", "foreign", "open", date(2024, 3, 5))]


# --- 6. dates: the notice's year, periods, and dates announced ahead ------------------------------


def test_a_past_day_and_month_without_a_year_take_the_notices_year(gazetteer):
    body = "Lumen Cove reopened to foreign tourists on 2 March."
    assert claims(gazetteer, body) == [("lumen-cove", "foreign", "open", date(2024, 3, 2))]


def test_a_coming_day_and_month_without_a_year_take_the_notices_year(gazetteer):
    body = "Lumen Cove will reopen to foreign tourists on 20 April."
    assert claims(gazetteer, body) == [("lumen-cove", "foreign", "open", date(2024, 4, 20))]


def test_a_coming_january_date_in_a_december_notice_is_next_year(gazetteer):
    result = claims(
        gazetteer,
        "Lumen Cove will reopen to foreign tourists on 5 January.",
        published_at=datetime(2024, 12, 20, 9, 0, tzinfo=UTC),
    )
    assert result == [("lumen-cove", "foreign", "open", date(2025, 1, 5))]


def test_closed_until_a_date_is_a_suspension_from_today(gazetteer):
    body = "Orvik Island is closed to foreign visitors until 30 April."
    assert claims(gazetteer, body) == [("orvik-island", "foreign", "suspended", TODAY)]


def test_closed_until_further_notice_stays_a_closure(gazetteer):
    body = "Orvik Island is closed to foreign visitors until further notice."
    assert claims(gazetteer, body) == [("orvik-island", "foreign", "closed", TODAY)]


def test_a_closure_from_one_date_to_another_is_a_suspension_from_its_start(gazetteer):
    body = "Orvik Island will close to foreign visitors from 1 April until 30 June."
    assert claims(gazetteer, body) == [("orvik-island", "foreign", "suspended", date(2024, 4, 1))]


def test_a_closure_for_six_months_is_a_suspension(gazetteer):
    body = "Lumen Cove has been shut to foreign tourists for six months."
    assert claims(gazetteer, body) == [("lumen-cove", "foreign", "suspended", TODAY)]


def test_a_six_month_closure_from_a_coming_date_is_a_suspension_from_that_date(gazetteer):
    body = "Lumen Cove will close to foreign tourists for six months from 1 April."
    assert claims(gazetteer, body) == [("lumen-cove", "foreign", "suspended", date(2024, 4, 1))]


def test_a_reopening_announced_for_a_coming_month_is_dated_its_first_day(gazetteer):
    body = "Sarna Valley will reopen to foreign trekkers in May."
    assert claims(gazetteer, body) == [("sarna-valley", "foreign", "open", date(2024, 5, 1))]


# --- 7. openings for some travellers only are restricted; vaccination alone is a formality --------


def test_reopening_to_travellers_from_a_counted_number_of_countries_is_restricted(gazetteer):
    body = "Thailand reopened to travellers from 19 countries."
    assert claims(gazetteer, body) == [("thailand", "foreign", "restricted", TODAY)]


def test_open_to_group_tours_only_is_restricted(gazetteer):
    body = "Lumen Cove is open to group tours only."
    assert claims(gazetteer, body) == [("lumen-cove", "foreign", "restricted", TODAY)]


def test_vaccinated_visitors_under_a_sandbox_scheme_is_restricted(gazetteer):
    body = "Orvik Island has reopened to vaccinated visitors under a sandbox scheme."
    assert claims(gazetteer, body) == [("orvik-island", "foreign", "restricted", TODAY)]


def test_reopening_to_vaccinated_visitors_alone_is_open(gazetteer):
    body = "Orvik Island has reopened to vaccinated foreign visitors."
    assert claims(gazetteer, body) == [("orvik-island", "foreign", "open", TODAY)]


def test_reopening_to_visitors_who_quarantine_is_restricted(gazetteer):
    body = "Thailand reopened to foreign visitors who quarantine for 14 days."
    assert claims(gazetteer, body) == [("thailand", "foreign", "restricted", TODAY)]


def test_open_only_to_trekkers_from_two_countries_opens_those_and_restricts_the_rest(gazetteer):
    body = "Sarna Valley is open to trekkers from India and Japan only."
    assert claims(gazetteer, body) == [
        ("sarna-valley", "IN", "open", TODAY),
        ("sarna-valley", "JP", "open", TODAY),
        ("sarna-valley", "foreign", "restricted", TODAY),
    ]


# --- 8. a government's advice to its own citizens is a status for that nationality ----------------


def test_the_foreign_office_advising_against_all_travel_closes_for_british_citizens(gazetteer):
    body = "The Foreign Office advises against all travel to Syria."
    assert claims(gazetteer, body) == [("syria", "GB", "closed", TODAY)]


def test_advice_against_all_but_essential_travel_restricts_for_that_nationality(gazetteer):
    body = "The State Department advises against all but essential travel to Lebanon."
    assert claims(gazetteer, body) == [("lebanon", "US", "restricted", TODAY)]


def test_a_country_named_as_the_adviser_gives_its_own_nationality(gazetteer):
    body = "Canada advises against all travel to Mali."
    assert claims(gazetteer, body) == [("mali", "CA", "closed", TODAY)]


def test_a_ministry_advising_its_citizens_speaks_for_its_country(gazetteer):
    body = "Japan's foreign ministry advises its citizens against all travel to Syria."
    assert claims(gazetteer, body) == [("syria", "JP", "closed", TODAY)]


# --- 9. plans, proposals, forecasts, construction and praise are no claim -------------------------


def test_a_plan_to_reopen_is_no_claim(gazetteer):
    body = "Officials plan to reopen Sarna Valley to foreign trekkers in the autumn."
    assert claims(gazetteer, body) == []


def test_officials_reopening_the_park_is_a_claim(gazetteer):
    body = "Officials reopened Sarna Valley to foreign trekkers on Monday."
    assert claims(gazetteer, body) == [("sarna-valley", "foreign", "open", LAST_MONDAY)]


def test_a_proposal_to_close_is_no_claim(gazetteer):
    body = "Lawmakers proposed closing Orvik Island to cruise visitors."
    assert claims(gazetteer, body) == []


def test_a_forecast_reopening_is_no_claim(gazetteer):
    body = "Sarna Valley is expected to reopen to foreign trekkers in May."
    assert claims(gazetteer, body) == []


def test_a_hotel_under_construction_that_will_open_is_no_claim(gazetteer):
    body = "A second hotel under construction at Lumen Cove will open next year."
    assert claims(gazetteer, body) == []


def test_the_resort_itself_opening_on_a_coming_date_is_a_claim(gazetteer):
    body = "Lumen Cove will open to foreign tourists on 1 June."
    assert claims(gazetteer, body) == [("lumen-cove", "foreign", "open", date(2024, 6, 1))]


def test_praise_for_a_welcoming_resort_is_no_claim(gazetteer):
    body = "Travel writers praised Lumen Cove as the most welcoming resort on the coast."
    assert claims(gazetteer, body) == []


def test_the_resort_welcoming_foreign_tourists_again_is_a_claim(gazetteer):
    body = "Lumen Cove is welcoming foreign tourists again."
    assert claims(gazetteer, body) == [("lumen-cove", "foreign", "open", TODAY)]
