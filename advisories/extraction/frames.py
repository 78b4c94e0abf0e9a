"""Read one status predicate from a dependency parse: what it says, about what, for whom, when.

A *frame* is built around a predicate token found through the lexicon (``lexicon.py``): a verb
("suspend", "reopen"), an adjective ("closed", "off-limits") or a noun ("closure", "ban"). The
parse then answers the questions a careful editor asks of the sentence:

- Is it asserted? Descriptive modifiers ("the newly opened resort"), relative clauses, background
  clauses ("after it closed"), questions, conditionals and speculation ("may reopen", "plans to
  reopen", "considering a ban") are not status reports.
- What does it apply to? The predicate's theme (object, or subject when passive or intransitive)
  must be the place itself, or its tourism, borders, visas or visitors. A theme that is something
  else ("opened a rail line", "opened an embassy") is not the place's status.
- Who is affected? Visitor phrases in the theme or its prepositions give the audience: foreign
  or domestic visitors, or nationalities ("Russian tourists", "citizens of A and B"). Countries
  named as where visitors come from are audiences, never destinations.
- When? The date attached to the predicate (``dates.py`` resolves it).

This module works on spaCy ``Token``s but holds no model: ``nlp.py`` loads it.
"""

from __future__ import annotations

import re
from dataclasses import dataclass, field

from .lexicon import (
    ADVISORY_LEVELS,
    ARRIVAL_VERBS,
    BLOCKING_WORDS,
    CONDITION_NOUNS,
    ENABLING_WORDS,
    GOVERNING_SPECULATION,
    GROUP_WORDS,
    MODAL_SPECULATION,
    OTHER_NOUNS,
    OUTBOUND_NOUNS,
    PARTIAL_WORDS,
    PERSON_NOUNS,
    PLACE_NOUNS,
    PREDICATES,
    REQUIREMENT_NOUNS,
    RESTRICTIVE_WORDS,
    SUBORDINATORS,
    TOURISM_NOUNS,
    Predicate,
)
from .nationalities import DEMONYMS


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


def _lemma(token) -> str:
    return token.lemma_.lower()


def _children(token, *deps: str) -> list:
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


def _governors(token):
    """The chain of heads above a predicate, up to the root of its sentence."""
    seen = 0
    while token.head.i != token.i and seen < 12:
        yield token.dep_, token.head
        token = token.head
        seen += 1


def is_descriptive(token) -> bool:
    """A predicate used as a modifier of a noun ("the newly opened resort", "a closed zone"),
    or inside a relative clause ("the zone, which began operations"), describes; it does not
    report an event."""
    if token.dep_ in ("amod", "compound", "nmod") and token.pos_ in ("VERB", "ADJ", "NOUN"):
        return token.head.pos_ in ("NOUN", "PROPN")
    node = token
    for dep, head in _governors(token):
        if (
            dep == "acl"
            and _lemma(head) in _DECIDED
            and not (head.dep_ == "dobj" and _lemma(head.head) in _REACTIONS)
        ):
            return False  # "the decision to ban Chadians": the content of a decision
        if (
            dep == "acl"
            and head.dep_ == "ROOT"
            and head.pos_ in ("NOUN", "PROPN")
            and (node.tag_ == "VBD" and node.i > head.i + 1 and node.nbor(-1).text == ",")
        ):
            return False  # the parser left the sentence without a verb: this is its verb
        if dep in ("relcl", "acl"):
            # "the track, which remains closed": a state said of the place still asserts it.
            state = token.pos_ == "ADJ" and _lemma(node) in ("remain", "stay", "be")
            # "the scheme, which will reopen the island on 1 July": what a plan does.
            content = dep == "relcl" and _lemma(head) in _DECIDED | _SCHEMES
            # "categories in which India decided to resume visas from 26 October": dated news.
            dated = dep == "relcl" and _DATED.search(" ".join(t.text for t in node.subtree))
            return not (dep == "relcl" and (state or content or dated))
        if dep in ("ccomp", "advcl", "ROOT", "parataxis"):
            break
        node = head
    return False


_DECIDED = frozenset({"decision", "order", "move", "proclamation", "directive", "decree"})
_SCHEMES = frozenset(
    {
        "scheme",
        "programme",
        "program",
        "policy",
        "measure",
        "rule",
        "regulation",
        "restriction",
        "ban",
        "order",
    }
)
_DATED = re.compile(
    r"\b\d{1,2}(?:st|nd|rd|th)?\s+(?:Jan|Feb|Mar|Apr|May|Jun|Jul|Aug|Sep|Oct|Nov|Dec)"
    r"|\b(?:Jan|Feb|Mar|Apr|May|Jun|Jul|Aug|Sep|Oct|Nov|Dec)[a-z]*\.?\s+\d{1,2}\b"
)
#: "Canada welcomed India's decision to resume ...": a reaction retells, it does not report.
_REACTIONS = frozenset(
    {
        "welcome",
        "criticize",
        "criticise",
        "condemn",
        "oppose",
        "review",
        "reverse",
        "praise",
        "protest",
        "slam",
        "hail",
    }
)


def is_background(token) -> bool:
    """A predicate inside "after …", "since …", "before …", "until …" or "once …" is background
    to the sentence's news, not the news itself."""
    node = token
    for dep, head in _governors(token):
        if dep == "advcl" or (dep == "pcomp" and _lemma(head) in SUBORDINATORS):
            marks = [_lemma(c) for c in node.children if c.dep_ == "mark"]
            if any(m in SUBORDINATORS for m in marks) or _lemma(head) in SUBORDINATORS:
                return True
        if dep == "pobj" and _lemma(head) in SUBORDINATORS:
            return True
        node = head
    marks = [_lemma(c) for c in token.children if c.dep_ == "mark"]
    return any(m in SUBORDINATORS for m in marks)


def is_speculative(token) -> bool:
    """Modal guesses, conditions and plans: "may reopen", "if … reopens", "plans to reopen",
    "is considering a ban", "called for a ban"."""
    chain = [token, *[head for _, head in _governors(token)]]
    for node in chain[:4]:
        for child in node.children:
            if (
                child.dep_ == "aux"
                and _lemma(child) in MODAL_SPECULATION
                and not _permission(child, node)
                and not reported_decision(child, node)
            ):
                return True
            if (
                _lemma(child) == "due"
                and child.dep_ in ("acomp", "advmod")
                and node.tag_ in ("VBD",)
            ):
                return True  # "the park was due to open on Monday": a schedule that did not hold
            if (
                child.dep_ == "aux"
                and _lemma(child) in ("can", "could")
                and _lemma(node) in ("stay", "remain", "last", "keep")
            ):
                return True  # "cannot stay closed for long": a forecast
            if child.dep_ == "mark" and _lemma(child) in ("if", "whether", "unless"):
                return True
            if child.dep_ in ("acomp", "advmod") and _lemma(child) in GOVERNING_SPECULATION:
                return True
    if any(
        _lemma(n) == "order" and n.dep_ == "pobj" and _lemma(n.head) == "in"
        for n in [token, *[h for _, h in _governors(token)]][:4]
    ):
        return True  # "in order for tourism to reopen": a purpose, not a fact
    node = token
    for dep, head in _governors(token):
        if _lemma(node) in _TELLING and node is not token:
            break  # "wishes to inform the public that X will be suspended": a formula, told
        if (
            _lemma(head) in GOVERNING_SPECULATION
            and dep
            in (
                "xcomp",
                "ccomp",
                "dobj",
                "pobj",
                "prep",
                "pcomp",
                "nsubj",
                "nsubjpass",
                "advcl",
                "acl",
            )
            and not _approved(head)
        ):
            return True
        if dep in ("ROOT",):
            break
        node = head
    del node
    return False


_TELLING = frozenset({"inform", "announce", "notify", "remind", "confirm", "advise", "tell"})
_APPROVING = frozenset({"agree", "approve", "adopt", "endorse", "accept", "ratify", "sign"})


def _approved(node) -> bool:
    """ "To agree with the proposal on reopening", "approved the plan": a proposal decided."""
    for _ in range(3):
        if _lemma(node) in _APPROVING:
            return True
        if node.head.i == node.i:
            return False
        node = node.head
    return False


def _indirect_question(token) -> bool:
    """ "did not say how many people will be allowed": a question, not a statement."""
    return any(t.tag_ == "WRB" and _lemma(t) in ("how", "whether") for t in token.subtree)


def reported_decision(modal, node) -> bool:
    """ "announced that it would shut its borders": "would" is the future of a decision
    reported in the past, not a guess."""
    if _lemma(modal) != "would":
        return False
    head = node
    while head.dep_ in ("conj", "xcomp") and head.head.i != head.i:
        head = head.head
    return (
        head.dep_ == "ccomp"
        and _lemma(head.head)
        in (
            "announce",
            "say",
            "decide",
            "declare",
            "confirm",
            "state",
            "order",
            "rule",
        )
        and head.head.tag_ in ("VBD", "VBN")
    )


def _permission(modal, node) -> bool:
    """ "residents may still travel", "visitors may now enter": "may" grants, it does not guess;
    "would continue to require": a condition that stays."""
    if _lemma(modal) == "would" and _lemma(node) == "continue":
        return True
    return _lemma(modal) == "may" and any(
        c.dep_ == "advmod" and _lemma(c) in ("still", "now", "again", "only", "already")
        for c in node.children
    )


def is_future(token) -> bool:
    """Scheduled forms: "will reopen", "is set to reopen", "from 1 July visitors may enter"."""
    chain = [token, *[head for _, head in _governors(token)]][:4]
    for node in chain:
        for child in node.children:
            if child.dep_ == "aux" and _lemma(child) in ("will", "shall"):
                return True
        if node.dep_ == "conj" and _children(node, "nsubj", "nsubjpass"):
            break  # "... will be allowed to return, but the town remains closed": its own tense
        if _lemma(node) in ("set", "schedule", "due", "go") and any(
            c.dep_ == "xcomp" for c in node.children
        ):
            return True
    # Headline style: "Nepal to ban solo trekking", "Japan to fully reopen on 11 October".
    return (
        token.dep_ == "ROOT"
        and any(c.dep_ == "aux" and c.text.lower() == "to" for c in token.children)
        and any(c.dep_ == "nsubj" for c in token.children)
    )


def is_negated(token) -> bool:
    if any(c.dep_ == "neg" for c in token.children):
        return True
    if token.pos_ == "NOUN" and any(c.dep_ == "det" and _lemma(c) == "no" for c in token.children):
        return True  # "there is no ban on visiting"
    head = token.head
    if token.dep_ in ("acomp", "xcomp", "attr") and any(c.dep_ == "neg" for c in head.children):
        return True
    # "no longer accepting", "never reopened", "will no longer have to book"
    owners = [token, head] if token.dep_ == "xcomp" else [token]
    for child in (c for owner in owners for c in owner.children):
        if child.dep_ == "advmod" and _lemma(child) in ("never",):
            return True
        if (
            child.dep_ == "advmod"
            and child.text.lower() == "longer"
            and any(_lemma(g) == "no" for g in child.children)
        ):
            return True
    return False


def _subtree(token) -> list:
    return list(token.subtree)


def theme_of(token) -> list:
    """The thing a predicate applies to: its object, or its subject when passive/intransitive."""
    stopped = [c for c in token.children if _stopped(c)]
    if stopped:
        # "stopped accepting foreign tourists": what was stopped is the gerund's object.
        return _children(stopped[0], "dobj", "nsubjpass") or [stopped[0]]
    objects = _children(token, "dobj", "nsubjpass")
    if not objects and token.dep_ in ("acomp", "attr", "oprd"):
        objects = _children(token.head, "nsubj", "nsubjpass")
    if not objects:
        objects = _children(token, "nsubj") or [
            # "all visas ... stand revoked": the subject hangs on the passive auxiliary.
            s
            for a in token.children
            if a.dep_ == "auxpass"
            for s in _children(a, "nsubj")
        ]
        passive = token.tag_ == "VBN" and any(c.dep_ == "auxpass" for c in token.children)
        if (
            objects
            and not passive
            and token.pos_ == "VERB"
            and _lemma(token) not in ("open", "reopen", "close")
        ):
            # "India suspended …" without an object: the subject is the actor, not the theme.
            objects = []
    if not objects and token.dep_ == "conj" and token.head.pos_ == "VERB":
        # "was evacuated and closed": the second verb shares the first one's passive subject.
        objects = _children(token.head, "nsubjpass") if token.tag_ == "VBN" else []
    if not objects and token.pos_ == "VERB":
        # "cancel or refuse any visas": conjoined verbs share their object.
        objects = [
            o
            for c in token.conjuncts
            if (_lemma(c), c.pos_) in PREDICATES
            for o in _children(c, "dobj")
        ]
    if token.pos_ == "NOUN":
        # "the closure of the park", "a ban on Russian tourists", "reopening to tourists"
        objects = [
            g
            for p in _children(token, "prep")
            if _lemma(p) in ("of", "on", "for")
            for g in p.children
        ]
        objects += _children(token, "poss", "compound")
    conj = [c for o in objects for c in o.conjuncts]
    return objects + conj


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
        if received and _lemma(token) in ("booking", "reservation"):
            return False
        if _lemma(token) in OTHER_NOUNS:
            continue  # "the Giant's Causeway visitor centre" is a building, not the site
        if _lemma(token) in _PARTITIVE and any(
            t.i in named for p in token.children if _lemma(p) == "of" for t in p.subtree
        ):
            return False  # "the rest of Komodo National Park": part of a named place
        if any(t.i in named for t in token.subtree if t.dep_ in ("compound", "amod", "nmod")) or (
            token.i in named
        ):
            return False
        lemma = _lemma(token)
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


def audience_phrases(token, theme: list) -> list:
    """Visitor phrases attached to the predicate: in its theme, in "to/for/from/on …" phrases,
    or as the subject of a passive ("foreign tourists are not allowed")."""
    found = []
    candidates = list(theme)
    for prep in _children(token, "prep", "dative", "agent"):
        candidates += [
            c for c in prep.children if c.dep_ in ("pobj", "pcomp") and _lemma(c) not in _OCCASIONS
        ]
    candidates += _children(token, "nsubjpass", "dobj")
    if token.dep_ in ("xcomp",):
        candidates += _children(token.head, "dobj", "nsubjpass")
        if any(c.dep_ == "auxpass" for c in token.children):
            candidates += _children(token.head, "nsubj")  # "guests continue to be served"
    if token.dep_ == "acomp":
        candidates += _children(token.head, "nsubj", "nsubjpass")
        # "X is open again to citizens of Canada": the phrase hangs on "is".
        for prep in _children(token.head, "prep"):
            candidates += [c for c in prep.children if c.dep_ in ("pobj", "pcomp")]
    for node in candidates:
        for sub in node.subtree:
            lemma = _lemma(sub)
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


def restrictive_cues(tokens) -> bool:
    """Qualifiers that make an opening partial; "without reservations" lifts one instead."""
    return any(
        _lemma(t) in RESTRICTIVE_WORDS
        and not (t.dep_ == "pobj" and _lemma(t.head) == "without")
        and not any(_lemma(c) in ("no", "without") for c in t.children)
        and not (t.dep_ in ("dobj", "compound", "nmod", "conj") and _lemma(_verb_of(t)) in _ENDING)
        and not (_lemma(t) in ("limit", "cap") and _capacity(t))
        and not (_lemma(t) in ("some", "certain") and not _of_people(t))
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
    return _lemma(head) in PERSON_NOUNS or _lemma(head) in (
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


def read_frame(token, named: frozenset[int] = frozenset()) -> Frame | None:
    """The frame a lexicon predicate asserts, or None when the parse says it asserts nothing."""
    predicate = PREDICATES.get((_lemma(token), token.pos_)) or PREDICATES.get((_lemma(token), "*"))
    if predicate is None:
        return None
    if predicate.needs_object and not any(
        _children(t, "dobj", "nsubjpass", "prep") or any(_stopped(c) for c in t.children)
        for t in (token, *token.conjuncts)
    ):
        return None
    if _stopped(token):
        return None  # "stopped accepting tourists": read from "stopped", not "accepting"
    if _indirect_question(token):
        return None
    if token.pos_ == "NOUN" and token.dep_ == "dobj" and _lemma(token.head) in _LIFTING:
        return None  # "lifted the suspension": read from "lifted", an opening
    if token.tag_ == "VBG" and token.dep_ == "pcomp" and _lemma(token.head) in ("on", "about"):
        return None  # "regulations on welcoming tourists": a topic, not an act
    movers: list = []
    if predicate.kind == "movement" and _imperative_warning(token):
        # "Do not travel to Haiti": an advisory's own words, advice to its readers.
        predicate = DO_NOT_TRAVEL
    elif predicate.kind == "movement" and _obliged(token):
        # "visitors must travel with a licensed guide": a condition on entry.
        predicate = OBLIGATION
    if predicate.kind == "obligation":
        movers = _obligation_subjects(token)
        if movers is None:
            return None
    elif predicate.kind == "movement":
        movers = _movers(token)
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
        theme = _destinations_moved_to(token)
        if not theme:
            return None  # "do not travel between cities after dark": no place named
    elif predicate.kind == "obligation":
        if any(_lemma(t) in OUTBOUND_NOUNS for t in token.subtree):
            return None  # conditions on a country's own passports are bans, read elsewhere
        theme = movers + _destinations_moved_to(token)
    else:
        theme = theme_of(token)
    if predicate.lemma == "off-limits" and _lemma(token) == "limit":
        if _lemma(token.head) != "off":
            return None  # "limits" alone: a cap, read elsewhere
        # "Mount Kumgang remains off limits to everyone": the subject is the place.
        theme = _children(token.head.head, "nsubj", "nsubjpass")
    theme = [t for t in theme if _lemma(t) not in _TIME_NOUNS]
    if _transport(theme) or any(_lemma(c) in _CARRIERS for c in _children(token, "nsubj")):
        return None  # "opened a sleeper service to Lao Cai", "the airline halted the route"
    if (
        not theme
        and predicate.kind != "advice"
        and any(_lemma(c) in OTHER_NOUNS for c in _children(token, "nsubj"))
    ):
        return None  # "direct trains to the capital resumed": the trains, not the capital
    if predicate.needs_object and not theme and predicate.kind == "plain":
        return None  # "refusing to take back citizens": nothing of a place is refused
    if token.pos_ == "NOUN" and not theme and not _happens(token):
        # "the suspension", "the closure" with nothing attached refer back to an event already
        # reported; they are not news of their own.
        return None
    received = predicate.kind == "receipt" or any(
        _stopped(c) and _lemma(c) in ("accept", "take", "receive") for c in token.children
    )
    if predicate.kind != "advice" and theme_is_other(theme, named, received=received):
        return None
    if predicate.object_lemmas:
        lemmas = {_lemma(t) for t in theme}
        if not lemmas & predicate.object_lemmas:
            return None
    negated = is_negated(token) and predicate is not DO_NOT_TRAVEL  # its "not" is its meaning
    if negated and any(_lemma(c) in ("fully", "completely") for c in token.children):
        return None  # "will not fully reopen": partly open, which another sentence says
    status = predicate.negated_status if negated else predicate.status
    if (
        predicate.kind == "plain"
        and status in ("closed", "suspended")
        and any(
            _lemma(c) in PERSON_NOUNS and _lemma(c) not in ("public", "people") and c.pos_ == "NOUN"
            for c in _children(token, "nsubj")
        )
    ):
        return None  # "backpackers have been cancelling trips": visitors' choice, no status
    if predicate.lemma == "advise" and not _advises_travel(token):
        return None  # "we have been advised that tours are paused": told, not travel advice
    if predicate.lemma in ("advisory", "advice"):
        text = token.sent.text
        status = next((level for cue, level in ADVISORY_LEVELS if cue.search(text)), None)
    if status in ("closed", "suspended") and any(
        c.dep_ == "aux" and _lemma(c) in ("can", "could") for c in token.children
    ):
        return None  # a power ("can revoke a passport"), not an act
    if status in ("closed", "suspended") and not negated and _partial(theme):
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
    frame.restrictive = qualifies(local) or _daily_cap(local)
    if predicate.kind == "obligation" and negated:
        frame.restrictive = False  # "no longer have to book": the condition is what ends
    frame.outbound = predicate.kind == "advice" or any(_lemma(t) in OUTBOUND_NOUNS for t in theme)
    frame.actor_tokens = _actor(token)
    return frame


_STOPPING = frozenset({"stop", "cease", "halt", "suspend", "pause", "end", "quit"})


def _daily_cap(tokens) -> bool:
    """ "allows up to 10,000 people a day to enter": entry rationed by a daily quota."""
    text = " ".join(t.text for t in sorted({t.i: t for t in tokens}.values(), key=lambda t: t.i))
    return bool(re.search(r"\bup to [\d,]+\b.*\b(?:a|per) day\b", text, re.I))


def qualifies(tokens) -> bool:
    """Whether these words make an opening partial: a qualifier ("only", "quarantine",
    "sandbox", "licensed guides"), or organised parties only ("tour groups")."""
    return restrictive_cues(tokens) or any(_organised(t) for t in tokens)


def _organised(token) -> bool:
    """Visitors admitted only as organised parties ("tour groups", "organised groups"), not a
    group counted ("a group of tourists")."""
    if _lemma(token) not in GROUP_WORDS:
        return False
    return any(
        c.dep_ in ("compound", "amod")
        and _lemma(c) in ("tour", "organise", "organize", "organised", "escorted", "guided")
        for c in token.children
    )


_CARRIERS = frozenset({"airline", "carrier", "railway"})
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


def _transport(theme: list) -> bool:
    """Services and routes of trains, buses or boats: transport, not access to a place."""
    return any(
        _lemma(t) in ("service", "route", "line", "connection")
        and any(_lemma(c) in _TRANSPORT or c.text.lower() in _TRANSPORT for c in t.subtree)
        for t in theme
    )


_PARTITIVE = frozenset({"rest", "part", "most", "remainder", "section", "half", "portion"})
_LIFTING = frozenset({"lift", "end", "scrap", "drop", "remove", "waive", "rescind", "revoke"})


def _advises_travel(token) -> bool:
    """ "advises against all travel", "advised its citizens to avoid travel / to leave":
    advice about going somewhere, as opposed to "we were advised that ..."."""
    for child in token.children:
        if child.dep_ == "prep" and _lemma(child) == "against":
            return True
        if child.dep_ in ("xcomp", "dobj") and any(
            _lemma(t) in ("travel", "avoid", "leave", "visit", "go", "reconsider", "trip")
            for t in child.subtree
        ):
            return True
    return False


def _stopped(token) -> bool:
    """An opening predicate in the gerund under a stopping verb ("stopped accepting")."""
    return (
        token.tag_ == "VBG"
        and token.dep_ in ("xcomp", "dobj", "pcomp")
        and (_lemma(token.head) in _STOPPING)
    )


_WEEKDAYS = frozenset(
    {"monday", "tuesday", "wednesday", "thursday", "friday", "saturday", "sunday"}
)
_DAY = re.compile(r"^\d{1,2}(?:st|nd|rd|th)?$")


OBLIGATION = Predicate("must", "restricted", None, kind="obligation", strength=0.7)
DO_NOT_TRAVEL = Predicate("do-not-travel", "closed", None, kind="advice", strength=0.8)


def _imperative_warning(token) -> bool:
    """ "Do not travel to X" opening a sentence: no subject, "do" and "not" before the verb."""
    if _lemma(token) != "travel" or _children(token, "nsubj", "nsubjpass"):
        return False
    return any(c.dep_ == "neg" for c in token.children) and any(
        c.dep_ == "aux" and _lemma(c) == "do" for c in token.children
    )


def _obliged(token) -> bool:
    return any(c.dep_ == "aux" and _lemma(c) == "must" for c in token.children) or any(
        _lemma(c) == "have" and c.dep_ in ("aux", "ROOT") for c in (token.head,)
    )


def _obligation_subjects(token) -> list | None:
    """Who must meet a condition on entry, when the condition is one (REQUIREMENT_NOUNS);
    None when the predicate states no such condition."""
    if not any(
        _lemma(t) in REQUIREMENT_NOUNS for t in token.subtree if t.pos_ in ("NOUN", "PROPN")
    ):
        return None
    chain = [token, *[head for _, head in _governors(token)]][:3]
    for node in chain:
        for subject in _children(node, "nsubj", "nsubjpass"):
            if _lemma(subject) in PERSON_NOUNS or _plural_demonym(subject):
                return [subject]
            if _lemma(subject) in ("it", "this"):
                return []  # "it is mandatory for all trekkers": the people are in a phrase
            if _lemma(subject) in REQUIREMENT_NOUNS and subject.dep_ == "nsubjpass":
                return []  # "permits will be required from mid-March": of every visitor
    if _lemma(token) == "impose":
        return []
    return None


def _movers(token) -> list:
    """The visitors whose movement a "visit"/"travel"/"enter" states as possible: the subject
    (or the antecedent of "who"), when an enabling word governs it ("able to", "allowed to",
    "can", "scheduled to", "will") and no other predicate does ("advised to avoid travelling")."""
    if token.dep_ == "pcomp":
        return []  # "for visiting X, citizens need a permit": a purpose, not a statement
    chain = [token, *[head for _, head in _governors(token)]][:4]
    lemmas = {_lemma(n) for n in chain[1:]} | {
        _lemma(c) for n in chain for c in n.children if c.dep_ in ("aux", "acomp", "neg", "prep")
    }
    arrived = (
        token.tag_ == "VBD"
        and _lemma(token) in ARRIVAL_VERBS
        and token.dep_ in ("ROOT", "ccomp")
        and any(
            (t.like_num and _DAY.search(t.text)) or _lemma(t) in _WEEKDAYS for t in token.subtree
        )
    )  # "tourists entered the zone on 20 February": an arrival on a day
    if lemmas & BLOCKING_WORDS or not (lemmas & ENABLING_WORDS or arrived):
        return []
    for node in chain:
        for subject in _children(node, "nsubj", "nsubjpass"):
            if _lemma(subject) in ("who", "that") and node.dep_ == "relcl":
                subject = node.head
            elif _lemma(subject) in ("who", "that"):
                relcl = next((n for n in chain if n.dep_ == "relcl"), None)
                subject = relcl.head if relcl is not None else subject
            for _ in range(4):
                if _lemma(subject) in PERSON_NOUNS or _plural_demonym(subject):
                    return [subject]
                if subject.dep_ not in ("pobj", "prep") or subject.head.i == subject.i:
                    break
                subject = subject.head  # "foreigners from 19 countries, who ...": misattached
            return []
    return []


def _destinations_moved_to(token) -> list:
    """Where visitors may go: the object of "visit"/"enter", or "to"/"into" phrases."""
    found = _children(token, "dobj")
    for prep in _children(token, "prep"):
        if _lemma(prep) in ("to", "into", "in"):
            found += _children(prep, "pobj")
    return found + [c for o in found for c in o.conjuncts]


_TIME_NOUNS = frozenset(
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


def _happens(token) -> bool:
    """ "The last closure of the year will occur from 19 October": an event noun said to take
    place, with a date of its own (the place is the one the notice is about)."""
    # Counted ("the last closure", "a third closure"): a new event; a bare "the suspension
    # takes effect" points back at one already reported.
    counted = any(
        c.dep_ in ("amod", "det")
        and _lemma(c)
        in ("last", "first", "second", "third", "next", "annual", "a", "another", "final")
        for c in token.children
    )
    return (
        counted
        and token.dep_ == "nsubj"
        and _lemma(token.head)
        in ("occur", "take", "happen", "run", "last", "begin", "start", "come")
        and any(t.like_num for t in token.head.subtree)
    )


def _partial(theme: list) -> bool:
    return any(
        _lemma(t) in PARTIAL_WORDS for node in theme for t in node.subtree if t.dep_ != "det"
    )


def _actor(token) -> list:
    """Who acts: the subject of the predicate, or of the verb it depends on ("India has
    decided to suspend …", "Chad said it will suspend …")."""
    node = token
    for _ in range(4):
        subjects = _children(node, "nsubj")
        if subjects:
            return [t for s in subjects for t in s.subtree]
        if node.dep_ in ("xcomp", "ccomp", "conj", "advcl", "pcomp", "pobj", "prep", "dobj"):
            node = node.head
            continue
        break
    return []
