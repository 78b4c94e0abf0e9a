"""Every ISO 3166-1 country as a gazetteer entry, with the English names people actually write.

pycountry supplies the official list; ``COUNTRY_ALIASES`` adds the everyday spellings newsrooms use
("North Korea", "DPRK", "UK"). The destinations app's gazetteer loader reuses this mapping,
so it stays a plain ``dict[str, list[str]]`` of ISO alpha-2 code -> extra English aliases.
"""

from __future__ import annotations

import re
import unicodedata

import pycountry

from .types import GazetteerEntry

COUNTRY_ALIASES: dict[str, list[str]] = {
    "KP": ["North Korea", "DPRK", "D.P.R.K.", "Democratic People's Republic of Korea"],
    "KR": ["South Korea", "Republic of Korea", "ROK"],
    "RU": ["Russia", "Russian Federation"],
    "US": ["United States", "United States of America", "USA", "U.S.", "U.S.A.", "America"],
    "GB": ["United Kingdom", "UK", "U.K.", "Britain", "Great Britain"],
    "LA": ["Laos", "Lao PDR"],
    "VN": ["Vietnam", "Viet Nam"],
    "IR": ["Iran", "Islamic Republic of Iran"],
    "SY": ["Syria"],
    "TW": ["Taiwan"],
    "BO": ["Bolivia"],
    "VE": ["Venezuela"],
    "TZ": ["Tanzania"],
    "MD": ["Moldova"],
    "FM": ["Micronesia", "Federated States of Micronesia"],
    "PS": ["Palestine", "Palestinian Territories"],
    "CD": ["Democratic Republic of the Congo", "DR Congo", "DRC", "Congo-Kinshasa"],
    "CG": ["Republic of the Congo", "Congo-Brazzaville"],
    "CI": ["Ivory Coast", "Côte d'Ivoire"],
    "CZ": ["Czech Republic", "Czechia"],
    "MK": ["North Macedonia", "Macedonia"],
    "VA": ["Vatican", "Vatican City", "Holy See"],
    "BN": ["Brunei"],
    "CV": ["Cape Verde", "Cabo Verde"],
    "SZ": ["Eswatini", "Swaziland"],
    "TR": ["Turkey", "Türkiye"],
    "MM": ["Myanmar", "Burma"],
    "TL": ["East Timor", "Timor-Leste"],
    "NL": ["Netherlands", "Holland"],
    "AE": ["United Arab Emirates", "UAE"],
    "SA": ["Saudi Arabia"],
    "CN": ["China", "People's Republic of China", "PRC"],
    "BQ": ["Caribbean Netherlands"],
    "SH": ["Saint Helena"],
    "VG": ["British Virgin Islands"],
    "VI": ["US Virgin Islands", "U.S. Virgin Islands"],
    "KN": ["St Kitts and Nevis"],
    "LC": ["St Lucia"],
    "VC": ["St Vincent and the Grenadines"],
    "BA": ["Bosnia", "Bosnia-Herzegovina"],
}

#: First id used for countries, so corpus and benchmark destinations can use other ranges.
COUNTRY_ID_BASE = 1


def _slugify(value: str) -> str:
    ascii_value = unicodedata.normalize("NFKD", value).encode("ascii", "ignore").decode()
    return re.sub(r"[^a-z0-9]+", "-", ascii_value.lower()).strip("-")


def country_display_name(code: str) -> str:
    """The name a reader expects: the everyday alias if we have one, else pycountry's name."""
    country = pycountry.countries.get(alpha_2=code)
    if country is None:
        raise KeyError(code)
    extra = COUNTRY_ALIASES.get(code)
    if extra:
        return extra[0]
    return getattr(country, "common_name", None) or country.name


def country_names(code: str) -> list[str]:
    """Every English spelling of a country worth matching, display name first, no duplicates.

    pycountry's inverted forms ("Korea, Republic of") are left out: nobody writes them in prose.
    """
    country = pycountry.countries.get(alpha_2=code)
    if country is None:
        raise KeyError(code)
    candidates = [
        country_display_name(code),
        *COUNTRY_ALIASES.get(code, []),
        getattr(country, "common_name", None),
        getattr(country, "official_name", None),
        country.name,
    ]
    names: list[str] = []
    for name in candidates:
        if name and "," not in name and name not in names:
            names.append(name)
    return names


def country_entries() -> list[GazetteerEntry]:
    """One ``GazetteerEntry`` per ISO 3166-1 country, slugged from its display name."""
    entries = []
    for index, country in enumerate(sorted(pycountry.countries, key=lambda c: c.alpha_2)):
        code = country.alpha_2
        names = country_names(code)
        entries.append(
            GazetteerEntry(
                id=COUNTRY_ID_BASE + index,
                slug=_slugify(names[0]),
                name=names[0],
                kind="country",
                country_code=code,
                aliases=tuple(names[1:]),
            )
        )
    return entries
