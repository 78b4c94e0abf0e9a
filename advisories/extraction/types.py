"""Plain value types shared by the extractor, its evaluation and the database glue.

They are frozen dataclasses so results can be compared, hashed and cached without any Django
machinery; the service layer maps them onto model rows.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import datetime

FOREIGN = "foreign"
DOMESTIC = "domestic"

STATUSES = ("open", "restricted", "suspended", "closed", "unknown")
KINDS = ("country", "region", "city", "zone", "resort", "site")


@dataclass(frozen=True, slots=True)
class GazetteerEntry:
    """One destination the extractor can recognise, with every spelling worth matching."""

    id: int
    slug: str
    name: str
    kind: str
    country_code: str
    aliases: tuple[str, ...] = ()


@dataclass(frozen=True, slots=True)
class Mention:
    """A place named (or referred back to) in the notice text, with offsets into that text."""

    entry: GazetteerEntry
    start: int
    end: int
    anaphoric: bool = False


@dataclass(frozen=True, slots=True)
class ExtractedClaim:
    """One status assertion with the evidence sentence that justifies it.

    ``start``/``end`` are offsets of the evidence sentence in the notice text, which is
    ``title + "\\n\\n" + body``. ``audience`` is "foreign", "domestic" or an ISO 3166-1 alpha-2
    code.
    """

    destination_id: int
    destination_slug: str
    audience: str
    status: str
    effective_at: datetime
    confidence: float
    sentence: str
    start: int
    end: int
    category: str
    pattern: str


@dataclass(frozen=True, slots=True)
class UnmatchedPlace:
    """A place-like name in a status sentence that no destination matches: work for curators."""

    name: str
    sentence: str


@dataclass(frozen=True, slots=True)
class ExtractionResult:
    claims: list[ExtractedClaim] = field(default_factory=list)
    unmatched_places: list[UnmatchedPlace] = field(default_factory=list)
