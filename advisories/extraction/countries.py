"""Every ISO 3166-1 country as a gazetteer entry for the extractor.

The names and aliases are the destinations app's country gazetteer (`destinations.gazetteer`),
the same ones the database is loaded with, so the corpus evaluation and the benchmark match
countries exactly as the running service does.
"""

from __future__ import annotations

from functools import cache

from destinations.gazetteer import country_records

from .types import GazetteerEntry

#: First id used for countries, so corpus and benchmark destinations can use other ranges.
COUNTRY_ID_BASE = 1


@cache
def _names_by_code() -> dict[str, list[str]]:
    """Display name first, then aliases; ISO's inverted forms ("Korea, Republic of") left out,
    since nobody writes them in prose."""
    return {
        record.code: [record.name, *(a for a in record.aliases if "," not in a)]
        for record in country_records()
    }


def country_names(code: str) -> list[str]:
    """Every English spelling of a country worth matching, display name first."""
    return list(_names_by_code()[code])


def country_entries() -> list[GazetteerEntry]:
    """One ``GazetteerEntry`` per ISO 3166-1 country, with the database's slug and names."""
    records = sorted(country_records(), key=lambda record: record.code)
    return [
        GazetteerEntry(
            id=COUNTRY_ID_BASE + index,
            slug=record.slug,
            name=record.name,
            kind="country",
            country_code=record.code,
            aliases=tuple(country_names(record.code)[1:]),
        )
        for index, record in enumerate(records)
    ]
