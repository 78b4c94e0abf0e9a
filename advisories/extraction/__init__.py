"""Notice text -> claims: a deterministic, explainable reading of status claims.

``extract`` turns one notice into ``ExtractedClaim``s from spaCy's parse (``nlp``: the model is
loaded lazily, only in the worker) read as status frames (``frames`` and the modules it asks:
``assertion``, ``themes``, ``visitor_phrases``, ``qualifiers``), settled into claims per place,
audience and date (``claims``, ``destinations``, ``audiences``, ``visas``, ``effective_dates``,
``listed_places``, ``settling``). ``Gazetteer`` recognises destinations; ``evaluation`` scores the
extractor against labelled notices. This core has no Django in it.

The Django side is ``service`` (stores claims, marks destinations for reconciliation) and
``tasks`` (the worker's entry points). May import: ``advisories.models``, ``advisories.handoffs``,
``destinations``; never ingest, reconciliation, alerts or the publishing layer.
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
