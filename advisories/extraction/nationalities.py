"""Nationality adjectives as written in English news, mapped to ISO 3166-1 alpha-2 codes.

Used to read audiences such as "Russian holidaymakers" or "Chinese tour groups". Multi-word forms
come first in matching (see ``DEMONYM_PATTERN``) so "South Korean" never reads as "Korean".
"""

from __future__ import annotations

import re

DEMONYMS: dict[str, str] = {
    "North Korean": "KP",
    "South Korean": "KR",
    "Russian": "RU",
    "Chinese": "CN",
    "American": "US",
    "British": "GB",
    "Japanese": "JP",
    "German": "DE",
    "French": "FR",
    "Italian": "IT",
    "Spanish": "ES",
    "Vietnamese": "VN",
    "Thai": "TH",
    "Indian": "IN",
    "Indonesian": "ID",
    "Australian": "AU",
    "Canadian": "CA",
    "Israeli": "IL",
    "Iranian": "IR",
    "Turkish": "TR",
    "Mongolian": "MN",
    "Kazakh": "KZ",
    "Belarusian": "BY",
    "Ukrainian": "UA",
    "Polish": "PL",
    "Dutch": "NL",
    "Swiss": "CH",
    "Swedish": "SE",
    "Norwegian": "NO",
    "Icelandic": "IS",
    "Peruvian": "PE",
    "Ecuadorian": "EC",
    "Saudi": "SA",
    "Emirati": "AE",
    "Bhutanese": "BT",
    "Nepali": "NP",
    "Malaysian": "MY",
    "Singaporean": "SG",
    "Filipino": "PH",
    "Cuban": "CU",
    "Brazilian": "BR",
    "Mexican": "MX",
    "Turkmen": "TM",
    "Uzbek": "UZ",
    "Laotian": "LA",
    "Cambodian": "KH",
    "Syrian": "SY",
    "Egyptian": "EG",
    "Korean": "KR",
}

DEMONYM_PATTERN = re.compile(
    r"\b(" + "|".join(re.escape(d) for d in sorted(DEMONYMS, key=len, reverse=True)) + r")\b"
)
