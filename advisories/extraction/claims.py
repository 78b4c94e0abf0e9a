"""From one reading frame to candidate claims: destinations, audiences, date and status, each
claim with the sentence that justifies it.

The parts of the reader meet here (places, audiences, visas, dates, lists): this is the one
module that draws on all of them, and none of them depends on it.
"""

from __future__ import annotations

import re
from dataclasses import replace

from .audiences import (
    EVERYONE,
    AudienceReading,
    ban_targets,
    citizens_leaving,
    on_unnamed_countries,
)
from .destinations import DestinationReading, mutual_border, token_span
from .effective_dates import DateReading
from .frames import Frame
from .listed_places import ListedPlaceReading
from .qualifiers import qualifies
from .sentences import Span
from .settling import Candidate
from .types import DOMESTIC, FOREIGN, ExtractedClaim
from .visas import VisaReading, own_conjunct, visa_theme

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
_PARTIAL_ADVICE = re.compile(
    r"\ball but essential\b|\bnon-?essential\b|\b(?:areas|parts|regions|provinces) of\b", re.I
)


def _hours_near(frame, sentence) -> bool:
    """A clock time inside the predicate's own phrase: hours of access, not access."""
    token = frame.token
    if token.dep_ in ("acomp", "attr") and token.head.i != token.i:
        token = token.head  # "will be open until 10 a.m.": the clause of the adjective
    left = token.left_edge.idx
    right = token.right_edge.idx + len(token.right_edge.text)
    return any(left <= m.start() < right for m in _HOURS.finditer(sentence.text))


class ClaimReading(
    ListedPlaceReading, DateReading, DestinationReading, AudienceReading, VisaReading
):
    """The notice reader's reading of one frame, mixed into ``extractor._Reader``."""

    def _claims(self, frame: Frame, index: int, sentence: Span) -> list[Candidate]:
        token = frame.token
        mentions = [
            # "the country" is the country the notice's claims are about, not the last named.
            replace(m, entry=self.last_country)
            if m.anaphoric and m.entry.kind == "country" and self.last_country is not None
            else m
            for m in self.mentions_by_sentence[index]
        ]
        by_token = {m: token_span(m, sentence, token.doc) for m in mentions}
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
        targets = ban_targets(frame, mentions, by_token)
        if on_unnamed_countries(frame) and not targets:
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
        if frame.outbound or citizens_leaving(frame, audiences):
            advised = [a for a in audiences if a not in (FOREIGN, DOMESTIC, EVERYONE)]
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
        visa = not outbound_code and visa_theme(frame)
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
                    own = own_conjunct(frame, [m for m in mentions if m.entry in regions], by_token)
                    for mention in audience_mentions:
                        if not by_token[mention] & own:
                            audiences.pop(mention.entry.country_code, None)
                    doc = frame.token.doc
                    frame = replace(frame, restrictive=qualifies([doc[i] for i in sorted(own)]))
                named = [a for a in audiences if a not in (FOREIGN, DOMESTIC, EVERYONE)]
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
        claims: list[Candidate] = []
        mutual = mutual_border(frame, mentions, by_token)
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
                    Candidate(
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


def _advice_phrase(token, mentions, by_token, destination) -> str | None:
    """The "against ..." phrase of an advice that names ``destination``, as text."""
    for against in (t for t in token.subtree if t.lemma_.lower() == "against"):
        nested = {t.i for c in against.children if c.dep_ == "conj" for t in c.subtree}
        span = {t.i for t in against.subtree} - nested
        if any(m.entry == destination and by_token[m] & span for m in mentions):
            return " ".join(t.text for t in against.subtree if t.i in span)
    return None


def _definite_event(frame: Frame) -> bool:
    token = frame.token
    return token.pos_ == "NOUN" and any(
        c.dep_ in ("det", "poss") and c.lemma_.lower() in ("the", "this", "its")
        for c in token.children
    )
