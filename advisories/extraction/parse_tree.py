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


def governors(token):
    """The chain of heads above a predicate, up to the root of its sentence."""
    seen = 0
    while token.head.i != token.i and seen < 12:
        yield token.dep_, token.head
        token = token.head
        seen += 1
