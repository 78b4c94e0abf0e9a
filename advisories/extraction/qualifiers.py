"""What makes a status partial: an opening "only for tour groups", a ban on "solo trekking".

Qualifiers decide between open and restricted, or shut and restricted. Both the frame reader and
the claim reader (a visa policy's own list member) ask them, and they depend on nothing but the
words, so they sit low, apart from both.
"""

from __future__ import annotations

import re

from .lexicon import GROUP_WORDS, PARTIAL_WORDS, PERSON_NOUNS, RESTRICTIVE_WORDS
from .parse_tree import lemma_of


def qualifies(tokens) -> bool:
    """Whether these words make an opening partial: a qualifier ("only", "quarantine",
    "sandbox", "licensed guides"), or organised parties only ("tour groups")."""
    return restrictive_cues(tokens) or any(_organised(t) for t in tokens)


def restrictive_cues(tokens) -> bool:
    """Qualifiers that make an opening partial; "without reservations" lifts one instead."""
    return any(
        lemma_of(t) in RESTRICTIVE_WORDS
        and not (t.dep_ == "pobj" and lemma_of(t.head) == "without")
        and not any(lemma_of(c) in ("no", "without") for c in t.children)
        and not (
            t.dep_ in ("dobj", "compound", "nmod", "conj") and lemma_of(_verb_of(t)) in _ENDING
        )
        and not (lemma_of(t) in ("limit", "cap") and _capacity(t))
        and not (lemma_of(t) in ("some", "certain") and not _of_people(t))
        for t in tokens
    )


#: "dropping its quarantine rules": a condition that ends is no restriction.
_ENDING = frozenset({"drop", "lift", "scrap", "end", "remove", "abolish", "waive", "ease"})


def _verb_of(token):
    node = token
    for _ in range(3):
        if node.pos_ == "VERB" or node.head.i == node.i:
            return node
        node = node.head
    return node


def _of_people(token) -> bool:
    """ "tourists from some countries", "certain nationalities": a subset of visitors, not
    "some 20,000 guests"."""
    head = token.head
    return lemma_of(head) in PERSON_NOUNS or lemma_of(head) in (
        "country",
        "nation",
        "nationality",
        "category",
        "group",
        "visitor",
    )


def _capacity(token) -> bool:
    """ "limited to 375 at a time": a number of people, not a kind of visitor."""
    return any(
        p.dep_ == "prep"
        and any(c.like_num or any(g.like_num for g in c.children) for c in p.children)
        for p in token.children
    )


def _organised(token) -> bool:
    """Visitors admitted only as organised parties ("tour groups", "organised groups"), not a
    group counted ("a group of tourists")."""
    if lemma_of(token) not in GROUP_WORDS:
        return False
    return any(
        c.dep_ in ("compound", "amod")
        and lemma_of(c) in ("tour", "organise", "organize", "organised", "escorted", "guided")
        for c in token.children
    )


def daily_cap(tokens) -> bool:
    """ "allows up to 10,000 people a day to enter": entry rationed by a daily quota."""
    text = " ".join(t.text for t in sorted({t.i: t for t in tokens}.values(), key=lambda t: t.i))
    return bool(re.search(r"\bup to [\d,]+\b.*\b(?:a|per) day\b", text, re.I))


def partial_theme(theme: list) -> bool:
    return any(
        lemma_of(t) in PARTIAL_WORDS for node in theme for t in node.subtree if t.dep_ != "det"
    )
