"""Turn a notice's text into dated, attributed status claims, reading sentence structure.

Per notice: split sentences; find destination mentions (names, aliases and "the resort"-style
references); keep the sentences the lexicon's pre-filter lets through and parse them (one batched
``nlp.pipe`` call); read a frame from each status predicate (``frames.py``); resolve its places,
audiences and date; then settle one reading per (destination, audience, event) for the whole
notice. Every claim carries the sentence it came from.
"""

from __future__ import annotations

import re
from bisect import bisect_right
from dataclasses import dataclass, replace
from datetime import UTC, date, datetime, time

from .assertion import is_speculative, reported_decision
from .dates import DateExpression, find_dates
from .frames import Frame, read_frame
from .gazetteer import SPECIFICITY, Gazetteer
from .lexicon import (
    ALL_WORDS,
    DOMESTIC_WORDS,
    FOREIGN_WORDS,
    PERSON_NOUNS,
    PLACE_NOUNS,
    PREDICATES,
    PREFILTER,
    VISA_WORDS,
)
from .nationalities import DEMONYMS
from .nlp import language_model, names_merged
from .qualifiers import qualifies
from .sentences import Span, split_sentences
from .types import (
    DOMESTIC,
    FOREIGN,
    ExtractedClaim,
    ExtractionResult,
    GazetteerEntry,
    Mention,
    UnmatchedPlace,
)

EXTRACTOR_VERSION = "2026.12.1"

_EVERYONE = "everyone"
#: Place nouns that name a whole country ("the country", "the kingdom").
_COUNTRYISH = frozenset(
    {"country", "nation", "kingdom", "state", "republic", "emirate", "territory"}
)
_DEMONYM_LOWER = {name.lower(): code for name, code in DEMONYMS.items()}
_TEMPORARY = re.compile(
    r"\btemporar(?:y|ily)\b|\bfor\s+(?:a|an|one|two|three|four|five|six|several|a\s+few|\d+)\s+"
    r"(?:more\s+)?(?:days?|weeks?|months?|years?)\b|\b(?:until|till|through)\s+(?:at\s+least\s+)?"
    r"(?:\d|(?:early|mid|late)?-?\s*(?:Jan|Feb|Mar|Apr|May|Jun|Jul|Aug|Sep|Oct|Nov|Dec|next)"
    r"|(?:Mon|Tues|Wednes|Thurs|Fri|Satur|Sun)day)"
    r"|\bfortnight\b|\b(?:first|last|next)\s+\w+\s+(?:days|weeks)\b|\bonly on\b"
    r"|\bfrom\s+\S+(?:\s+\S+){0,3}?\s+(?:to|until|till|through)\s+(?:\d|(?:Jan|Feb|Mar|Apr|May|Jun|Jul|Aug|Sep|Oct|Nov|Dec))"
    r"|\b\d{1,2}(?:st|nd|rd|th)?\s*(?:-|\u2013|to)\s*\d{1,2}(?:st|nd|rd|th)?\s+(?:of\s+)?(?:Jan|Feb|Mar|Apr|May|Jun|Jul|Aug|Sep|Oct|Nov|Dec)",
    re.I,
)
_HOURS = re.compile(r"\b\d{1,2}(?::\d{2})?\s*(?:a\.?m\.?|p\.?m\.?)(?!\w)", re.I)


def _hours_near(frame, sentence) -> bool:
    """A clock time inside the predicate's own phrase: hours of access, not access."""
    token = frame.token
    if token.dep_ in ("acomp", "attr") and token.head.i != token.i:
        token = token.head  # "will be open until 10 a.m.": the clause of the adjective
    left = token.left_edge.idx
    right = token.right_edge.idx + len(token.right_edge.text)
    return any(left <= m.start() < right for m in _HOURS.finditer(sentence.text))


_VAGUE_TIME = re.compile(
    r"\blater in the (?:year|season|month)\b|\bin the coming (?:weeks|months|days)\b"
    r"|\b(?:next|later this|later next|coming)\s+(?:year|month|week|season|spring|summer|autumn|"
    r"fall|winter|weeks|months)\b|\bsoon\b|\beventually\b|\bat some point\b|\bin (?:the )?future\b",
    re.I,
)
_WAIT_UNTIL = re.compile(r"\bwait\s+(?:until|till)\s+$", re.I)
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
_EXCEPT = re.compile(r"\b(?:outside|except|excluding|other than|apart from)\b", re.I)
#: Forms that name a calendar day or month (not a weekday, which is read as the last one).
_CALENDAR = frozenset({"dm", "md", "month", "range"})
_FOLLOWED_BY = re.compile(r"\bfollowed by\b", re.I)
#: A notice that says its measure concerns "domestic and foreign visitors" somewhere.
_BOTH_AUDIENCES = re.compile(
    r"\b(?:domestic|local|national)\s+and\s+foreign\s+(?:visitors|tourists|travell?ers)"
    r"|\bforeign\s+and\s+(?:domestic|local)\s+(?:visitors|tourists|travell?ers)",
    re.I,
)
_PRESENT_STATE = re.compile(r"\b(?:is|are)\s+(?:currently|now)\b", re.I)
_PARTIAL_ADVICE = re.compile(
    r"\ball but essential\b|\bnon-?essential\b|\b(?:areas|parts|regions|provinces) of\b", re.I
)
_TAKES_EFFECT = re.compile(
    r"\b(?:(?:takes?|took|taking|come|comes|came|go|goes|went|enters?|entered|entering)\s+"
    r"(?:into\s+)?(?:effect|force)|(?:in\s+)?effective|starting(?:\s+(?:from|on))?"
    r"|with effect from)\b",
    re.I,
)
_FROM = re.compile(r"\b(?:from|starting|effective|as\s+of|beginning)\s+(?:\w+\s+)?$", re.I)
_EFFECTIVE = re.compile(r"\b(?:effective|with\s+effect\s+from|starting)\s+(?:\w+\s+)?$", re.I)
#: "TAIPEI, Taiwan -", "NEW DELHI (Reuters) -": where a story was filed, not what it is about;
#: its places are no mentions and it is blanked before parsing.
_DATELINE = re.compile(r"^[A-Z][A-Z .'-]{2,}(?:,\s+[A-Z][\w .'-]*)?\s*(?:\u2013|\u2014|--?|\()\s*")
#: Prepositions that name a circumstance rather than the place a predicate applies to.
_CONTEXT_PREPS = frozenset(
    {
        "amid",
        "despite",
        "because",
        "due",
        "after",
        "near",
        "between",
        "with",
        "following",
        "like",
        "unlike",
        "than",
        "including",
        "except",
        "beside",
        "outside",
        "beyond",
        "over",
    }
)
#: Offices whose travel advice speaks for their country's citizens.
_ADVISORS = (
    (re.compile(r"\bFCDO\b|\bForeign(?:,| and) Commonwealth\b|\bForeign (?:Office|Secretary)\b"
                r"|\bUK\b|\bBritish\b"), "GB"),
    (re.compile(r"\bState Department\b|\bDepartment of State\b|\bU\.S\.|\bUS\b"
                r"|\bAmerican\b"), "US"),
    (re.compile(r"\bGlobal Affairs Canada\b|\bCanad(?:a|ian)\b"), "CA"),
    (re.compile(r"\bDFAT\b|\bSmartraveller\b|\bAustralian?\b"), "AU"),
    (re.compile(r"\bJapan(?:ese)?\b"), "JP"),
)  # fmt: skip


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


@dataclass(slots=True)
class _Candidate:
    claim: ExtractedClaim
    explicit: bool
    history: bool
    in_title: bool
    #: Dated by a month or season only ("in October"): a day-dated reading of it wins.
    coarse: bool = False
    #: About visas with no holders named: the notice's one named nationality is meant.
    visa_unqualified: bool = False
    #: "The closure of the island ...", undated: the event the notice dates elsewhere.
    refers_back: bool = False
    #: Dated only by a nearby "takes effect on ..." sentence, which may be another measure's.
    effect_dated: bool = False
    #: Said of a place's visitors with no audience named ("tourists"): the notice may name it.
    unqualified: bool = False


class _Reader:
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
        candidates: list[_Candidate] = []
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
                for i in (_token_span(m, sentence, doc) if doc is not None else ())
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
            claims=_settle(candidates, body_mentions),
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

    def _scope(self, doc, index: int, sentence: Span, earlier: list[_Candidate]):
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
            if m.entry.kind != "country" and _token_span(m, sentence, doc) & scope
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

    def _ban_list(self, index: int, sentence: Span, earlier: list[_Candidate]):
        """ "The new ban targets A, B and C": the countries whose people the ban just reported
        bars (read from the words, as parsers often take "targets" for a noun here)."""
        match = _BAN_LIST.search(sentence.text)
        if not match:
            return []
        bans = [
            c
            for c in earlier
            if c.claim.pattern in _BAN_NOUNS | {"ban", "bar", "prohibit"}
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

    # -- one frame -----------------------------------------------------------------------------
    def _claims(self, frame: Frame, index: int, sentence: Span) -> list[_Candidate]:
        token = frame.token
        mentions = [
            # "the country" is the country the notice's claims are about, not the last named.
            replace(m, entry=self.last_country)
            if m.anaphoric and m.entry.kind == "country" and self.last_country is not None
            else m
            for m in self.mentions_by_sentence[index]
        ]
        by_token = {m: _token_span(m, sentence, token.doc) for m in mentions}
        unmatched = self._note_unmatched(
            frame, sentence, {i for m in mentions for i in by_token[m]}
        )
        if (
            token.pos_ == "NOUN"
            and token.lemma_.lower() in self.speculated
            and any(c.lemma_.lower() == "the" for c in token.children)
        ):
            return []  # "the ban will apply to all mountains": the ban that is only planned

        audiences, audience_mentions, counted = self._audiences(frame, mentions, by_token)
        targets = _ban_targets(frame, mentions, by_token)
        if _on_unnamed_countries(frame) and not targets:
            return []  # "a visa ban on 12 countries": whose ban, on whom, the text says later
        if targets:
            # "the visa ban on 12 countries including Chad": the countries are its people.
            for mention in targets:
                audiences[mention.entry.country_code] = None
            audience_mentions = [*audience_mentions, *targets]
        actor_mentions = [m for m in mentions if by_token[m] & {t.i for t in frame.actor_tokens}]
        kind = frame.predicate.kind
        if kind == "receipt" and not audiences and not frame.audience_tokens:
            return []

        outbound_code = None
        if frame.outbound or _citizens_leaving(frame, audiences):
            advised = [a for a in audiences if a not in (FOREIGN, DOMESTIC, _EVERYONE)]
            outbound_code = (
                advised[0] if advised else self._advisor(frame, actor_mentions, sentence)
            )
            if outbound_code is None:
                return []
            if advised:
                actor_mentions = [
                    m for m in actor_mentions if m.entry.country_code != outbound_code
                ]
        places = [m for m in mentions if m not in audience_mentions]
        if outbound_code:
            advisors = {m.entry.country_code for m in actor_mentions} | {outbound_code}
            named_places = bool(places)
            places = [m for m in places if m.entry.country_code not in advisors]
            if named_places and not places:
                return []  # "advised to return to India": going home is no travel advice
        visa = not outbound_code and _visa_theme(frame)
        destinations = None
        if visa:
            # Visas are issued by the destination: the other countries are whose citizens.
            issuer, holders = self._visa_parties(frame, mentions, by_token, actor_mentions)
            if issuer is not None:
                destinations = [issuer]
                theme = {t.i for node in frame.theme_tokens for t in node.subtree}
                regions = [
                    m.entry
                    for m in mentions
                    if m.entry.kind != "country"
                    and m.entry.country_code == issuer.country_code
                    and by_token[m] & theme
                ]
                if regions:
                    # "restore the visa-free policy for Hainan": entry to that region, for the
                    # people that conjunct names (not those of the next policy in the list).
                    destinations = list(dict.fromkeys(regions))
                    holders = []
                    own = _own_conjunct(
                        frame, [m for m in mentions if m.entry in regions], by_token
                    )
                    for mention in audience_mentions:
                        if not by_token[mention] & own:
                            audiences.pop(mention.entry.country_code, None)
                    doc = frame.token.doc
                    frame = replace(frame, restrictive=qualifies([doc[i] for i in sorted(own)]))
                named = [a for a in audiences if a not in (FOREIGN, DOMESTIC, _EVERYONE)]
                if not named:
                    for code in holders:
                        if code != issuer.country_code:
                            audiences[code] = None
        if destinations is None:
            destinations = self._destinations(
                frame, places, by_token, actor_mentions, unnamed_places=bool(unmatched)
            )
        if not destinations:
            return []

        calendar = any(d.explicit for d in self.dates_by_sentence[index])
        if not calendar and _HOURS.search(sentence.text) and _hours_near(frame, sentence):
            return []  # opening hours ("closed from 4 p.m. to 3 a.m.") are no access status
        effective, explicit = self._date(frame, index, sentence)
        coarse = self._coarse
        effect_dated = self._effect_dated
        if effective is None:
            return []
        if frame.history and not explicit:
            return []

        status = frame.status
        if status == "closed" and _TEMPORARY.search(sentence.text) and not outbound_code:
            status = "suspended"
        partial_advice = bool(_PARTIAL_ADVICE.search(sentence.text))
        strength = frame.predicate.strength
        in_title = sentence.start < self.title_end
        claims: list[_Candidate] = []
        mutual = _mutual_border(frame, mentions, by_token)
        if mutual:
            # "The Canada-U.S. border was shut": each side, for the other side's people.
            destinations = [a for a, _ in mutual]
        base_status = status
        for destination in destinations:
            status = base_status
            if status == "closed" and outbound_code and partial_advice:
                # "against all but essential travel", "to all other areas of X": part of the
                # way; judged on the phrase that names this destination when there is one.
                phrase = _advice_phrase(token, mentions, by_token, destination)
                if _PARTIAL_ADVICE.search(phrase if phrase is not None else sentence.text):
                    status = "restricted"
            if mutual:
                pairs = [(b.country_code, status) for a, b in mutual if a == destination]
            else:
                pairs = self._per_audience(
                    frame,
                    status,
                    audiences,
                    counted,
                    destination,
                    outbound_code,
                    [m for m in actor_mentions if m.entry.kind == "country"],
                    visa,
                )
            for audience, audience_status in pairs:
                claims.append(
                    _Candidate(
                        ExtractedClaim(
                            destination_id=destination.id,
                            destination_slug=destination.slug,
                            audience=audience,
                            status=audience_status,
                            effective_at=effective,
                            confidence=round(min(1.0, strength * self.authority_factor), 3),
                            sentence=sentence.text,
                            start=sentence.start,
                            end=sentence.end,
                            category=_claim_category(frame, audience, audience_status),
                            pattern=frame.predicate.lemma,
                        ),
                        explicit=explicit,
                        history=frame.history,
                        in_title=in_title,
                        coarse=coarse,
                        visa_unqualified=visa and audience == FOREIGN,
                        refers_back=not explicit and _definite_event(frame),
                        effect_dated=effect_dated,
                        unqualified=not audiences and destination.kind != "country",
                    )
                )
        return claims + self._followed_by(frame, index, sentence, claims, destinations)

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

    def _audiences(self, frame: Frame, mentions, by_token):
        """Audience codes named by the frame's visitor phrases, the country mentions used as
        such (never destinations), and whether visitors were counted ("from 19 countries")."""
        audiences: dict[str, None] = {}
        used: list[Mention] = []
        counted = False
        inside_names = {i for m in mentions for i in by_token[m]}
        for person in frame.audience_tokens:
            if person.i in inside_names:
                continue  # "Democratic People's Republic": a name, not its people
            if _exempt(person) or any(_exempt(h) for h in _conjunct_heads(person)):
                continue  # "to all but citizens and residents": the exempt are not the audience
            phrase = list(person.subtree)
            indices = {t.i for t in phrase}
            lemma = person.lemma_.lower()
            code = _demonym(person.text)
            if code:
                audiences[code] = None
            for token in phrase:
                word = token.text.lower()
                code = _demonym_at(token)
                if (
                    code
                    and token.i != person.i
                    and token.dep_ in ("amod", "compound", "nmod")
                    and (
                        token.head.i == person.i
                        or token.head in person.conjuncts
                        or token.head.lemma_.lower() in PERSON_NOUNS
                    )
                ):
                    audiences[code] = None
                if word in FOREIGN_WORDS or token.lemma_.lower() in FOREIGN_WORDS:
                    audiences[FOREIGN] = None
                if word in DOMESTIC_WORDS or (
                    word == "national" and token.pos_ == "ADJ" and token.head.i == person.i
                ):
                    audiences[DOMESTIC] = None
                if (
                    word in ALL_WORDS
                    and token.head.i == person.i
                    and (word != "all" or lemma in ("visitor", "people", "person"))
                ):
                    # "all visitors" and "the public" are everyone; "all tourists" are the
                    # foreign tourists (the corpus README's convention).
                    audiences[_EVERYONE] = None
                if token.like_num and token.head.lemma_.lower() == "country":
                    counted = True
            for mention in mentions:
                if mention.entry.kind == "country" and by_token[mention] & indices:
                    if not _origin_of(person, by_token[mention]):
                        continue
                    # "tourists from A, B and C", "citizens of C": where visitors come from.
                    audiences[mention.entry.country_code] = None
                    used.append(mention)
            if lemma in ("everyone", "everybody", "public"):
                audiences[_EVERYONE] = None
        if frame.audience_tokens and frame.status == "open":
            # "hosted a group of holidaymakers from Germany": "from" on the verb still says
            # where the visitors come from ("barred them from entering X" says where not).
            origin = {
                t.i
                for p in frame.token.children
                if p.dep_ == "prep" and p.lemma_.lower() == "from"
                for c in p.children
                if c.dep_ == "pobj"
                for t in c.subtree
            }
            for mention in mentions:
                if mention.entry.kind == "country" and by_token[mention] & origin:
                    audiences[mention.entry.country_code] = None
                    used.append(mention)
        for token in frame.token.subtree:
            # "welcome people from 19 countries": visitors counted by where they come from.
            if (
                token.like_num
                and token.head.lemma_.lower() in ("country", "nation")
                and token.head.dep_ == "pobj"
                and token.head.head.lemma_.lower() in ("from", "of")
            ):
                counted = True
        return audiences, used, counted

    def _advisor(self, frame: Frame, actor_mentions, sentence: Span) -> str | None:
        """The country whose citizens a travel advice or outbound ban speaks to."""
        for mention in actor_mentions:
            return mention.entry.country_code
        for token in frame.actor_tokens:
            code = _demonym(token.text)
            if code:
                return code
        actor_text = " ".join(t.text for t in frame.actor_tokens)
        for text in (actor_text, sentence.text, self.text[: self.title_end + 600], self.text):
            for pattern, code in _ADVISORS:
                if pattern.search(text):
                    return code
        return None

    def _note_unmatched(self, frame: Frame, sentence: Span, named: set[int]) -> list[str]:
        """Capitalised names of places in a status phrase that no destination matches ("the
        Chilbo Mountain area"): work for a curator, who may add the destination."""
        scope = {t.i for node in frame.theme_tokens for t in node.subtree}
        scope |= {
            t.i
            for p in frame.token.children
            if p.dep_ == "prep" and p.lemma_.lower() in ("to", "in", "at", "of", "on", "for")
            for t in p.subtree
        }
        if frame.token.dep_ == "xcomp":
            scope |= {
                t.i
                for p in frame.token.head.children
                if p.dep_ == "prep" and p.lemma_.lower() == "for"
                for t in p.subtree
            }
        doc = frame.token.doc
        # Runs of consecutive proper nouns in the scope that no destination covers.
        runs: list[list] = []
        for i in sorted(scope):
            t = doc[i]
            if t.pos_ != "PROPN" or i in named:
                continue
            if runs and runs[-1][-1].i + 1 == i:
                runs[-1].append(t)
            else:
                runs.append([t])
        found: list[str] = []
        for run in runs:
            after = doc[run[-1].i + 1] if run[-1].i + 1 < len(doc) else None
            visited = _visited(run[0])
            place_like = (
                run[-1].lemma_.lower() in PLACE_NOUNS
                or (after is not None and after.lemma_.lower() in PLACE_NOUNS)
                or visited
            )
            if (len(run) >= 2 or visited) and place_like:
                name = " ".join(x.text for x in run)
                if _demonym(name) is None:
                    self.unmatched.setdefault(
                        name, UnmatchedPlace(name=name, sentence=sentence.text)
                    )
                    found.append(name)
        return found

    def _visa_parties(self, frame: Frame, mentions, by_token, actor_mentions):
        """Who issues the visas a frame speaks of (the destination), and the country codes of
        those who hold them: "the Indian Mission in Canada suspended visa services" is India's
        visas for people in Canada; "Chad suspends US visas" is Chad's, for US citizens."""
        by_code = self.gazetteer.by_country_code
        actor_ids = {t.i for t in frame.actor_tokens}
        located = {
            t.i
            for t in frame.actor_tokens
            if t.dep_ == "prep" and t.lemma_.lower() in ("in", "to", "for", "from", "at")
            for t in t.subtree
        }
        issuer = None
        holders: list[str] = []
        for mention in actor_mentions:
            if mention.entry.kind != "country":
                continue
            if by_token[mention] & located:
                holders.append(mention.entry.country_code)
            elif issuer is None:
                issuer = mention.entry
        if issuer is None:
            for token in frame.actor_tokens:
                code = _demonym(token.text)
                if code and token.i not in located and code in by_code:
                    issuer = by_code[code]
                    break
        visa_nouns = [
            t for node in frame.theme_tokens for t in node.subtree if t.lemma_.lower() in VISA_WORDS
        ]
        modifiers = [
            c
            for v in visa_nouns
            for c in (v, *v.children)
            if c.dep_ in ("amod", "compound", "poss")
        ]
        for token in modifiers:
            code = _demonym(token.text)
            country = by_code.get(code) if code else None
            if country is None:
                for mention in mentions:
                    if token.i in by_token[mention] and mention.entry.kind == "country":
                        country = mention.entry
            if country is None:
                continue
            if issuer is None and not actor_ids:
                issuer = country
            elif country != issuer:
                holders.append(country.country_code)
        for mention in mentions:
            if mention.entry.kind == "country" and not by_token[mention] & actor_ids:
                tokens = [t for t in frame.token.doc if t.i in by_token[mention]]
                if (  # noqa: SIM102 - the issuer test reads better apart
                    tokens
                    and tokens[0].head.dep_ == "prep"
                    and tokens[0].dep_ == "pobj"
                    and (tokens[0].head.lemma_.lower() in ("in", "to", "for", "from"))
                ):
                    if issuer is None or mention.entry != issuer:
                        holders.append(mention.entry.country_code)
        return issuer, list(dict.fromkeys(holders))

    def _destinations(
        self, frame: Frame, places, by_token, actor_mentions, *, unnamed_places: bool = False
    ):
        token = frame.token
        tiers = []
        context = {
            t.i
            for t in token.sent
            if t.dep_ == "prep" and t.lemma_.lower() in _CONTEXT_PREPS
            for t in t.subtree
        }
        # "Kangwon Province, home to Masikryong, remains open": an aside names other places.
        named_heads = {i for m in places for i in by_token[m]}
        # "The Tamsen Valley Reserve in northern Namibia", "Authorities on Nusa Penida": where
        # a named place or the actor is, not what the predicate is about.
        located = named_heads | {
            c.i for c in token.children if c.dep_ in ("nsubj", "nsubjpass") and c.pos_ == "NOUN"
        }
        context |= {
            t.i
            for t in token.sent
            if t.dep_ == "prep"
            and t.lemma_.lower() in ("in", "on", "near", "at")
            and t.head.i in located
            and t.head.i not in {x.i for x in frame.theme_tokens if x.pos_ != "PROPN"}
            for t in t.subtree
        }
        context |= {
            t.i
            for t in token.sent
            if t.dep_ in ("appos", "advmod", "npadvmod", "acl", "relcl")
            and t.pos_ in ("NOUN", "PROPN", "VERB")
            and t.head.i in named_heads
            and t.i not in named_heads
            for t in t.subtree
        }
        places = [m for m in places if not by_token[m] & context]
        # "all countries outside the EU, the Schengen Area and the United Kingdom": the rest
        # of a list opened by "outside"/"except" is left out too, however it is parsed.
        cut = _EXCEPT.search(token.sent.text)
        if cut:
            offset = token.sent.start_char + cut.start()
            first = next((t.i for t in token.doc if t.idx >= offset), len(token.doc))
            places = [m for m in places if min(by_token[m], default=0) < first]
        theme = {t.i for node in frame.theme_tokens for t in node.subtree}
        own = any(
            c.dep_ == "poss" and c.lemma_.lower() in ("its", "their")
            for node in frame.theme_tokens
            if node.lemma_.lower() in ("border", "door", "gate", "frontier")
            for c in node.children
        )
        barred_from = {
            t.i
            for p in token.children
            if p.dep_ == "prep" and p.lemma_.lower() == "from"
            for g in p.children
            if g.dep_ == "pcomp" and g.lemma_.lower() in ("enter", "visit", "travel", "come")
            for t in g.subtree
        }
        if barred_from:
            # "barring citizens of A and B from entering the United States": where they may
            # not go is the destination; the rest of the theme says who they are.
            tiers.append([m for m in places if by_token[m] & barred_from])
        if own and any(m in places for m in actor_mentions):
            # "North Korea has closed its borders": the actor's own borders.
            tiers.append([m for m in actor_mentions if m in places])
        tiers.append([m for m in places if by_token[m] & theme])
        heads = [token, *[c for c in token.children if c.tag_ == "VBG" and c.dep_ == "xcomp"]]
        preps = {
            t.i
            for head in heads
            for p in head.children
            if p.dep_ in ("prep", "npadvmod", "advmod")
            for t in p.subtree
        }
        tiers.append([m for m in places if by_token[m] & preps])
        tiers.append([m for m in actor_mentions if m in places])
        clause = {t.i for t in _clause_root(token).subtree}
        tiers.append([m for m in places if by_token[m] & clause])
        # "Chad's president said his country will …": the possessor of a subject.
        possessors = {
            t.i for t in token.sent if t.dep_ == "poss" and t.head.dep_ in ("nsubj", "nsubjpass")
        }
        tiers.append([m for m in places if by_token[m] & possessors])
        named = {i for m in places for i in by_token[m]}
        doc = token.doc
        unnamed = [
            t
            for t in (doc[i] for i in sorted(theme | preps))
            if t.pos_ == "NOUN"
            and t.lemma_.lower() in PLACE_NOUNS
            and t.lemma_.lower() not in _COUNTRYISH
            and t.i not in named
            and not any(c.i in named for c in t.children if c.dep_ in ("compound", "amod"))
        ]
        if unnamed and not frame.outbound:
            # "closed its only gateway", "tourism in its primate parks": an unnamed place inside
            # a country is not the country; it is the place the story is about, if any.
            tiers = [[m for m in tier if m.entry.kind != "country"] for tier in tiers]
            if not any(tiers):
                if self.topic and self.topic[0].kind != "country":
                    return list(self.topic)
                return []
        for tier in tiers:
            if tier:
                return _pick(tier)
        pronouns = [t for t in frame.theme_tokens if t.lemma_.lower() in ("it", "they")]
        if pronouns:
            # "the spa said it would remain closed": "it" is the place named just before.
            before = [m for m in places if min(by_token[m], default=10**6) < pronouns[0].i]
            if before:
                return [max(before, key=lambda m: m.start).entry]
            if self.topic:
                return list(self.topic)
        if not places and self.topic and not unnamed_places:
            # The story's place, unless the phrase names a place the gazetteer lacks
            # ("for visiting Mayabunder and Diglipur"): then it is about that place.
            return list(self.topic)
        return []

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

    @staticmethod
    def _per_audience(
        frame,
        status,
        audiences,
        counted,
        destination,
        outbound_code,
        frame_actor_countries,
        visa=False,
    ):
        """(audience, status) pairs for one destination."""
        if outbound_code:
            codes = [m.entry.country_code for m in frame_actor_countries] or [outbound_code]
            return [(code, status) for code in dict.fromkeys(codes)]
        named = {a: None for a in audiences if a not in (FOREIGN, DOMESTIC, _EVERYONE)}
        if frame.predicate.kind == "movement" and destination.country_code in named:
            return []  # "citizens abroad will be able to re-enter France": going home
        own_only = bool(named) and set(named) == {destination.country_code}
        for code in list(named):
            if code == destination.country_code:
                del named[code]
                audiences = {**audiences, DOMESTIC: None}
        home_only = not named and DOMESTIC in audiences and FOREIGN not in audiences
        only = any(t.lemma_.lower() == "only" for t in frame.token.sent)
        if (own_only or home_only) and status == "open" and frame.restrictive and only:
            # "resumed, but only for South Korean citizens": open at home, shut to foreigners.
            return [(DOMESTIC, "open"), (FOREIGN, "closed")]
        result: list[tuple[str, str]] = []
        opening = status == "open"
        for code in named:
            result.append((code, status))
        # A place opening to some nationalities only is restricted for everyone else; visas
        # resumed for one nationality, or services restarted, say nothing about the others.
        implies_others = not visa and frame.predicate.lemma not in ("resume", "restart")
        if opening and implies_others and (named or counted):
            # Open to some nationalities only: everyone else is restricted.
            result.append((FOREIGN, "restricted"))
        elif not named:
            everyone = _EVERYONE in audiences and FOREIGN not in audiences
            explicit_domestic = DOMESTIC in audiences
            if FOREIGN in audiences or not explicit_domestic:
                final = "restricted" if opening and frame.restrictive else status
                result.append((FOREIGN, final))
            # Locals are an audience only when the text names them, or names everyone at a
            # place that is not a country (a country's border concerns foreigners).
            if explicit_domestic or (everyone and destination.kind != "country"):
                final = "restricted" if opening and frame.restrictive else status
                result.append((DOMESTIC, final))
        return list(dict.fromkeys(result))


# -- helpers -------------------------------------------------------------------------------------
def _claim_category(frame: Frame, audience: str, status: str) -> str:
    """The error category a claim is scored under (the corpus README lists them)."""
    if frame.future:
        return "schedule"
    if frame.history:
        return "history"
    if audience == DOMESTIC:
        return "domestic"
    if frame.negated:
        return "negation"
    if audience not in (FOREIGN, DOMESTIC):
        return "groups"
    return _category(status)


def _category(status: str) -> str:
    return {
        "open": "reopening",
        "restricted": "restriction",
        "suspended": "suspension",
        "closed": "closure",
    }.get(status, "other")


def _demonym_at(token) -> str | None:
    """The nationality a token names, two-word forms first ("North Korean", "South Korean")."""
    if token.i > 0:
        pair = _demonym(f"{token.doc[token.i - 1].text} {token.text}")
        if pair:
            return pair
    return _demonym(token.text)


def _demonym(word: str) -> str | None:
    lowered = word.lower()
    if lowered in _DEMONYM_LOWER:
        return _DEMONYM_LOWER[lowered]
    for suffix in ("s",):
        if lowered.endswith(suffix) and lowered[: -len(suffix)] in _DEMONYM_LOWER:
            return _DEMONYM_LOWER[lowered[: -len(suffix)]]
    return None


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


def _advice_phrase(token, mentions, by_token, destination) -> str | None:
    """The "against ..." phrase of an advice that names ``destination``, as text."""
    for against in (t for t in token.subtree if t.lemma_.lower() == "against"):
        nested = {t.i for c in against.children if c.dep_ == "conj" for t in c.subtree}
        span = {t.i for t in against.subtree} - nested
        if any(m.entry == destination and by_token[m] & span for m in mentions):
            return " ".join(t.text for t in against.subtree if t.i in span)
    return None


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


_BAN_NOUNS = frozenset({"ban", "restriction", "suspension", "embargo"})


def _visited(token) -> bool:
    """A name that is the object of visiting or entering ("for visiting Mayabunder")."""
    head = token.head if token.dep_ in ("dobj", "pobj", "conj") else None
    while head is not None and head.dep_ == "conj":
        head = head.head
    return head is not None and head.lemma_.lower() in ("visit", "enter", "reach")


def _own_conjunct(frame: Frame, region_mentions, by_token) -> set[int]:
    """Token indices of the list member (a theme conjunct) that names these places."""
    doc = frame.token.doc
    for node in frame.theme_tokens:
        members = [node, *node.conjuncts]
        for member in members:
            nested = {t.i for c in member.children if c.dep_ == "conj" for t in c.subtree}
            span = {t.i for t in member.subtree} - nested
            if any(by_token[m] & span for m in region_mentions):
                return span
    return {t.i for t in doc}


def _ban_targets(frame: Frame, mentions, by_token) -> list:
    """Countries a ban noun is "on" ("a travel ban on Iraq and Syria", "the visa ban on 12
    countries including Chad"): whose people it bars."""
    token = frame.token
    if token.pos_ != "NOUN" or token.lemma_.lower() not in _BAN_NOUNS:
        return []
    scope = {
        t.i
        for p in token.children
        if p.dep_ == "prep" and p.lemma_.lower() in ("on", "against")
        for t in p.subtree
    }
    return [m for m in mentions if m.entry.kind == "country" and by_token[m] & scope]


def _on_unnamed_countries(frame: Frame) -> bool:
    """ "a visa ban on 12 countries", "the travel bans on them": whose people, unnamed."""
    token = frame.token
    return token.lemma_.lower() in _BAN_NOUNS and any(
        p.dep_ == "prep"
        and p.lemma_.lower() == "on"
        and any(c.lemma_.lower() in ("country", "nation", "they", "them") for c in p.children)
        for p in token.children
    )


def _exempt(person) -> bool:
    """ "all but citizens", "everyone except residents": the people left out."""
    return (
        person.head.lemma_.lower() in ("but", "except")
        or (person.dep_ == "pobj" and person.head.head.lemma_.lower() in ("but", "except"))
        or (
            person.dep_ == "conj"
            and any(
                c.dep_ == "cc" and c.lemma_.lower() in ("but", "except") and c.i < person.i
                for c in person.head.children
            )
        )
    )


def _conjunct_heads(token) -> list:
    heads = []
    while token.dep_ == "conj" and token.head.i != token.i:
        token = token.head
        heads.append(token)
    return heads


def _mutual_border(frame: Frame, mentions, by_token) -> list[tuple]:
    """The two countries of a shared border named as one ("the Canada-U.S. border", "the
    border between A and B"), as (destination, other side) pairs; empty otherwise."""
    borders = [t for t in frame.theme_tokens if t.lemma_.lower() == "border"]
    if not borders:
        return []
    scope = {t.i for b in borders for t in b.subtree}
    sides = []
    for mention in mentions:
        if (
            mention.entry.kind == "country"
            and by_token[mention] & scope
            and mention.entry not in sides
        ):
            sides.append(mention.entry)
    if len(sides) != 2:
        return []
    a, b = sides
    return [(a, b), (b, a)]


def _origin_of(person, mention_tokens: set[int]) -> bool:
    """Whether a country inside a visitor phrase says where the visitors come from ("tourists
    from A", "citizens of B", "Chadian nationals", "A's citizens") rather than where something
    else is ("groups near the borders with A")."""
    doc = person.doc
    for i in mention_tokens:
        node, origin = doc[i], False
        for _ in range(8):
            if node.i == person.i:
                return origin or doc[i].head.i == person.i
            head = node.head
            if node.dep_ == "pobj":
                if head.lemma_.lower() in ("from", "of", "including"):
                    origin = True
                elif head.lemma_.lower() in ("near", "with", "on", "at", "to", "outside"):
                    return False
            if head.i == node.i:
                break
            node = head
    return False


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


def _visa_theme(frame: Frame) -> bool:
    """The predicate acts on visas ("suspended visa services", "revoked all visas")."""
    return any(t.lemma_.lower() in VISA_WORDS for node in frame.theme_tokens for t in node.subtree)


def _citizens_leaving(frame: Frame, audiences) -> bool:
    """ "prohibited their citizens from visiting X": a ban on the actor's own people going out."""
    if frame.status == "open":
        return False
    for person in frame.audience_tokens:
        if person.lemma_.lower() in ("citizen", "national") and any(
            c.dep_ == "poss" and c.lemma_.lower() in ("their", "its", "our")
            for c in person.children
        ):
            return True
    return False


def _token_span(mention: Mention, sentence: Span, doc) -> set[int]:
    """Indices of the tokens a mention covers (any token it overlaps)."""
    span = doc.char_span(
        mention.start - sentence.start, mention.end - sentence.start, alignment_mode="expand"
    )
    return set(range(span.start, span.end)) if span is not None else set()


def _clause_root(token):
    node = token
    while node.head.i != node.i and node.dep_ not in ("ccomp", "advcl", "conj", "parataxis"):
        node = node.head
    return node


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


def _pick(mentions: list[Mention]) -> list[GazetteerEntry]:
    """The most specific places of a tier, in text order, each once."""
    best = max(SPECIFICITY.get(m.entry.kind, 0) for m in mentions)
    seen: dict[int, GazetteerEntry] = {}
    for mention in sorted(mentions, key=lambda m: m.start):
        if SPECIFICITY.get(mention.entry.kind, 0) == best:
            seen.setdefault(mention.entry.id, mention.entry)
    return list(seen.values())


_FAMILY = {
    "open": "open",
    "restricted": "restricted",
    "suspended": "shut",
    "closed": "shut",
    "unknown": "unknown",
}


def _refined(coarse: _Candidate, group: list[_Candidate]) -> bool:
    """A month-dated reading ("in October") that a day-dated one of the same status refines
    ("with effect from October 26")."""
    day = coarse.claim.effective_at.date()
    return any(
        not c.coarse
        and c.explicit
        and _FAMILY[c.claim.status] == _FAMILY[coarse.claim.status]
        and 0 <= (c.claim.effective_at.date() - day).days <= 31
        for c in group
    )


def _refine_coarse_dates(candidates: list[_Candidate]) -> list[_Candidate]:
    """ "A group will visit next month ... their tour from 9 February": a month-dated reading
    takes the day the notice gives for the same kind of event in that month, whichever place
    it names there (a resort inside the country, say)."""
    result = []
    for c in candidates:
        if c.coarse:
            day = c.claim.effective_at.date()
            finer = [
                o.claim.effective_at
                for o in candidates
                if not o.coarse
                and o.explicit
                and o.claim.audience == c.claim.audience
                and _FAMILY[o.claim.status] == _FAMILY[c.claim.status]
                and 0 < (o.claim.effective_at.date() - day).days <= 31
                and o.claim.effective_at.date().month == day.month
            ]
            if finer:
                c = replace(c, coarse=False, claim=replace(c.claim, effective_at=min(finer)))
        result.append(c)
    return result


def _definite_event(frame: Frame) -> bool:
    token = frame.token
    return token.pos_ == "NOUN" and any(
        c.dep_ in ("det", "poss") and c.lemma_.lower() in ("the", "this", "its")
        for c in token.children
    )


def _date_references_back(candidates: list[_Candidate]) -> list[_Candidate]:
    """An undated "the closure of X" names the closure the notice dates elsewhere: it takes
    that event's date and status, so one event stays one event."""
    result = []
    for c in candidates:
        if c.refers_back:
            dated = [
                o
                for o in candidates
                if o.explicit
                and o.claim.destination_id == c.claim.destination_id
                and _FAMILY[o.claim.status] == _FAMILY[c.claim.status]
                and not o.history
                and abs((o.claim.effective_at - c.claim.effective_at).days) <= 62
            ]
            if dated:
                source = dated[0].claim
                c = replace(
                    c,
                    explicit=True,
                    claim=replace(c.claim, effective_at=source.effective_at, status=source.status),
                )
        result.append(c)
    return result


def _inherit_visa_holders(candidates: list[_Candidate]) -> list[_Candidate]:
    """Visa claims that name no holders take the one nationality the notice names for the same
    issuer: a notice about India's visas for Canadians means Canadians throughout."""
    named: dict[int, set[str]] = {}
    for c in candidates:
        if c.claim.audience not in (FOREIGN, DOMESTIC):
            named.setdefault(c.claim.destination_id, set()).add(c.claim.audience)
    result = []
    for c in candidates:
        codes = named.get(c.claim.destination_id, set())
        if c.visa_unqualified and len(codes) == 1:
            c = replace(c, claim=replace(c.claim, audience=next(iter(codes))))
        result.append(c)
    return result


def _settle(
    candidates: list[_Candidate], body_mentions: frozenset[int] = frozenset()
) -> list[ExtractedClaim]:
    """One reading per (destination, audience, event) for the whole notice.

    Claims of one destination and audience whose dates fall within three days are one event:
    the strongest reading wins (body over headline, asserted over background, dated over
    undated), so a notice never contradicts itself about one moment. A reading dated only by
    the notice's publication is dropped when the notice dates the same status explicitly. A
    headline speaks only for a notice whose body is silent on the place: where the body
    mentions it without asserting anything (a request, a plan), the headline is no claim.
    """
    candidates = _inherit_visa_holders(candidates)
    candidates = _date_references_back(candidates)
    candidates = _refine_coarse_dates(candidates)
    groups: dict[tuple[int, str], list[_Candidate]] = {}
    for candidate in candidates:
        key = (candidate.claim.destination_id, candidate.claim.audience)
        groups.setdefault(key, []).append(candidate)
    settled: list[ExtractedClaim] = []
    body_speaks = any(not c.in_title for c in candidates)
    for group in groups.values():
        group = [
            c
            for c in group
            if not (c.in_title and (body_speaks or c.claim.destination_id in body_mentions))
        ]
        if not group:
            continue
        # An undated reading yields to a dated one of the same status (the same event, or the
        # schedule it announces); a dated event long before it is another event.
        group = [
            c
            for c in group
            if c.explicit
            or not any(
                o.explicit
                and not o.history
                and o.claim.status == c.claim.status
                and (o.claim.effective_at - c.claim.effective_at).days >= -31
                for o in group
            )
        ]
        group = [c for c in group if not (c.coarse and _refined(c, group))]
        dated_itself = {_FAMILY[c.claim.status] for c in group if c.explicit and not c.effect_dated}
        group = [
            c for c in group if not (c.effect_dated and _FAMILY[c.claim.status] in dated_itself)
        ]
        qualified = {
            (c.claim.effective_at.date(), "restricted")
            for c in group
            if c.claim.status == "restricted"
        }
        group.sort(
            key=lambda c: (
                c.history,
                c.claim.status == "open"
                and any(abs((day - c.claim.effective_at.date()).days) <= 3 for day, _ in qualified),
                not c.explicit,
                c.claim.status != "suspended",  # a closure with an end is the better reading
                -c.claim.confidence,
                c.claim.start,
            )
        )
        events: list[_Candidate] = []
        for candidate in group:
            day = candidate.claim.effective_at.date()
            same = [
                i
                for i, e in enumerate(events)
                if abs((e.claim.effective_at.date() - day).days) <= 3
            ]
            if same:
                kept = events[same[0]]
                if kept.claim.status == "closed" and candidate.claim.status == "suspended":
                    # "closed on Saturday ... will remain closed until Monday": one closure
                    # with an end, dated by its clearest reading.
                    events[same[0]] = replace(kept, claim=replace(kept.claim, status="suspended"))
                continue
            events.append(candidate)
        settled += [replace(e.claim) for e in sorted(events, key=lambda c: c.claim.start)]
    return settled
