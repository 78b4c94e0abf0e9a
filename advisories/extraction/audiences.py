"""Whom a reading is for: visitors by nationality or origin, an advisory's own citizens, and
the status each of them gets.

A country named in a sentence may be a destination or where visitors come from; deciding that here
keeps origins out of destinations. An opening to some nationalities is a restriction for the rest,
which is why statuses are given per audience.
"""

from __future__ import annotations

import re

from .frames import Frame
from .lexicon import ALL_WORDS, DOMESTIC_WORDS, FOREIGN_WORDS, PERSON_NOUNS
from .nationalities import demonym, demonym_at
from .sentences import Span
from .types import DOMESTIC, FOREIGN, Mention

EVERYONE = "everyone"


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


BAN_NOUNS = frozenset({"ban", "restriction", "suspension", "embargo"})


class AudienceReading:
    """The notice reader's audiences, mixed into ``extractor._Reader``: an advice's
    advisor may be named anywhere in the notice."""

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
            code = demonym(person.text)
            if code:
                audiences[code] = None
            for token in phrase:
                word = token.text.lower()
                code = demonym_at(token)
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
                    audiences[EVERYONE] = None
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
                audiences[EVERYONE] = None
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
            code = demonym(token.text)
            if code:
                return code
        actor_text = " ".join(t.text for t in frame.actor_tokens)
        for text in (actor_text, sentence.text, self.text[: self.title_end + 600], self.text):
            for pattern, code in _ADVISORS:
                if pattern.search(text):
                    return code
        return None

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
        named = {a: None for a in audiences if a not in (FOREIGN, DOMESTIC, EVERYONE)}
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
            everyone = EVERYONE in audiences and FOREIGN not in audiences
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


def citizens_leaving(frame: Frame, audiences) -> bool:
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


def ban_targets(frame: Frame, mentions, by_token) -> list:
    """Countries a ban noun is "on" ("a travel ban on Iraq and Syria", "the visa ban on 12
    countries including Chad"): whose people it bars."""
    token = frame.token
    if token.pos_ != "NOUN" or token.lemma_.lower() not in BAN_NOUNS:
        return []
    scope = {
        t.i
        for p in token.children
        if p.dep_ == "prep" and p.lemma_.lower() in ("on", "against")
        for t in p.subtree
    }
    return [m for m in mentions if m.entry.kind == "country" and by_token[m] & scope]


def on_unnamed_countries(frame: Frame) -> bool:
    """ "a visa ban on 12 countries", "the travel bans on them": whose people, unnamed."""
    token = frame.token
    return token.lemma_.lower() in BAN_NOUNS and any(
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
