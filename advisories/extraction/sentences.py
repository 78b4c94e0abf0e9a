"""Sentence and clause boundaries, with offsets into the original text.

Good enough for news and ministry prose: splits at sentence punctuation followed by a capital, digit
or quote, never after common abbreviations ("Mt.", "U.S.", "Jan."), and always at line breaks.
"""

from __future__ import annotations

import re
from dataclasses import dataclass

_ABBREVIATIONS = {
    "mr", "mrs", "ms", "dr", "st", "mt", "no", "vs", "etc", "e.g", "i.e", "gen", "col", "lt",
    "jan", "feb", "mar", "apr", "jun", "jul", "aug", "sep", "sept", "oct", "nov", "dec",
    "u.s", "u.k", "u.n", "d.p.r.k", "approx", "inc", "ltd", "co", "corp", "prof", "sen", "rep",
}  # fmt: skip

# A semicolon joins two assertions; the parser reads each better on its own.
_BOUNDARY = re.compile(r"[.!?]+[\"'\u2019\u201d)\]]*\s+(?=[\"'\u2018\u201c(\[]?[A-Z0-9])|;\s+|\n+")

# Clause boundaries: semicolons and colons, and conjunctions that start a new assertion.
_CLAUSE_BOUNDARY = re.compile(
    r"\s*[;:]\s+|\s+[—\u2013]\s+"
    r"|,\s+(?=(?:but|while|whereas|although|though|then|yet)\b)"
    r"|\s+(?=(?:while|whereas|although)\b)"
    r"|\s+(?=then\s)"
    r"|,\s+and\s+(?=(?:the|a|an|it|its|they|their|we|our|he|she|this|that|these|those|there|"
    r"other|no|all|visitors|tourists|foreigners)\b)",
    re.I,
)


@dataclass(frozen=True, slots=True)
class Span:
    start: int
    end: int
    text: str


def split_sentences(text: str) -> list[Span]:
    """Sentences of ``text`` with their offsets, leading/trailing whitespace excluded."""
    spans: list[Span] = []
    start = 0
    for match in _BOUNDARY.finditer(text):
        if match.group(0).startswith(";"):
            _append(spans, text, start, match.start())
            start = match.end()
            continue
        if match.group(0).startswith((".", "!", "?")) and match.group(0).lstrip(".!?")[:1] != "\n":
            word = re.search(r"([\w.]+)\.$", text[start : match.start() + 1])
            if word and word.group(1).lower() in _ABBREVIATIONS:
                continue
        end = match.start() + len(match.group(0).rstrip())
        if "\n" in match.group(0) and not match.group(0).startswith((".", "!", "?")):
            end = match.start()
        _append(spans, text, start, end)
        start = match.end()
    _append(spans, text, start, len(text))
    return spans


def _append(spans: list[Span], text: str, start: int, end: int) -> None:
    chunk = text[start:end]
    stripped = chunk.strip()
    if not stripped:
        return
    lead = len(chunk) - len(chunk.lstrip())
    real_start = start + lead
    spans.append(Span(real_start, real_start + len(stripped), stripped))


def split_clauses(sentence: Span) -> list[Span]:
    """Clauses of a sentence, offsets still relative to the whole notice text."""
    clauses: list[Span] = []
    start = 0
    text = sentence.text
    for match in _CLAUSE_BOUNDARY.finditer(text):
        if match.start() <= start:
            continue
        clauses.append(_sub(sentence, start, match.start()))
        start = match.end()
    clauses.append(_sub(sentence, start, len(text)))
    return [c for c in clauses if c.text]


def _sub(sentence: Span, start: int, end: int) -> Span:
    return Span(sentence.start + start, sentence.start + end, sentence.text[start:end])
