"""Who a predicate speaks of: the visitor phrases attached to it, the travellers whose movement
it states ("visitors will be able to enter") and who must meet a condition on entry.

A frame only points at these tokens. Turning them into audience codes needs the notice's places
and is the claim reader's work (``audiences.py``), so this module stays with the words.
"""

from __future__ import annotations

import re

from .lexicon import (
    ARRIVAL_VERBS,
    BLOCKING_WORDS,
    ENABLING_WORDS,
    PERSON_NOUNS,
    REQUIREMENT_NOUNS,
)
from .nationalities import DEMONYMS
from .parse_tree import children_of, governors, lemma_of


def audience_phrases(token, theme: list) -> list:
    """Visitor phrases attached to the predicate: in its theme, in "to/for/from/on …" phrases,
    or as the subject of a passive ("foreign tourists are not allowed")."""
    found = []
    candidates = list(theme)
    for prep in children_of(token, "prep", "dative", "agent"):
        candidates += [
            c
            for c in prep.children
            if c.dep_ in ("pobj", "pcomp") and lemma_of(c) not in _OCCASIONS
        ]
    candidates += children_of(token, "nsubjpass", "dobj")
    if token.dep_ in ("xcomp",):
        candidates += children_of(token.head, "dobj", "nsubjpass")
        if any(c.dep_ == "auxpass" for c in token.children):
            candidates += children_of(token.head, "nsubj")  # "guests continue to be served"
    if token.dep_ == "acomp":
        candidates += children_of(token.head, "nsubj", "nsubjpass")
        # "X is open again to citizens of Canada": the phrase hangs on "is".
        for prep in children_of(token.head, "prep"):
            candidates += [c for c in prep.children if c.dep_ in ("pobj", "pcomp")]
    for node in candidates:
        for sub in node.subtree:
            lemma = lemma_of(sub)
            if (
                (lemma in PERSON_NOUNS and sub.pos_ in ("NOUN", "PROPN", "PRON"))
                or _plural_demonym(sub)
                or (sub.tag_ in ("NNS", "NNPS") and sub.text.endswith(("ans", "ians", "is", "ers")))
            ):
                found.append(sub)
    return list(dict.fromkeys(found))


def _plural_demonym(token) -> bool:
    """ "Qataris", "Chadians": a nationality's people, whatever tag the parser gave them."""
    text = token.text
    return text[:1].isupper() and text.endswith("s") and text[:-1] in DEMONYMS


#: "in response to the decision to ban Chadians": the occasion of a measure, not its audience.
_OCCASIONS = frozenset({"response", "reaction", "retaliation", "reply", "protest", "accordance"})


def obligation_subjects(token) -> list | None:
    """Who must meet a condition on entry, when the condition is one (REQUIREMENT_NOUNS);
    None when the predicate states no such condition."""
    if not any(
        lemma_of(t) in REQUIREMENT_NOUNS for t in token.subtree if t.pos_ in ("NOUN", "PROPN")
    ):
        return None
    chain = [token, *[head for _, head in governors(token)]][:3]
    for node in chain:
        for subject in children_of(node, "nsubj", "nsubjpass"):
            if lemma_of(subject) in PERSON_NOUNS or _plural_demonym(subject):
                return [subject]
            if lemma_of(subject) in ("it", "this"):
                return []  # "it is mandatory for all trekkers": the people are in a phrase
            if lemma_of(subject) in REQUIREMENT_NOUNS and subject.dep_ == "nsubjpass":
                return []  # "permits will be required from mid-March": of every visitor
    if lemma_of(token) == "impose":
        return []
    return None


_WEEKDAYS = frozenset(
    {"monday", "tuesday", "wednesday", "thursday", "friday", "saturday", "sunday"}
)
_DAY = re.compile(r"^\d{1,2}(?:st|nd|rd|th)?$")


def movers_of(token) -> list:
    """The visitors whose movement a "visit"/"travel"/"enter" states as possible: the subject
    (or the antecedent of "who"), when an enabling word governs it ("able to", "allowed to",
    "can", "scheduled to", "will") and no other predicate does ("advised to avoid travelling")."""
    if token.dep_ == "pcomp":
        return []  # "for visiting X, citizens need a permit": a purpose, not a statement
    chain = [token, *[head for _, head in governors(token)]][:4]
    lemmas = {lemma_of(n) for n in chain[1:]} | {
        lemma_of(c) for n in chain for c in n.children if c.dep_ in ("aux", "acomp", "neg", "prep")
    }
    arrived = (
        token.tag_ == "VBD"
        and lemma_of(token) in ARRIVAL_VERBS
        and token.dep_ in ("ROOT", "ccomp")
        and any(
            (t.like_num and _DAY.search(t.text)) or lemma_of(t) in _WEEKDAYS for t in token.subtree
        )
    )  # "tourists entered the zone on 20 February": an arrival on a day
    if lemmas & BLOCKING_WORDS or not (lemmas & ENABLING_WORDS or arrived):
        return []
    for node in chain:
        for subject in children_of(node, "nsubj", "nsubjpass"):
            if lemma_of(subject) in ("who", "that") and node.dep_ == "relcl":
                subject = node.head
            elif lemma_of(subject) in ("who", "that"):
                relcl = next((n for n in chain if n.dep_ == "relcl"), None)
                subject = relcl.head if relcl is not None else subject
            for _ in range(4):
                if lemma_of(subject) in PERSON_NOUNS or _plural_demonym(subject):
                    return [subject]
                if subject.dep_ not in ("pobj", "prep") or subject.head.i == subject.i:
                    break
                subject = subject.head  # "foreigners from 19 countries, who ...": misattached
            return []
    return []
