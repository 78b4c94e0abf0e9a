"""Nationality adjectives as written in English news, mapped to ISO 3166-1 alpha-2 codes.

Used to read audiences such as "Russian holidaymakers" or "Chinese tour groups". Multi-word forms
come first in matching (see ``DEMONYM_PATTERN``) so "South Korean" never reads as "Korean".

``demonym`` and ``demonym_at`` look a word (or a parsed token) up, for every reader that
needs a nationality: audiences, visa holders, advisors, names that are no places.
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
    "Pakistani": "PK",
    "Qatari": "QA",
    "Bahraini": "BH",
    "Kuwaiti": "KW",
    "Omani": "OM",
    "Yemeni": "YE",
    "Iraqi": "IQ",
    "Afghan": "AF",
    "Chadian": "TD",
    "Sudanese": "SD",
    "Somali": "SO",
    "Libyan": "LY",
    "Eritrean": "ER",
    "Haitian": "HT",
    "Congolese": "CG",
    "Burmese": "MM",
    "Myanmar": "MM",
    "Venezuelan": "VE",
    "Lebanese": "LB",
    "Jordanian": "JO",
    "Nigerian": "NG",
    "Ghanaian": "GH",
    "Kenyan": "KE",
    "Ethiopian": "ET",
    "Sri Lankan": "LK",
    "Bangladeshi": "BD",
    "Nepalese": "NP",
    "Taiwanese": "TW",
    "New Zealand": "NZ",
    "Irish": "IE",
    "Belgian": "BE",
    "Austrian": "AT",
    "Portuguese": "PT",
    "Greek": "GR",
    "Danish": "DK",
    "Finnish": "FI",
    "Hungarian": "HU",
    "Czech": "CZ",
    "Romanian": "RO",
    "Bulgarian": "BG",
    "Serbian": "RS",
    "Croatian": "HR",
    "Georgian": "GE",
    "Armenian": "AM",
    "Azerbaijani": "AZ",
    "Kyrgyz": "KG",
    "Tajik": "TJ",
    "Argentine": "AR",
    "Argentinian": "AR",
    "Chilean": "CL",
    "Colombian": "CO",
    "Bolivian": "BO",
    "South African": "ZA",
    "Moroccan": "MA",
    "Algerian": "DZ",
    "Tunisian": "TN",
    "Sierra Leonean": "SL",
    "Liberian": "LR",
    "Guinean": "GN",
    "Equatorial Guinean": "GQ",
    "Palestinian": "PS",
    "Singapore": "SG",
    "U.S.": "US",
    "UK": "GB",
    "Liechtensteiner": "LI",
}

DEMONYM_PATTERN = re.compile(
    r"\b(" + "|".join(re.escape(d) for d in sorted(DEMONYMS, key=len, reverse=True)) + r")\b"
)

_DEMONYM_LOWER = {name.lower(): code for name, code in DEMONYMS.items()}


def demonym_at(token) -> str | None:
    """The nationality a token names, two-word forms first ("North Korean", "South Korean")."""
    if token.i > 0:
        pair = demonym(f"{token.doc[token.i - 1].text} {token.text}")
        if pair:
            return pair
    return demonym(token.text)


def demonym(word: str) -> str | None:
    lowered = word.lower()
    if lowered in _DEMONYM_LOWER:
        return _DEMONYM_LOWER[lowered]
    for suffix in ("s",):
        if lowered.endswith(suffix) and lowered[: -len(suffix)] in _DEMONYM_LOWER:
            return _DEMONYM_LOWER[lowered[: -len(suffix)]]
    return None
