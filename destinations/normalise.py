"""Name normalisation shared by alias storage and mention matching.

Travellers, officials and newsrooms spell one place many ways ("Wonsan-Kalma",
"wonsan kalma", "Wŏnsan Kalma"). Storing and matching a single folded form means
one lookup finds them all.
"""

import re
import unicodedata

_SEPARATORS = re.compile("[\\s\\-\u2010-\u2015_/.,'\u2019`]+")


def normalise_name(value: str) -> str:
    """Fold case, strip diacritics and treat hyphens, dots and spaces alike.

    The result is lowercase ASCII-ish text with single spaces, suitable as a
    unique key and as the text both sides of a match are compared in.
    """
    decomposed = unicodedata.normalize("NFKD", value)
    stripped = "".join(ch for ch in decomposed if not unicodedata.combining(ch))
    folded = stripped.casefold()
    return _SEPARATORS.sub(" ", folded).strip()
