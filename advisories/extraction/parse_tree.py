"""Small questions asked of a spaCy dependency tree: a token's lemma, its children by
relation, the heads above it.

Every part of the frame reader asks them, so they sit below all of those parts, which then never
need to import one another for these basics.
"""

from __future__ import annotations


def lemma_of(token) -> str:
    return token.lemma_.lower()


def children_of(token, *deps: str) -> list:
    return [c for c in token.children if c.dep_ in deps]


def _clause_head(token):
    """The verb that heads the clause a predicate sits in (itself for verbs)."""
    while token.dep_ in ("xcomp", "acomp", "dobj", "pobj", "prep", "attr", "oprd", "conj") and (
        token.head.i != token.i
    ):
        if token.dep_ == "conj" and token.head.pos_ in ("VERB", "AUX"):
            token = token.head
            continue
        if token.dep_ == "conj":
            break
        token = token.head
    return token


def governors(token):
    """The chain of heads above a predicate, up to the root of its sentence."""
    seen = 0
    while token.head.i != token.i and seen < 12:
        yield token.dep_, token.head
        token = token.head
        seen += 1


def _subtree(token) -> list:
    return list(token.subtree)
