"""Turn a notice's text into dated, attributed status claims, reading sentence structure.

Per notice: split sentences; find destination mentions (names, aliases and "the resort"-style
references); keep the sentences the lexicon's pre-filter lets through and parse them (one batched
``nlp.pipe`` call); read a frame from each status predicate (``frames.py``); resolve its places,
audiences and date (``claims.py`` and the readers it draws on); then settle one reading per
(destination, audience, event) for the whole notice (``settling.py``). Every claim carries the
sentence it came from.
"""

from __future__ import annotations

import re
from bisect import bisect_right
from dataclasses import replace
from datetime import UTC, date, datetime

from .assertion import is_speculative
from .claims import ClaimReading
from .dates import find_dates
from .destinations import token_span
from .frames import Frame, read_frame
from .gazetteer import SPECIFICITY, Gazetteer
from .lexicon import PREDICATES, PREFILTER
from .nlp import language_model, names_merged
from .sentences import Span, split_sentences
from .settling import Candidate, settle
from .types import (
    DOMESTIC,
    FOREIGN,
    ExtractionResult,
    GazetteerEntry,
    Mention,
    UnmatchedPlace,
)

EXTRACTOR_VERSION = "2026.12.1"


#: A notice that says its measure concerns "domestic and foreign visitors" somewhere.
_BOTH_AUDIENCES = re.compile(
    r"\b(?:domestic|local|national)\s+and\s+foreign\s+(?:visitors|tourists|travell?ers)"
    r"|\bforeign\s+and\s+(?:domestic|local)\s+(?:visitors|tourists|travell?ers)",
    re.I,
)
#: "TAIPEI, Taiwan -", "NEW DELHI (Reuters) -": where a story was filed, not what it is about;
#: its places are no mentions and it is blanked before parsing.
_DATELINE = re.compile(r"^[A-Z][A-Z .'-]{2,}(?:,\s+[A-Z][\w .'-]*)?\s*(?:\u2013|\u2014|--?|\()\s*")


def extract(
    *,
    title: str,
    body: str,
    published_at: datetime,
    gazetteer: Gazetteer,
    authority: int,
) -> ExtractionResult:
    """Extract status claims from one notice.

    The notice text is ``title + "\\n\\n" + body``; every claim's ``start``/``end`` are offsets of
    its evidence sentence in that text. ``authority`` is the source's 0-100 weight (official 100,
    operator 60, news 40, other 20); it scales each claim's confidence together with the
    strength of the predicate that asserted it.
    """
    if published_at.tzinfo is None:
        raise ValueError("published_at must be timezone-aware")
    return _Reader(
        title=title, body=body, published_at=published_at, gazetteer=gazetteer, authority=authority
    ).run()


class _Reader(ClaimReading):
    """One notice read through. The readers mixed in share its state: the notice's
    sentences with their mentions and dates, the story's topic, the last country named,
    measures spoken of only as plans, the events dated so far, the unmatched places."""

    def __init__(self, *, title, body, published_at, gazetteer, authority):
        self.text = f"{title}\n\n{body}"
        self.title_end = len(title)
        self.published_at = published_at.astimezone(UTC)
        # Weekdays, "today" and "yesterday" are the notice's own days, in its own time zone.
        self.published = published_at.date()
        self.gazetteer = gazetteer
        self.authority_factor = 0.5 + 0.5 * max(0, min(int(authority), 100)) / 100
        self.sentences = split_sentences(self.text)
        self.mentions = [
            m for m in gazetteer.find_with_anaphora(self.text) if not self._in_dateline(m)
        ]
        starts = [s.start for s in self.sentences]
        self.mentions_by_sentence = _bucket(self.mentions, starts, self.sentences)
        self.dates_by_sentence = _bucket(find_dates(self.text), starts, self.sentences)
        self.topic: list[GazetteerEntry] = []
        self._coarse = False
        self._effect_dated = False
        self.unmatched: dict[str, UnmatchedPlace] = {}
        self.last_country: GazetteerEntry | None = None
        #: Measures the notice has spoken of only as plans: "the ban" later is that plan.
        self.speculated: set[str] = set()
        self.events: list[tuple[int, date]] = []

    def _in_dateline(self, mention: Mention) -> bool:
        for sentence in self.sentences:
            if sentence.start <= mention.start < sentence.end:
                match = _DATELINE.match(sentence.text)
                return bool(match) and mention.end <= sentence.start + match.end()
        return False

    def run(self) -> ExtractionResult:
        wanted = [i for i, s in enumerate(self.sentences) if PREFILTER.search(s.text)]
        nlp = language_model()
        docs = dict(zip(wanted, nlp.pipe(self._named_doc(nlp, i) for i in wanted), strict=True))
        candidates: list[Candidate] = []
        for index, sentence in enumerate(self.sentences):
            for expr in self.dates_by_sentence[index]:
                if not expr.relative and not expr.bounding:
                    resolved = expr.resolve(published=self.published, future=False, anchor=None)
                    if resolved:
                        self.events.append((expr.start, resolved))
            doc = docs.get(index)
            frames: list[Frame] = []
            named = frozenset(
                i
                for m in self.mentions_by_sentence[index]
                for i in (token_span(m, sentence, doc) if doc is not None else ())
            )
            if doc is not None and not sentence.text.rstrip().endswith("?"):
                for token in doc:
                    if (token.lemma_.lower(), token.pos_) not in PREDICATES and (
                        token.lemma_.lower(),
                        "*",
                    ) not in PREDICATES:
                        continue
                    if token.pos_ == "NOUN" and is_speculative(token):
                        self.speculated.add(token.lemma_.lower())
                    frame = read_frame(token, named)
                    if frame is not None and not _shares_earlier_conjunct(frame, frames):
                        frames.append(frame)
                        found = self._claims(frame, index, sentence)
                        candidates += found
                        countries = [
                            c.claim.destination_id
                            for c in found
                            if self.gazetteer.by_id[c.claim.destination_id].kind == "country"
                        ]
                        if countries:
                            self.last_country = self.gazetteer.by_id[countries[-1]]
                if not frames:
                    candidates += self._scope(doc, index, sentence, candidates)
            specific = [
                m
                for m in self.mentions_by_sentence[index]
                if m.entry.kind != "country" or not self.topic
            ]
            if specific:
                self.topic = _most_specific(specific)
        body_mentions = frozenset(m.entry.id for m in self.mentions if m.start > self.title_end)
        if _BOTH_AUDIENCES.search(self.text):
            # "support for domestic and foreign visitors affected": the notice's closure of a
            # site to "tourists" concerns both.
            candidates += [
                replace(c, claim=replace(c.claim, audience=DOMESTIC), unqualified=False)
                for c in candidates
                if c.unqualified and c.claim.audience == FOREIGN
            ]
        return ExtractionResult(
            claims=settle(candidates, body_mentions),
            unmatched_places=list(self.unmatched.values()),
        )

    def _named_doc(self, nlp, index: int):
        """The sentence tokenised, each multi-word place name merged into one token, so the
        parser reads "Lumen Cove reopens" as a name and a verb rather than three nouns."""
        sentence = self.sentences[index]
        text = sentence.text
        dateline = _DATELINE.match(text)
        if dateline:
            # "NEW DELHI — India on Friday restored ...": where it was filed is not part of
            # the sentence; blanked (same length, so offsets hold) before parsing.
            text = " " * dateline.end() + text[dateline.end() :]
        return names_merged(
            nlp,
            text,
            [
                (m.start - sentence.start, m.end - sentence.start)
                for m in self.mentions_by_sentence[index]
            ],
        )


def _shares_earlier_conjunct(frame: Frame, earlier: list[Frame]) -> bool:
    """ "cancel or refuse any visas": conjoined predicates over one object are one act, read
    from the first of them."""
    theme = {t.i for t in frame.theme_tokens}
    return any(
        f.token in frame.token.conjuncts
        and theme
        and theme == {t.i for t in f.theme_tokens}
        and f.status == frame.status
        and f.negated == frame.negated
        for f in earlier
    )


def _bucket(items, starts: list[int], sentences: list[Span]) -> list[list]:
    buckets: list[list] = [[] for _ in sentences]
    for item in items:
        index = bisect_right(starts, item.start) - 1
        if index >= 0 and item.end <= sentences[index].end:
            buckets[index].append(item)
    return buckets


def _most_specific(mentions: list[Mention]) -> list[GazetteerEntry]:
    best = max(SPECIFICITY.get(m.entry.kind, 0) for m in mentions)
    top = [m for m in mentions if SPECIFICITY.get(m.entry.kind, 0) == best]
    return [top[0].entry]
