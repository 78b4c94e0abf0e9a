"""Read one status predicate from a dependency parse: what it says, about what, for whom, when.

A *frame* is built around a predicate token found through the lexicon (``lexicon.py``): a verb
("suspend", "reopen"), an adjective ("closed", "off-limits") or a noun ("closure", "ban"). The
parse then answers the questions a careful editor asks of the sentence:

- Is it asserted? Descriptive modifiers ("the newly opened resort"), relative clauses, background
  clauses ("after it closed"), questions, conditionals and speculation ("may reopen", "plans to
  reopen", "considering a ban") are not status reports (``assertion.py``).
- What does it apply to? The predicate's theme (object, or subject when passive or intransitive)
  must be the place itself, or its tourism, borders, visas or visitors. A theme that is something
  else ("opened a rail line", "opened an embassy") is not the place's status (``themes.py``).
- Who is affected? Visitor phrases in the theme or its prepositions give the audience: foreign
  or domestic visitors, or nationalities ("Russian tourists", "citizens of A and B"). Countries
  named as where visitors come from are audiences, never destinations (``visitor_phrases.py``;
  what makes an opening partial is in ``qualifiers.py``).
- When? The date attached to the predicate (``dates.py`` resolves it).

This module puts the answers together into a ``Frame``. It works on spaCy ``Token``s but holds no
model: ``nlp.py`` loads it.
"""

from __future__ import annotations

from dataclasses import dataclass, field

from .assertion import (
    indirect_question,
    is_background,
    is_descriptive,
    is_future,
    is_negated,
    is_speculative,
)
from .lexicon import (
    ADVISORY_LEVELS,
    OTHER_NOUNS,
    OUTBOUND_NOUNS,
    PERSON_NOUNS,
    PREDICATES,
    Predicate,
)
from .parse_tree import children_of, lemma_of
from .qualifiers import daily_cap, partial_theme, qualifies
from .themes import (
    CARRIERS,
    TIME_NOUNS,
    destinations_moved_to,
    happens,
    theme_is_other,
    theme_of,
    transport,
    under_stopping_verb,
)
from .visitor_phrases import audience_phrases, movers_of, obligation_subjects


@dataclass(slots=True)
class Frame:
    """One asserted status predicate, before places and dates are resolved to entries."""

    token: object  # spacy.tokens.Token
    predicate: Predicate
    status: str
    negated: bool
    future: bool
    theme_tokens: list = field(default_factory=list)
    place_tokens: list = field(default_factory=list)  # tokens whose text may name the place
    actor_tokens: list = field(default_factory=list)  # who did it: a country acting on entry
    audience_tokens: list = field(default_factory=list)  # visitor phrases
    restrictive: bool = False
    outbound: bool = False  # a government's advice or ban on its own citizens' travel
    history: bool = False


OBLIGATION = Predicate("must", "restricted", None, kind="obligation", strength=0.7)
DO_NOT_TRAVEL = Predicate("do-not-travel", "closed", None, kind="advice", strength=0.8)


def read_frame(token, named: frozenset[int] = frozenset()) -> Frame | None:
    """The frame a lexicon predicate asserts, or None when the parse says it asserts nothing."""
    predicate = PREDICATES.get((lemma_of(token), token.pos_)) or PREDICATES.get(
        (lemma_of(token), "*")
    )
    if predicate is None:
        return None
    if predicate.needs_object and not any(
        children_of(t, "dobj", "nsubjpass", "prep")
        or any(under_stopping_verb(c) for c in t.children)
        for t in (token, *token.conjuncts)
    ):
        return None
    if under_stopping_verb(token):
        return None  # "stopped accepting tourists": read from "stopped", not "accepting"
    if indirect_question(token):
        return None
    if token.pos_ == "NOUN" and token.dep_ == "dobj" and lemma_of(token.head) in _LIFTING:
        return None  # "lifted the suspension": read from "lifted", an opening
    if token.tag_ == "VBG" and token.dep_ == "pcomp" and lemma_of(token.head) in ("on", "about"):
        return None  # "regulations on welcoming tourists": a topic, not an act
    movers: list = []
    if predicate.kind == "movement" and _imperative_warning(token):
        # "Do not travel to Haiti": an advisory's own words, advice to its readers.
        predicate = DO_NOT_TRAVEL
    elif predicate.kind == "movement" and _obliged(token):
        # "visitors must travel with a licensed guide": a condition on entry.
        predicate = OBLIGATION
    if predicate.kind == "obligation":
        movers = obligation_subjects(token)
        if movers is None:
            return None
    elif predicate.kind == "movement":
        movers = movers_of(token)
        if not movers:
            return None
    elif is_descriptive(token) and predicate.lemma not in ("advisory", "advice"):
        # An advisory's level is in its name ("a Do Not Travel advisory"), so it is read
        # wherever the parser hangs it.
        return None
    if is_speculative(token):
        return None
    history = is_background(token)
    if predicate.kind == "movement" or predicate is DO_NOT_TRAVEL:
        theme = destinations_moved_to(token)
        if not theme:
            return None  # "do not travel between cities after dark": no place named
    elif predicate.kind == "obligation":
        if any(lemma_of(t) in OUTBOUND_NOUNS for t in token.subtree):
            return None  # conditions on a country's own passports are bans, read elsewhere
        theme = movers + destinations_moved_to(token)
    else:
        theme = theme_of(token)
    if predicate.lemma == "off-limits" and lemma_of(token) == "limit":
        if lemma_of(token.head) != "off":
            return None  # "limits" alone: a cap, read elsewhere
        # "Mount Kumgang remains off limits to everyone": the subject is the place.
        theme = children_of(token.head.head, "nsubj", "nsubjpass")
    theme = [t for t in theme if lemma_of(t) not in TIME_NOUNS]
    if transport(theme) or any(lemma_of(c) in CARRIERS for c in children_of(token, "nsubj")):
        return None  # "opened a sleeper service to Lao Cai", "the airline halted the route"
    if (
        not theme
        and predicate.kind != "advice"
        and any(lemma_of(c) in OTHER_NOUNS for c in children_of(token, "nsubj"))
    ):
        return None  # "direct trains to the capital resumed": the trains, not the capital
    if predicate.needs_object and not theme and predicate.kind == "plain":
        return None  # "refusing to take back citizens": nothing of a place is refused
    if token.pos_ == "NOUN" and not theme and not happens(token):
        # "the suspension", "the closure" with nothing attached refer back to an event already
        # reported; they are not news of their own.
        return None
    received = predicate.kind == "receipt" or any(
        under_stopping_verb(c) and lemma_of(c) in ("accept", "take", "receive")
        for c in token.children
    )
    if predicate.kind != "advice" and theme_is_other(theme, named, received=received):
        return None
    if predicate.object_lemmas:
        lemmas = {lemma_of(t) for t in theme}
        if not lemmas & predicate.object_lemmas:
            return None
    negated = is_negated(token) and predicate is not DO_NOT_TRAVEL  # its "not" is its meaning
    if negated and any(lemma_of(c) in ("fully", "completely") for c in token.children):
        return None  # "will not fully reopen": partly open, which another sentence says
    status = predicate.negated_status if negated else predicate.status
    if (
        predicate.kind == "plain"
        and status in ("closed", "suspended")
        and any(
            lemma_of(c) in PERSON_NOUNS
            and lemma_of(c) not in ("public", "people")
            and c.pos_ == "NOUN"
            for c in children_of(token, "nsubj")
        )
    ):
        return None  # "backpackers have been cancelling trips": visitors' choice, no status
    if predicate.lemma == "advise" and not _advises_travel(token):
        return None  # "we have been advised that tours are paused": told, not travel advice
    if predicate.lemma in ("advisory", "advice"):
        text = token.sent.text
        status = next((level for cue, level in ADVISORY_LEVELS if cue.search(text)), None)
    if status in ("closed", "suspended") and any(
        c.dep_ == "aux" and lemma_of(c) in ("can", "could") for c in token.children
    ):
        return None  # a power ("can revoke a passport"), not an act
    if status in ("closed", "suspended") and not negated and partial_theme(theme):
        # "ban solo trekking", "closed to independent travellers": a subset is shut out.
        status = "restricted"
    if status is None:
        return None
    frame = Frame(
        token=token,
        predicate=predicate,
        status=status,
        negated=negated,
        future=is_future(token),
        theme_tokens=theme,
        history=history,
    )
    frame.audience_tokens = list(dict.fromkeys([*movers, *audience_phrases(token, theme)]))
    conjoined = {
        t.i
        for c in token.children
        if c.dep_ in ("conj", "dep", "parataxis") and c.pos_ in ("VERB", "AUX")
        for t in c.subtree
    }
    local = [t for t in token.subtree if t.i not in conjoined]
    local += [t for a in frame.audience_tokens for t in a.subtree]
    if token.dep_ in ("acomp", "attr"):
        # "X is open to foreigners only on escorted tours": the clause qualifies the adjective.
        local += [
            t
            for c in token.head.children
            if c.dep_ not in ("nsubj", "nsubjpass") and c.i != token.i
            for t in c.subtree
        ]
    frame.restrictive = qualifies(local) or daily_cap(local)
    if predicate.kind == "obligation" and negated:
        frame.restrictive = False  # "no longer have to book": the condition is what ends
    frame.outbound = predicate.kind == "advice" or any(lemma_of(t) in OUTBOUND_NOUNS for t in theme)
    frame.actor_tokens = _actor(token)
    return frame


_LIFTING = frozenset({"lift", "end", "scrap", "drop", "remove", "waive", "rescind", "revoke"})


def _advises_travel(token) -> bool:
    """ "advises against all travel", "advised its citizens to avoid travel / to leave":
    advice about going somewhere, as opposed to "we were advised that ..."."""
    for child in token.children:
        if child.dep_ == "prep" and lemma_of(child) == "against":
            return True
        if child.dep_ in ("xcomp", "dobj") and any(
            lemma_of(t) in ("travel", "avoid", "leave", "visit", "go", "reconsider", "trip")
            for t in child.subtree
        ):
            return True
    return False


def _imperative_warning(token) -> bool:
    """ "Do not travel to X" opening a sentence: no subject, "do" and "not" before the verb."""
    if lemma_of(token) != "travel" or children_of(token, "nsubj", "nsubjpass"):
        return False
    return any(c.dep_ == "neg" for c in token.children) and any(
        c.dep_ == "aux" and lemma_of(c) == "do" for c in token.children
    )


def _obliged(token) -> bool:
    return any(c.dep_ == "aux" and lemma_of(c) == "must" for c in token.children) or any(
        lemma_of(c) == "have" and c.dep_ in ("aux", "ROOT") for c in (token.head,)
    )


def _actor(token) -> list:
    """Who acts: the subject of the predicate, or of the verb it depends on ("India has
    decided to suspend …", "Chad said it will suspend …")."""
    node = token
    for _ in range(4):
        subjects = children_of(node, "nsubj")
        if subjects:
            return [t for s in subjects for t in s.subtree]
        if node.dep_ in ("xcomp", "ccomp", "conj", "advcl", "pcomp", "pobj", "prep", "dobj"):
            node = node.head
            continue
        break
    return []
