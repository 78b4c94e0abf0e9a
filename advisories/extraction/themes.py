"""What a predicate applies to (its theme), and whether that theme is a place at all.

"Opened a rail line" and "opened the park" share a verb; only the second is a place's status. The
tests that tell them apart (transport, buildings, spans of time, parts of a named place) live here
so that the frame reader only asks whether a theme counts.
"""

from __future__ import annotations

from .lexicon import (
    CONDITION_NOUNS,
    OTHER_NOUNS,
    OUTBOUND_NOUNS,
    PERSON_NOUNS,
    PLACE_NOUNS,
    PREDICATES,
    TOURISM_NOUNS,
)
from .parse_tree import children_of, lemma_of

_STOPPING = frozenset({"stop", "cease", "halt", "suspend", "pause", "end", "quit"})


def under_stopping_verb(token) -> bool:
    """An opening predicate in the gerund under a stopping verb ("stopped accepting")."""
    return (
        token.tag_ == "VBG"
        and token.dep_ in ("xcomp", "dobj", "pcomp")
        and (lemma_of(token.head) in _STOPPING)
    )


def theme_of(token) -> list:
    """The thing a predicate applies to: its object, or its subject when passive/intransitive."""
    stopped = [c for c in token.children if under_stopping_verb(c)]
    if stopped:
        # "stopped accepting foreign tourists": what was stopped is the gerund's object.
        return children_of(stopped[0], "dobj", "nsubjpass") or [stopped[0]]
    objects = children_of(token, "dobj", "nsubjpass")
    if not objects and token.dep_ in ("acomp", "attr", "oprd"):
        objects = children_of(token.head, "nsubj", "nsubjpass")
    if not objects:
        objects = children_of(token, "nsubj") or [
            # "all visas ... stand revoked": the subject hangs on the passive auxiliary.
            s
            for a in token.children
            if a.dep_ == "auxpass"
            for s in children_of(a, "nsubj")
        ]
        passive = token.tag_ == "VBN" and any(c.dep_ == "auxpass" for c in token.children)
        if (
            objects
            and not passive
            and token.pos_ == "VERB"
            and lemma_of(token) not in ("open", "reopen", "close")
        ):
            # "India suspended …" without an object: the subject is the actor, not the theme.
            objects = []
    if not objects and token.dep_ == "conj" and token.head.pos_ == "VERB":
        # "was evacuated and closed": the second verb shares the first one's passive subject.
        objects = children_of(token.head, "nsubjpass") if token.tag_ == "VBN" else []
    if not objects and token.pos_ == "VERB":
        # "cancel or refuse any visas": conjoined verbs share their object.
        objects = [
            o
            for c in token.conjuncts
            if (lemma_of(c), c.pos_) in PREDICATES
            for o in children_of(c, "dobj")
        ]
    if token.pos_ == "NOUN":
        # "the closure of the park", "a ban on Russian tourists", "reopening to tourists"
        objects = [
            g
            for p in children_of(token, "prep")
            if lemma_of(p) in ("of", "on", "for")
            for g in p.children
        ]
        objects += children_of(token, "poss", "compound")
    conj = [c for o in objects for c in o.conjuncts]
    return objects + conj


_PARTITIVE = frozenset({"rest", "part", "most", "remainder", "section", "half", "portion"})


def theme_is_other(
    theme: list, named: frozenset[int] = frozenset(), *, received: bool = False
) -> bool:
    """A theme that is neither a place, nor tourism, nor people: "a rail line", "a hotel".
    A theme the gazetteer names (``named`` token indices) is a place whatever its words.
    Bookings count as visitors where they are received ("stopped accepting bookings"), not
    where they are cancelled."""
    if not theme:
        return False
    for token in theme:
        if received and lemma_of(token) in ("booking", "reservation"):
            return False
        if lemma_of(token) in OTHER_NOUNS:
            continue  # "the Giant's Causeway visitor centre" is a building, not the site
        if lemma_of(token) in _PARTITIVE and any(
            t.i in named for p in token.children if lemma_of(p) == "of" for t in p.subtree
        ):
            return False  # "the rest of Komodo National Park": part of a named place
        if any(t.i in named for t in token.subtree if t.dep_ in ("compound", "amod", "nmod")) or (
            token.i in named
        ):
            return False
        lemma = lemma_of(token)
        if lemma in OTHER_NOUNS:
            continue
        if token.pos_ == "PROPN" or lemma in PLACE_NOUNS or lemma in TOURISM_NOUNS:
            return False
        if lemma in PERSON_NOUNS or lemma in OUTBOUND_NOUNS or lemma in CONDITION_NOUNS:
            return False
        if token.pos_ == "PRON":
            return False
        if token.tag_ == "NNPS" or (token.pos_ == "NOUN" and token.text[:1].isupper()):
            return False
    return True


def destinations_moved_to(token) -> list:
    """Where visitors may go: the object of "visit"/"enter", or "to"/"into" phrases."""
    found = children_of(token, "dobj")
    for prep in children_of(token, "prep"):
        if lemma_of(prep) in ("to", "into", "in"):
            found += children_of(prep, "pobj")
    return found + [c for o in found for c in o.conjuncts]


CARRIERS = frozenset({"airline", "carrier", "railway"})
_TRANSPORT = frozenset(
    {
        "train",
        "rail",
        "bus",
        "ferry",
        "sleeper",
        "shuttle",
        "coach",
        "boat",
        "fast-boat",
        "flight",
        "cruise",
        "plane",
    }
)


def transport(theme: list) -> bool:
    """Services and routes of trains, buses or boats: transport, not access to a place."""
    return any(
        lemma_of(t) in ("service", "route", "line", "connection")
        and any(lemma_of(c) in _TRANSPORT or c.text.lower() in _TRANSPORT for c in t.subtree)
        for t in theme
    )


TIME_NOUNS = frozenset(
    {
        "year",
        "month",
        "week",
        "day",
        "season",
        "summer",
        "winter",
        "spring",
        "autumn",
        "fall",
        "weekend",
        "time",
    }
)


def happens(token) -> bool:
    """ "The last closure of the year will occur from 19 October": an event noun said to take
    place, with a date of its own (the place is the one the notice is about)."""
    # Counted ("the last closure", "a third closure"): a new event; a bare "the suspension
    # takes effect" points back at one already reported.
    counted = any(
        c.dep_ in ("amod", "det")
        and lemma_of(c)
        in ("last", "first", "second", "third", "next", "annual", "a", "another", "final")
        for c in token.children
    )
    return (
        counted
        and token.dep_ == "nsubj"
        and lemma_of(token.head)
        in ("occur", "take", "happen", "run", "last", "begin", "start", "come")
        and any(t.like_num for t in token.head.subtree)
    )
