"""A deterministic, explainable status-claim extractor (no Django, no network, no model).

``extract`` turns one notice into ``ExtractedClaim``s; ``Gazetteer`` recognises destinations;
``evaluate`` scores the extractor against a labelled corpus.
"""

from .extractor import EXTRACTOR_VERSION, extract
from .gazetteer import Gazetteer
from .types import (
    DOMESTIC,
    FOREIGN,
    ExtractedClaim,
    ExtractionResult,
    GazetteerEntry,
    Mention,
    UnmatchedPlace,
)

__all__ = [
    "DOMESTIC",
    "EXTRACTOR_VERSION",
    "FOREIGN",
    "ExtractedClaim",
    "ExtractionResult",
    "Gazetteer",
    "GazetteerEntry",
    "Mention",
    "UnmatchedPlace",
    "extract",
]
