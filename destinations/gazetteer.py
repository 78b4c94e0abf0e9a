"""The country gazetteer: every ISO 3166 country as a destination, with common English aliases.

Country names come from pycountry (maintained ISO 3166 data); the aliases below are the everyday
English names newsrooms and ministries use that ISO's formal names do not cover.
"""

from __future__ import annotations

from dataclasses import dataclass

import pycountry
from django.utils.text import slugify

# ISO's "Korea, Democratic People's Republic of" is not how anyone writes a headline.
DISPLAY_NAMES: dict[str, str] = {
    "CD": "Democratic Republic of the Congo",
    "CG": "Republic of the Congo",
    "FM": "Micronesia",
    "PS": "Palestine",
    "VA": "Vatican City",
    "BN": "Brunei",
    "RU": "Russia",
    "TR": "Turkey",
    "CZ": "Czech Republic",
    "MO": "Macau",
    "HK": "Hong Kong",
    "GB": "United Kingdom",
    "US": "United States",
    "BQ": "Caribbean Netherlands",
    "SH": "Saint Helena",
    "VG": "British Virgin Islands",
    "VI": "US Virgin Islands",
}

COMMON_ALIASES: dict[str, list[str]] = {
    "KP": ["North Korea", "DPRK", "D.P.R.K.", "Democratic People's Republic of Korea"],
    "KR": ["South Korea", "Republic of Korea", "ROK"],
    "RU": ["Russia", "Russian Federation"],
    "GB": ["UK", "U.K.", "Britain", "Great Britain", "United Kingdom"],
    "US": ["USA", "U.S.", "U.S.A.", "United States of America", "America", "United States"],
    "CN": ["China", "PRC", "People's Republic of China", "Mainland China"],
    "TW": ["Taiwan"],
    "LA": ["Laos", "Lao PDR"],
    "VN": ["Vietnam", "Viet Nam"],
    "IR": ["Iran", "Islamic Republic of Iran"],
    "SY": ["Syria"],
    "TR": ["Turkey", "Türkiye", "Turkiye"],
    "CZ": ["Czechia", "Czech Republic"],
    "MM": ["Myanmar", "Burma"],
    "CI": ["Ivory Coast", "Côte d'Ivoire"],
    "CV": ["Cape Verde", "Cabo Verde"],
    "SZ": ["Eswatini", "Swaziland"],
    "MK": ["North Macedonia", "Macedonia"],
    "CD": ["DR Congo", "DRC", "Congo-Kinshasa", "Democratic Republic of the Congo"],
    "CG": ["Congo-Brazzaville", "Republic of the Congo"],
    "VA": ["Vatican", "Holy See", "Vatican City"],
    "AE": ["UAE", "Emirates", "United Arab Emirates"],
    "NL": ["Holland", "the Netherlands", "Netherlands"],
    "BO": ["Bolivia"],
    "VE": ["Venezuela"],
    "TZ": ["Tanzania"],
    "MD": ["Moldova"],
    "PS": ["Palestinian Territories", "Palestine"],
    "FM": ["Federated States of Micronesia", "Micronesia"],
    "TL": ["East Timor", "Timor-Leste"],
    "MO": ["Macao"],
    "BN": ["Brunei Darussalam", "Brunei"],
    "SA": ["Saudi Arabia"],
    "BQ": ["Caribbean Netherlands"],
    "SH": ["Saint Helena"],
    "VG": ["British Virgin Islands"],
    "VI": ["US Virgin Islands", "U.S. Virgin Islands"],
    "KN": ["St Kitts and Nevis"],
    "LC": ["St Lucia"],
    "VC": ["St Vincent and the Grenadines"],
    "BA": ["Bosnia", "Bosnia-Herzegovina"],
}


@dataclass(frozen=True)
class CountryRecord:
    code: str
    slug: str
    name: str
    aliases: tuple[str, ...]


def _display_name(country) -> str:
    return (
        DISPLAY_NAMES.get(country.alpha_2) or getattr(country, "common_name", None) or country.name
    )


def country_records() -> list[CountryRecord]:
    """One record per ISO 3166-1 country, names de-duplicated, display name first."""
    records = []
    for country in pycountry.countries:
        name = _display_name(country)
        candidates = [
            country.name,
            getattr(country, "official_name", None),
            getattr(country, "common_name", None),
            *COMMON_ALIASES.get(country.alpha_2, []),
        ]
        aliases: list[str] = []
        for candidate in candidates:
            if candidate and candidate != name and candidate not in aliases:
                aliases.append(candidate)
        records.append(
            CountryRecord(
                code=country.alpha_2, slug=slugify(name), name=name, aliases=tuple(aliases)
            )
        )
    return records
