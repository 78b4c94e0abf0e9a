"""Which of a sentence's named places a reading is about, and the places it names that no
destination matches.

A sentence names more places than it speaks of ("Kangwon Province, home to Masikryong, remains
open"). Choosing among them by their part in the parse, falling back on the story's own place,
is kept in one module so every reading chooses the same way; unmatched names go to curators.
"""

from __future__ import annotations

import re

from .frames import Frame
from .gazetteer import SPECIFICITY
from .lexicon import PLACE_NOUNS
from .nationalities import demonym
from .sentences import Span
from .types import GazetteerEntry, Mention, UnmatchedPlace

#: Place nouns that name a whole country ("the country", "the kingdom").
_COUNTRYISH = frozenset(
    {"country", "nation", "kingdom", "state", "republic", "emirate", "territory"}
)


_EXCEPT = re.compile(r"\b(?:outside|except|excluding|other than|apart from)\b", re.I)


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


class DestinationReading:
    """The notice reader's choice of places, mixed into ``extractor._Reader``: it
    falls back on the story's topic and collects the unmatched places."""

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
                if demonym(name) is None:
                    self.unmatched.setdefault(
                        name, UnmatchedPlace(name=name, sentence=sentence.text)
                    )
                    found.append(name)
        return found


def token_span(mention: Mention, sentence: Span, doc) -> set[int]:
    """Indices of the tokens a mention covers (any token it overlaps)."""
    span = doc.char_span(
        mention.start - sentence.start, mention.end - sentence.start, alignment_mode="expand"
    )
    return set(range(span.start, span.end)) if span is not None else set()


def mutual_border(frame: Frame, mentions, by_token) -> list[tuple]:
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


def _visited(token) -> bool:
    """A name that is the object of visiting or entering ("for visiting Mayabunder")."""
    head = token.head if token.dep_ in ("dobj", "pobj", "conj") else None
    while head is not None and head.dep_ == "conj":
        head = head.head
    return head is not None and head.lemma_.lower() in ("visit", "enter", "reach")


def _clause_root(token):
    node = token
    while node.head.i != node.i and node.dep_ not in ("ccomp", "advcl", "conj", "parataxis"):
        node = node.head
    return node


def _pick(mentions: list[Mention]) -> list[GazetteerEntry]:
    """The most specific places of a tier, in text order, each once."""
    best = max(SPECIFICITY.get(m.entry.kind, 0) for m in mentions)
    seen: dict[int, GazetteerEntry] = {}
    for mention in sorted(mentions, key=lambda m: m.start):
        if SPECIFICITY.get(mention.entry.kind, 0) == best:
            seen.setdefault(mention.entry.id, mention.entry)
    return list(seen.values())
