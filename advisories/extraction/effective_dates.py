"""Which day a reading takes effect: the date attached to its own predicate, else the one the
notice gives for the measure's entry into force, else the notice's publication.

``dates.py`` finds and resolves date expressions; deciding which of a sentence's dates belongs to
which predicate (not the announcement's day, not another clause's, not a relative clause's) needs
the parse and the notice around it, so it lives here, with the reader.
"""

from __future__ import annotations

import re
from datetime import UTC, date, datetime, time

from .assertion import reported_decision
from .dates import DateExpression
from .frames import Frame
from .sentences import Span

_VAGUE_TIME = re.compile(
    r"\blater in the (?:year|season|month)\b|\bin the coming (?:weeks|months|days)\b"
    r"|\b(?:next|later this|later next|coming)\s+(?:year|month|week|season|spring|summer|autumn|"
    r"fall|winter|weeks|months)\b|\bsoon\b|\beventually\b|\bat some point\b|\bin (?:the )?future\b",
    re.I,
)
_WAIT_UNTIL = re.compile(r"\bwait\s+(?:until|till)\s+$", re.I)
#: Forms that name a calendar day or month (not a weekday, which is read as the last one).
_CALENDAR = frozenset({"dm", "md", "month", "range"})
_PRESENT_STATE = re.compile(r"\b(?:is|are)\s+(?:currently|now)\b", re.I)
_TAKES_EFFECT = re.compile(
    r"\b(?:(?:takes?|took|taking|come|comes|came|go|goes|went|enters?|entered|entering)\s+"
    r"(?:into\s+)?(?:effect|force)|(?:in\s+)?effective|starting(?:\s+(?:from|on))?"
    r"|with effect from)\b",
    re.I,
)
_FROM = re.compile(r"\b(?:from|starting|effective|as\s+of|beginning)\s+(?:\w+\s+)?$", re.I)
_EFFECTIVE = re.compile(r"\b(?:effective|with\s+effect\s+from|starting)\s+(?:\w+\s+)?$", re.I)


class DateReading:
    """The notice reader's dating, mixed into ``extractor._Reader``: it reads the
    notice's text, its dates by sentence, its publication and the events read so far."""

    def _date(self, frame: Frame, index: int, sentence: Span) -> tuple[datetime | None, bool]:
        self._coarse = False
        self._effect_dated = False
        token = frame.token
        waited = [
            d
            for d in self.dates_by_sentence[index]
            if d.bounding and _WAIT_UNTIL.search(self.text[max(0, d.start - 30) : d.start])
        ]
        if frame.status == "open" and waited:
            # "will have to wait until Sept. 7": the opening comes on that date.
            resolved = waited[0].resolve(published=self.published, future=True, anchor=None)
            if resolved:
                return datetime.combine(resolved, time(0, 0), tzinfo=UTC), True
        dates = [d for d in self.dates_by_sentence[index] if not d.bounding]
        if not dates and not frame.future and _PRESENT_STATE.search(sentence.text):
            # "The resort is currently open only to Russian groups", after "a Russian group
            # stayed there last weekend": the state dates from the event the notice reports.
            recent = [
                day
                for position, day in self.events
                if position < sentence.start and 0 <= (self.published - day).days <= 7
            ]
            if recent:
                return datetime.combine(recent[-1], time(0, 0), tzinfo=UTC), True
        if not dates and frame.future and _VAGUE_TIME.search(sentence.text):
            return None, False  # "will reopen next year": a time we cannot date
        if not dates:
            # An announced measure with no date of its own ("will cancel visas") takes the date
            # the notice gives for its entry into force, else the announcement's.
            effect = self._effect_date(index)
            if effect is not None:
                self._effect_dated = True
                return effect, True
            return self.published_at, False
        span = token.head if token.pos_ == "NOUN" and token.dep_ == "nsubj" else token
        while span.dep_ == "xcomp" and span.head.i != span.i:
            span = span.head  # "from 1 January, visitors will have to book": the whole clause
        left = sentence.start + span.left_edge.idx
        right = sentence.start + span.right_edge.idx + len(span.right_edge.text)
        inside = [d for d in dates if left <= d.start < right]
        # A date inside a conjoined predicate's own phrase ("then halted it weeks later") is
        # that predicate's, not this one's.
        others = [
            (sentence.start + c.left_edge.idx, sentence.start + c.right_edge.idx + 1)
            for c in token.children
            if c.dep_ in ("conj", "dep", "parataxis") and c.pos_ in ("VERB", "AUX")
        ]
        inside = [d for d in inside if not any(a <= d.start < b for a, b in others)]
        # A relative clause inside the phrase dates its own event ("the suspension of tours to
        # the Plain of Jars, which had been imposed on 12 January"), not this one.
        clauses = [
            (sentence.start + t.left_edge.idx, sentence.start + t.right_edge.idx + 1)
            for t in span.subtree
            if t.dep_ == "relcl" and t.i != token.i
        ]
        inside = [d for d in inside if not any(a <= d.start < b for a, b in clauses)]
        if frame.future:
            # "to ban solo trekking, as per the announcement of 2 March": the day it was said.
            said = [d for d in dates if _announced_on(token.doc, d.start - sentence.start)]
            dates = [d for d in dates if d not in said]
            inside = [d for d in inside if d not in said]
            if not dates:
                effect = self._effect_date(index)
                self._effect_dated = effect is not None
                return (effect, True) if effect is not None else (self.published_at, False)
        foreign_dates = [d for d in dates if any(a <= d.start < b for a, b in others)]
        if frame.future and not inside:
            # "announced on Thursday that it will suspend visas": the day of the decision.
            announced = [d for d in dates if _said_on(token, d.start - sentence.start)]
            if announced:
                resolved = announced[0].resolve(published=self.published, future=False, anchor=None)
                if resolved:
                    return datetime.combine(resolved, time(0, 0), tzinfo=UTC), True
        if (frame.future or frame.history) and not inside:
            return None, False
        position = sentence.start + token.idx
        pool = inside or [d for d in dates if d not in foreign_dates]
        if not pool or (not inside and _contrasted(token)):
            # The sentence's dates belong to other clauses ("... over the weekend, while Rason
            # remains closed"): this predicate is dated by the notice.
            return self.published_at, False
        after = [d for d in pool if d.start >= position]
        before = [d for d in pool if d.start < position]
        chosen = after[0] if after else before[-1]
        past = token.tag_ == "VBD" or any(
            c.dep_ in ("aux", "auxpass") and c.tag_ == "VBD" for c in token.children
        )
        lead = self.text[max(0, chosen.start - 25) : chosen.start]
        future = (
            frame.future or bool(_EFFECTIVE.search(lead)) or (not past and bool(_FROM.search(lead)))
        )
        reported = _reported_in_past(token)
        if reported:
            # "They had announced in March that tourists would be barred from June 1": the
            # dates lie ahead of the announcement, not of this notice; the nearest such day.
            future = False
        if frame.future and not chosen.explicit:
            return None, False
        long_lead = self.text[max(sentence.start, chosen.start - 60) : chosen.start]
        if (
            frame.negated
            and frame.future
            and frame.predicate.lemma in ("reopen", "open", "resume", "restart")
        ):
            return self.published_at, True  # "will not reopen on 19 April": closed, as of now
        if frame.negated and re.search(r"\bsince\b[^,;]*$", long_lead):
            return self.published_at, True  # "have not resumed since 18 July": still, today
        anchor = self._anchor(chosen)
        present = (token.tag_ in ("VBZ", "VBP") or reported) and not frame.history
        resolved = chosen.resolve(published=self.published, future=future, anchor=anchor)
        if present and resolved is not None and not future and chosen.form in _CALENDAR:
            # "the Yoshida Trail opens on 1 July": the nearest such day, ahead or behind.
            ahead = chosen.resolve(published=self.published, future=True, anchor=anchor)
            if ahead and abs((ahead - self.published).days) < abs((resolved - self.published).days):
                resolved = ahead
        self._coarse = chosen.form in ("month", "season", "next_month")
        if resolved is None:
            return self.published_at, False
        resolved = self._in_the_notice_year(chosen, resolved)
        done = past or (
            token.tag_ == "VBN"
            and any(c.dep_ == "aux" and c.lemma_.lower() == "have" for c in token.children)
        )
        if done and not frame.future and resolved > self.published:
            # "has closed Tibet ahead of next month's anniversary": a done act is not dated by
            # a day still to come.
            return self.published_at, False
        if resolved == self.published:
            return self.published_at, True
        return datetime.combine(resolved, time(0, 0), tzinfo=UTC), True

    def _in_the_notice_year(self, expression: DateExpression, resolved: date) -> date:
        """A day and month without a year take the year the notice last named, when it named
        one near its publication ("closures in February 2021 ... and on June": June 2021)."""
        if expression.form not in ("dm", "md", "month", "range") or expression.values[2]:
            return resolved
        years = [
            int(e.values[2])
            for bucket in self.dates_by_sentence
            for e in bucket
            if e.start < expression.start
            and e.form in ("dm", "md", "month", "range")
            and e.values[2]
        ]
        if not years or years[-1] < self.published.year or years[-1] == resolved.year:
            # Only forward: a notice about this year's dates does not mean last year's.
            return resolved
        try:
            moved = resolved.replace(year=years[-1])
        except ValueError:  # 29 February
            return resolved
        if abs((moved - self.published).days) > 200:
            return resolved  # a year named for something else, far from this notice
        return moved

    def _effect_date(self, index: int) -> datetime | None:
        """The date a nearby sentence gives for a measure's entry into force ("the move will
        come into effect on May 29", "the policy takes effect Monday")."""
        for other in sorted(
            range(max(0, index - 6), min(len(self.sentences), index + 6 + 1)),
            key=lambda i: abs(i - index),
        ):
            if other == index:
                continue
            text = self.sentences[other].text
            match = _TAKES_EFFECT.search(text)
            if not match:
                continue
            start = self.sentences[other].start + match.end()
            for expr in self.dates_by_sentence[other]:
                if expr.start >= start - 1 and expr.explicit and not expr.bounding:
                    resolved = expr.resolve(published=self.published, future=True, anchor=None)
                    if resolved:
                        return datetime.combine(resolved, time(0, 0), tzinfo=UTC)
        return None

    def _anchor(self, expression: DateExpression) -> date | None:
        earlier = [d for pos, d in self.events if pos < expression.start]
        return earlier[-1] if earlier else None


_ANNOUNCING = frozenset(
    {
        "announcement",
        "statement",
        "decision",
        "announce",
        "say",
        "notice",
        "report",
        "release",
        "briefing",
        "meeting",
    }
)


def _announced_on(doc, offset: int) -> bool:
    """The date at ``offset`` (in the sentence) dates an announcement, not the measure."""
    span = doc.char_span(offset, offset + 1, alignment_mode="expand")
    token = span[0] if span is not None and len(span) else None
    for _ in range(4):
        if token is None or token.head.i == token.i:
            return False
        token = token.head
        if token.pos_ in ("VERB", "AUX"):
            return False  # "announced on Thursday that it will ...": the news is that day's
        if token.lemma_.lower() in _ANNOUNCING:
            return True
    return False


def _contrasted(token) -> bool:
    """A predicate in a "while ..." clause set against the sentence's main news ("received
    groups over the weekend, while Rason remains closed"): the main clause's date is not its."""
    node = token
    for _ in range(3):
        if node.dep_ == "advcl" and any(
            c.dep_ == "mark" and c.lemma_.lower() in ("while", "whereas", "because")
            for c in node.children
        ):
            return True
        if node.head.i == node.i:
            return False
        node = node.head
    return False


def _said_on(token, offset: int) -> bool:
    """The date at ``offset`` dates a reporting verb above the predicate ("announced on
    Thursday that it will suspend ...")."""
    doc = token.doc
    span = doc.char_span(offset, offset + 1, alignment_mode="expand")
    date_token = span[0] if span is not None and len(span) else None
    if date_token is None:
        return False
    node = date_token
    for _ in range(3):
        if node.head.i == node.i:
            break
        node = node.head
        if node.pos_ in ("VERB", "AUX"):
            break
    if node.lemma_.lower() not in _ANNOUNCING:
        return False
    ancestor = token
    for _ in range(5):
        if ancestor.i == node.i:
            return True
        if ancestor.head.i == ancestor.i:
            return False
        ancestor = ancestor.head
    return False


def _reported_in_past(token) -> bool:
    """The predicate is the "would" of a decision reported in the past (``frames``' rule)."""
    node = token
    for _ in range(4):
        modal = next(
            (c for c in node.children if c.dep_ == "aux" and c.lemma_.lower() == "would"), None
        )
        if modal is not None:
            return reported_decision(modal, node)
        if node.head.i == node.i:
            break
        node = node.head
    return False
