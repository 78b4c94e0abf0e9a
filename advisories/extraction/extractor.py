"""Turn a notice's text into dated, attributed status claims.

The pipeline per notice: split sentences and clauses; find destination mentions (names, aliases and
"the resort"-style references); find status phrases from the pattern table; drop guesses, questions
and background clauses; decide which destination and which audience each phrase is about; date it;
score it. Every step is deterministic and every claim carries the sentence it came from.
"""

from __future__ import annotations

import re
from bisect import bisect_right
from dataclasses import dataclass
from datetime import UTC, date, datetime, time

from .dates import DateExpression, find_dates
from .gazetteer import SPECIFICITY, Gazetteer
from .nationalities import DEMONYM_PATTERN, DEMONYMS
from .patterns import (
    CONTINUATION,
    CURRENT_STATE,
    PATTERNS,
    RESTRICTIVE,
    SCHEDULE,
    SPECULATION,
    SUBORDINATE,
    TEMPORARY,
    WHO,
    StatusPattern,
)
from .sentences import Span, split_clauses, split_sentences
from .types import (
    DOMESTIC,
    FOREIGN,
    ExtractedClaim,
    ExtractionResult,
    GazetteerEntry,
    Mention,
    UnmatchedPlace,
)

EXTRACTOR_VERSION = "2026.11.1"

_WHO_NOUN = re.compile(r"\b" + WHO + r"\b", re.I)
_CONTAINER = re.compile(r"^(?:groups?|part(?:y|ies)|delegations?)$", re.I)
_ALL = re.compile(r"\b(?:everyone|everybody|all\s+visitors|the\s+public|all\s+comers)\b", re.I)
_DOMESTIC = re.compile(r"\b(?:local|locals|domestic|citizens|residents|nationals|national)\b", re.I)
_FOREIGN = re.compile(
    r"\b(?:foreign|foreigners|international|overseas|western|westerners|outsiders|other\s+nationalities)\b",
    re.I,
)
_NOT_A_PERSON = re.compile(
    r"\s+(?:region|zone|visas?|sites?|season|industry|attractions?|centre|center|spots?|numbers|"
    r"destination|area|permits?|fees?|tax|complex|trail|hotspot|hub|infrastructure)\b",
    re.I,
)
_ONLY = re.compile(r"\bonly\b", re.I)
_RELATIVE_PLACE = re.compile(
    r"\b(?:near|outside|beyond|(?:north|south|east|west)\s+of)\s+(?:the\s+)?$", re.I
)
_NATIONALITY_SOURCE = re.compile(
    r"\b(?:from|of)\s+$",
    re.I,
)
_VISITOR_BEFORE = re.compile(WHO + r"\s+(?:[\w'\u2019-]+\s+){0,2}$", re.I)
_POSSESSIVE_ACTOR = re.compile(
    r"^['\u2019]s\s+(?:\w+\s+)?(?:minister|officials?|government|embassy|ministry|president|leader|"
    r"ambassador|authorities|army|military|state\s+media)\b",
    re.I,
)
_PLACE_HEADS = (
    r"Mountains?|Islands?|Park|Province|Valley|Lake|Beach|Resort|Pass|Bay|Peninsula|Falls|Coast|"
    r"County|Reserve|Temple|Palace|Gorge|Hills|River|District|Trail|Canyon|Glacier|Caves?|Volcano|"
    r"Zone|Region|Sanctuary|Monastery|Fortress|Castle|Ruins|Crater|Archipelago|Desert|Forest|Oasis"
)
_PLACE = re.compile(
    r"\b((?:[A-Z][\w'\u2019-]*\s+){1,3}(?:" + _PLACE_HEADS + r"))\b"
    r"|\b((?:Mount|Mt\.?|Lake|Cape|Isle\s+of)\s+[A-Z][\w'\u2019-]+)"
    r"|\bthe\s+((?:[A-Z][\w'\u2019-]+\s+){1,3})(?:area|region|zone|resort|park|island|valley|coast)\b"
)
_LEADING_ARTICLE = re.compile(r"^(?:The|A|An|This|That|At|In|On|Our|Its|Their)\s+")
_COORDINATION = re.compile(r"^\s*(?:,|and|&|or|as\s+well\s+as|,\s*and|,\s*or)\s*(?:the\s+)?$", re.I)


@dataclass(slots=True)
class _Trigger:
    start: int
    end: int
    row: StatusPattern
    rank: int = 0


def _bucket(items, starts: list[int], sentences: list[Span]) -> list[list]:
    """Group items with ``start``/``end`` by the sentence containing them; items that run across
    a sentence boundary belong to none."""
    buckets: list[list] = [[] for _ in sentences]
    for item in items:
        index = bisect_right(starts, item.start) - 1
        if index >= 0 and item.end <= sentences[index].end:
            buckets[index].append(item)
    return buckets


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
    its evidence sentence in that text. A headline only summarises its story, so claims from the
    title are kept only when the body yields none. ``authority`` is the source's 0-100 weight
    (official 100, operator 60, news 40, other 20); it scales each claim's confidence together
    with the strength of the pattern that matched.
    """
    if published_at.tzinfo is None:
        raise ValueError("published_at must be timezone-aware")
    return _Extraction(
        title=title, body=body, published_at=published_at, gazetteer=gazetteer, authority=authority
    ).run()


class _Extraction:
    def __init__(self, *, title, body, published_at, gazetteer, authority):
        self.text = f"{title}\n\n{body}"
        self.title_end = len(title)
        self.published_at = published_at.astimezone(UTC)
        self.published = published_at.date()
        self.gazetteer = gazetteer
        self.authority_factor = 0.5 + 0.5 * max(0, min(int(authority), 100)) / 100
        self.mentions = gazetteer.find_with_anaphora(self.text)
        self.topic: list[GazetteerEntry] = []
        self.events: list[tuple[int, date]] = []
        self.unmatched: dict[str, UnmatchedPlace] = {}

    # -- driver --------------------------------------------------------------------------------
    def run(self) -> ExtractionResult:
        title_claims: list[ExtractedClaim] = []
        body_claims: list[ExtractedClaim] = []
        sentences = split_sentences(self.text)
        # Patterns and dates are searched once over the whole text and then handed to the
        # sentence they fall in: one regex pass per notice instead of one per sentence.
        starts = [s.start for s in sentences]
        self._mentions_by_sentence = _bucket(self.mentions, starts, sentences)
        self._dates_by_sentence = _bucket(find_dates(self.text), starts, sentences)
        self._triggers_by_sentence = [self._triggers_in(sentence) for sentence in sentences]
        for index, sentence in enumerate(sentences):
            self._index = index
            claims = self._sentence(sentence)
            (title_claims if sentence.start < self.title_end else body_claims).extend(claims)
        claims = body_claims or title_claims
        return ExtractionResult(
            claims=_dedupe(claims), unmatched_places=list(self.unmatched.values())
        )

    def _sentence(self, sentence: Span) -> list[ExtractedClaim]:
        mentions = self._mentions_by_sentence[self._index]
        usable = self._usable(sentence, mentions)
        dates = self._dates_by_sentence[self._index]
        for expr in dates:
            if not expr.relative and not expr.bounding:
                resolved = expr.resolve(published=self.published, future=False, anchor=None)
                if resolved:
                    self.events.append((expr.start, resolved))
        triggers = self._sentence_triggers(self._triggers_by_sentence[self._index])
        claims: list[ExtractedClaim] = []
        if triggers and not sentence.text.rstrip().endswith("?"):
            clauses = split_clauses(sentence)
            places = self._places(sentence, mentions)
            for index, trigger in enumerate(triggers):
                claims.extend(
                    self._claims_for(
                        sentence, clauses, trigger, triggers, index, usable, dates, places
                    )
                )
        if usable:
            self.topic = _most_specific(usable)
        return claims

    # -- finding things ------------------------------------------------------------------------
    @staticmethod
    def _triggers_in(sentence: Span) -> list[_Trigger]:
        lowered = sentence.text.lower()
        found: list[_Trigger] = []
        for rank, row in enumerate(PATTERNS):
            if not any(keyword in lowered for keyword in row.keywords):
                continue
            for match in row.regex.finditer(sentence.text):
                found.append(
                    _Trigger(
                        sentence.start + match.start(), sentence.start + match.end(), row, rank
                    )
                )
        return found

    @staticmethod
    def _sentence_triggers(candidates: list[_Trigger]) -> list[_Trigger]:
        """Earlier table rows win; a later row never claims text an earlier one matched."""
        found: list[_Trigger] = []
        for trigger in sorted(candidates, key=lambda t: (t.rank, t.start)):
            if any(t.start < trigger.end and trigger.start < t.end for t in found):
                continue
            found.append(trigger)
        return sorted(found, key=lambda t: t.start)

    def _usable(self, sentence: Span, mentions: list[Mention]) -> list[Mention]:
        """Mentions that can be what a sentence is about: not nationalities, not landmarks."""
        text = self.text
        appositive: list[tuple[int, int]] = []
        for mention in mentions:
            rest = text[mention.end : sentence.end]
            match = re.match(r"\s*,\s+([a-z][^,]*),", rest) or re.match(r"\s*\(([^)]*)\)", rest)
            if match:
                appositive.append((mention.end + match.start(1), mention.end + match.end(1)))
        usable = []
        for mention in mentions:
            before = text[sentence.start : mention.start]
            after = text[mention.end : mention.end + 40]
            if any(s <= mention.start < e for s, e in appositive):
                continue
            if _RELATIVE_PLACE.search(before):
                continue
            if mention.entry.kind == "country":
                if _NATIONALITY_SOURCE.search(before) and _VISITOR_BEFORE.search(before[:-5] + " "):
                    continue
                if _POSSESSIVE_ACTOR.match(after):
                    continue
            usable.append(mention)
        return usable

    def _places(self, sentence: Span, mentions: list[Mention]) -> list[tuple[int, int, str]]:
        """Place-like names in the sentence that no destination matches."""
        places = []
        for match in _PLACE.finditer(sentence.text):
            group = next(i for i in (1, 2, 3) if match.group(i))
            name = _LEADING_ARTICLE.sub("", match.group(group).strip()).strip()
            start = sentence.start + match.start(group)
            end = sentence.start + match.end(group)
            if not name or (" " not in name and group != 3):
                continue
            if any(m.start < end and start < m.end for m in mentions):
                continue
            places.append((start, end, name))
        return places

    # -- one status phrase ---------------------------------------------------------------------
    def _claims_for(self, sentence, clauses, trigger, triggers, index, usable, dates, places):
        text = self.text
        row = trigger.row
        clause_index = next(
            (i for i, c in enumerate(clauses) if c.start <= trigger.start < c.end), 0
        )
        clause = clauses[clause_index]
        lead = text[clause.start : trigger.start]
        if SPECULATION.search(clause.text) or SPECULATION.search(
            text[sentence.start : trigger.start]
        ):
            return []
        if SUBORDINATE.search(lead):
            return []
        clause_places = [p for p in places if clause.start <= p[0] < clause.end]
        for place in clause_places:
            self.unmatched.setdefault(
                place[2], UnmatchedPlace(name=place[2], sentence=sentence.text)
            )
        trigger_text = text[trigger.start : trigger.end]
        schedule = bool(
            SCHEDULE.search(lead) or trigger_text.lower().startswith("will")
        ) and not CONTINUATION.search(
            text[trigger.start - 20 if trigger.start >= 20 else 0 : trigger.end]
        )

        # Whom it concerns.
        window_end = triggers[index + 1].start if index + 1 < len(triggers) else sentence.end
        semicolon = text.find(";", trigger.end, window_end)
        if semicolon != -1:
            window_end = semicolon
        window_start = max(clause.start, triggers[index - 1].end if index else clause.start)
        who = _find_who(text, trigger.end, window_end, first=True) or _find_who(
            text, window_start, trigger.start, first=True
        )
        if row.mode == "receipt" and who is None:
            return []

        # What it concerns.
        destinations, fallback = self._destinations(
            sentence, clauses, clause_index, trigger, usable
        )
        if not destinations:
            return []
        if fallback and clause_places:
            return []

        # When.
        effective = self._date(
            sentence, clauses, clause_index, trigger, dates, schedule, row, window_end
        )
        if effective is None:
            return []

        sentence_text = sentence.text
        restrictive = bool(RESTRICTIVE.search(sentence_text))
        temporary = bool(TEMPORARY.search(sentence_text))
        status = row.status
        if status == "closed" and temporary:
            status = "suspended"
        claims = []
        strength = row.strength * (0.9 if fallback else 1.0)
        if sentence.start < self.title_end:
            strength *= 0.9
        for destination in destinations:
            for audience, audience_status, category in _audiences(
                who, status, row, restrictive, destination, self.text
            ):
                claims.append(
                    ExtractedClaim(
                        destination_id=destination.id,
                        destination_slug=destination.slug,
                        audience=audience,
                        status=audience_status,
                        effective_at=effective,
                        confidence=round(min(1.0, strength * self.authority_factor), 3),
                        sentence=sentence_text,
                        start=sentence.start,
                        end=sentence.end,
                        category="schedule" if schedule else category,
                        pattern=row.name,
                    )
                )
        self.events.append((trigger.start, effective.date()))
        return claims

    def _destinations(self, sentence, clauses, clause_index, trigger, usable):
        """The destinations a phrase is about, and whether we had to fall back to the topic."""
        in_clause = [
            m for m in usable if clauses[clause_index].start <= m.start < clauses[clause_index].end
        ]
        if in_clause:
            return _pick(in_clause, trigger, self.text), False
        for earlier in range(clause_index - 1, -1, -1):
            found = [m for m in usable if clauses[earlier].start <= m.start < clauses[earlier].end]
            if found:
                return _pick(found, trigger, self.text), False
        later = [m for m in usable if m.start >= clauses[clause_index].end]
        if later and not any(
            m.start < trigger.start for m in self.mentions if sentence.start <= m.start
        ):
            return _pick(later, trigger, self.text), False
        return list(self.topic), True

    def _date(self, sentence, clauses, clause_index, trigger, dates, schedule, row, next_start):
        clause = clauses[clause_index]
        clause_dates = [d for d in dates if clause.start <= d.start < clause.end and not d.bounding]
        if row.mode == "current":
            return self.published_at
        if schedule and not clause_dates:
            clause_dates = [d for d in dates if not d.bounding]
        if schedule and not any(d.explicit for d in clause_dates):
            return None
        if schedule:
            clause_dates = [d for d in clause_dates if d.explicit]
        if not clause_dates and not CURRENT_STATE.search(clause.text):
            for earlier in range(clause_index - 1, -1, -1):
                earlier_clause = clauses[earlier]
                clause_dates = [
                    d
                    for d in dates
                    if earlier_clause.start <= d.start < earlier_clause.end and not d.bounding
                ]
                if clause_dates:
                    break
        if not clause_dates:
            return self.published_at
        chosen = _closest(clause_dates, trigger, next_start)
        anchor = self._anchor(chosen)
        resolved = chosen.resolve(published=self.published, future=schedule, anchor=anchor)
        if resolved is None:
            return self.published_at
        if resolved == self.published:
            return self.published_at
        return datetime.combine(resolved, time(0, 0), tzinfo=UTC)

    def _anchor(self, expression: DateExpression) -> date | None:
        earlier = [d for pos, d in self.events if pos < expression.start]
        return earlier[-1] if earlier else None


# -- helpers -------------------------------------------------------------------------------------
def _closest(dates: list[DateExpression], trigger: _Trigger, next_start: int) -> DateExpression:
    """The date a phrase is about: one that follows it (before the next phrase), else the nearest
    one before it ("opened on 1 July and hosted Russians a week later" dates each verb apart)."""
    after = [d for d in dates if trigger.end <= d.start < next_start]
    if after:
        return after[0]
    before = [d for d in dates if d.end <= trigger.start]
    if before:
        return before[-1]
    return min(dates, key=lambda d: abs(d.start - trigger.start))


def _most_specific(mentions: list[Mention]) -> list[GazetteerEntry]:
    best = max(SPECIFICITY.get(m.entry.kind, 0) for m in mentions)
    top = [m for m in mentions if SPECIFICITY.get(m.entry.kind, 0) == best]
    return [top[0].entry]


def _pick(mentions: list[Mention], trigger: _Trigger, text: str) -> list[GazetteerEntry]:
    """Most specific place; a coordinated list ("Rason and Masikryong") yields all of them."""
    best = max(SPECIFICITY.get(m.entry.kind, 0) for m in mentions)
    top = sorted(
        (m for m in mentions if SPECIFICITY.get(m.entry.kind, 0) == best), key=lambda m: m.start
    )
    before = [m for m in top if m.start < trigger.start]
    anchor = before[-1] if before else top[0]
    group = [anchor]
    position = top.index(anchor)
    for step in (-1, 1):
        i = position
        while 0 <= i + step < len(top):
            a, b = (top[i + step], top[i]) if step < 0 else (top[i], top[i + step])
            if not _COORDINATION.match(text[a.end : b.start]):
                break
            group.append(top[i + step])
            i += step
    seen: dict[int, GazetteerEntry] = {}
    for mention in sorted(group, key=lambda m: m.start):
        seen.setdefault(mention.entry.id, mention.entry)
    return list(seen.values())


@dataclass(slots=True)
class _Who:
    phrase: str
    only: bool


def _find_who(text: str, start: int, end: int, *, first: bool) -> _Who | None:
    """The visitor phrase in ``text[start:end]`` ("a party of Russian holidaymakers")."""
    if end <= start:
        return None
    window = text[start:end]
    for match in _WHO_NOUN.finditer(window):
        noun = match.group(0)
        after = window[match.end() :]
        if _CONTAINER.match(noun) and re.match(r"\s+of\s+", after):
            continue
        if noun.lower() in {
            "tourist",
            "visitor",
            "guest",
            "traveller",
            "traveler",
        } and _NOT_A_PERSON.match(after):
            continue
        lead = window[: match.start()]
        modifiers = re.search(r"((?:[\w'\u2019-]+\s+){0,5})$", lead).group(1)
        tail = re.match(r"(\s+(?:from|of)\s+(?:[\w'\u2019-]+\s*){1,3})?", after).group(0)
        phrase = modifiers + noun + tail
        return _Who(
            phrase=phrase, only=bool(_ONLY.search(modifiers) or re.match(r"\s+only\b", after))
        )
    return None


def _audiences(who, status, row, restrictive, destination, text):
    """(audience, status, category) triples for one phrase at one destination."""
    audiences: list[str] = []
    only = bool(who and who.only)
    if who is not None:
        phrase = who.phrase
        if _ALL.search(phrase):
            audiences += [FOREIGN, DOMESTIC]
        for match in DEMONYM_PATTERN.finditer(phrase):
            code = DEMONYMS[match.group(1)]
            audiences.append(DOMESTIC if code == destination.country_code else code)
        source = re.search(r"\b(?:from|of)\s+((?:[A-Z][\w'\u2019.-]*\s*){1,3})", phrase)
        if source:
            code = _country_code(source.group(1).strip())
            if code:
                audiences.append(DOMESTIC if code == destination.country_code else code)
        if _DOMESTIC.search(phrase):
            audiences.append(DOMESTIC)
        if _FOREIGN.search(phrase):
            audiences.append(FOREIGN)
    if not audiences:
        audiences = [FOREIGN]
    result: list[tuple[str, str, str]] = []
    receipt = row.mode == "receipt"
    for audience in dict.fromkeys(audiences):
        if audience not in (FOREIGN, DOMESTIC):
            result.append((audience, status, "restriction"))
            if status == "open" and (receipt or only) and FOREIGN not in audiences:
                result.append((FOREIGN, "restricted", "restriction"))
        elif audience == DOMESTIC:
            result.append((DOMESTIC, status, "domestic" if status == "open" else row.category))
            if status == "open" and only:
                result.append((FOREIGN, "closed", "domestic"))
        else:
            final = status
            if status == "open" and (only or restrictive):
                final = "restricted"
            result.append((FOREIGN, final, "restriction" if final != status else row.category))
    return result


_COUNTRY_NAMES: dict[str, str] = {}


def _country_code(name: str) -> str | None:
    if not _COUNTRY_NAMES:
        import pycountry

        from .countries import country_names
        from .folding import fold_name

        for country in pycountry.countries:
            for alias in country_names(country.alpha_2):
                _COUNTRY_NAMES[fold_name(alias)] = country.alpha_2
    return _COUNTRY_NAMES.get(_folded(name))


def _folded(name: str) -> str:
    from .folding import fold_name

    return fold_name(name)


def _dedupe(claims: list[ExtractedClaim]) -> list[ExtractedClaim]:
    best: dict[tuple, ExtractedClaim] = {}
    for claim in claims:
        key = (claim.destination_id, claim.audience, claim.status, claim.effective_at, claim.start)
        if key not in best or claim.confidence > best[key].confidence:
            best[key] = claim
    return list(best.values())
