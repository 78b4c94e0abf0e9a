"""A reading carried over to places a list names: "It will apply to A, B and C", "The ban
targets A and B", "... reopen the island on 1 July, followed by A and B on 15 July".

The list adds places, not a new status: it is read against a reading already made (an earlier
sentence's, or this sentence's own), whose status, audience and date the listed places take.
"""

from __future__ import annotations

import re
from dataclasses import replace
from datetime import UTC, datetime, time

from .audiences import BAN_NOUNS
from .destinations import token_span
from .effective_dates import DateReading
from .frames import Frame
from .sentences import Span
from .settling import Candidate
from .types import DOMESTIC, FOREIGN

#: "It will apply to ...", "The ban covers ...": a measure's scope stated on its own.
_SCOPE_VERBS = frozenset({"apply", "extend", "cover"})
_MEASURE_WORDS = frozenset(
    {
        "it",
        "this",
        "ban",
        "rule",
        "regulation",
        "measure",
        "restriction",
        "policy",
        "requirement",
        "closure",
        "suspension",
        "order",
        "decision",
    }
)
_BAN_LIST = re.compile(
    r"\b(?:ban|restrictions?|suspension|embargo)\s+(?:targets?|covers?|includes?|affects?|"
    r"appl(?:y|ies)\s+to)\b",
    re.I,
)
_FOLLOWED_BY = re.compile(r"\bfollowed by\b", re.I)


class ListedPlaceReading(DateReading):
    """The notice reader's lists, mixed into ``extractor._Reader``: a ban's list is
    dated by the measure's entry into force (``DateReading``)."""

    def _scope(self, doc, index: int, sentence: Span, earlier: list[Candidate]):
        """ "It will apply to all treks, including A, B and C": the measure just reported
        extends to the places listed, with its status, audience and date."""
        if not earlier:
            return []
        verbs = [
            t
            for t in doc
            if t.lemma_.lower() in _SCOPE_VERBS
            and any(
                c.dep_ in ("nsubj", "nsubjpass") and c.lemma_.lower() in _MEASURE_WORDS
                for c in t.children
            )
        ]
        if not verbs:
            return self._ban_list(index, sentence, earlier)
        verb = verbs[0]
        scope = {
            t.i
            for c in verb.children
            if c.dep_ in ("prep", "dobj") and c.lemma_.lower() not in ("except", "but")
            for t in c.subtree
        }
        places = [
            m
            for m in self.mentions_by_sentence[index]
            if m.entry.kind != "country" and token_span(m, sentence, doc) & scope
        ]
        if not places:
            return []
        last = max(earlier, key=lambda c: c.claim.start)
        extended = []
        for mention in dict.fromkeys(m.entry for m in places):
            if mention.id == last.claim.destination_id:
                continue
            for source in (c for c in earlier if c.claim.start == last.claim.start):
                extended.append(
                    replace(
                        source,
                        in_title=False,
                        claim=replace(
                            source.claim,
                            destination_id=mention.id,
                            destination_slug=mention.slug,
                            sentence=sentence.text,
                            start=sentence.start,
                            end=sentence.end,
                        ),
                    )
                )
        return extended

    def _ban_list(self, index: int, sentence: Span, earlier: list[Candidate]):
        """ "The new ban targets A, B and C": the countries whose people the ban just reported
        bars (read from the words, as parsers often take "targets" for a noun here)."""
        match = _BAN_LIST.search(sentence.text)
        if not match:
            return []
        bans = [
            c
            for c in earlier
            if c.claim.pattern in BAN_NOUNS | {"ban", "bar", "prohibit"}
            and c.claim.audience not in (FOREIGN, DOMESTIC)
        ]
        if not bans:
            return []
        last = bans[-1]
        listed = [
            m
            for m in self.mentions_by_sentence[index]
            if m.entry.kind == "country"
            and m.start >= sentence.start + match.end()
            and m.entry.id != last.claim.destination_id
        ]
        effect = self._effect_date(index)
        extended = []
        for entry in dict.fromkeys(m.entry for m in listed):
            claim = replace(
                last.claim,
                audience=entry.country_code,
                sentence=sentence.text,
                start=sentence.start,
                end=sentence.end,
                effective_at=effect or last.claim.effective_at,
            )
            extended.append(replace(last, claim=claim, in_title=False, effect_dated=False))
        return extended

    def _followed_by(self, frame: Frame, index: int, sentence: Span, claims, destinations):
        """ "... reopen the island on 1 July, followed by A, B and C on 15 July": the places
        after "followed by" get the same reading on their own date."""
        match = _FOLLOWED_BY.search(sentence.text, frame.token.idx)
        if not match or not claims:
            return []
        position = sentence.start + match.end()
        later = [
            m
            for m in self.mentions_by_sentence[index]
            if m.start >= position and m.entry not in destinations and m.entry.kind != "country"
        ]
        dates = [
            d
            for d in self.dates_by_sentence[index]
            if d.start >= position and d.explicit and not d.bounding
        ]
        if not later or not dates:
            return []
        day = dates[0].resolve(published=self.published, future=frame.future, anchor=None)
        if day is None:
            return []
        when = datetime.combine(day, time(0, 0), tzinfo=UTC)
        followed = []
        for entry in dict.fromkeys(m.entry for m in later):
            for c in claims:
                if c.claim.destination_id != claims[0].claim.destination_id:
                    continue
                followed.append(
                    replace(
                        c,
                        claim=replace(
                            c.claim,
                            destination_id=entry.id,
                            destination_slug=entry.slug,
                            effective_at=when,
                        ),
                    )
                )
        return followed
