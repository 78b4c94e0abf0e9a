"""Whether a predicate is asserted, and how: descriptive, background, speculative, scheduled or
negated.

A status is news only when the sentence asserts it: these tests keep "the newly opened resort",
"after it closed" and "may reopen" from becoming claims. They stand apart from the frame reader
because the claim dating asks one of them too (is this "would" a decision reported in the past?).
"""

from __future__ import annotations

import re

from .lexicon import GOVERNING_SPECULATION, MODAL_SPECULATION, SUBORDINATORS
from .parse_tree import children_of, governors, lemma_of


def is_descriptive(token) -> bool:
    """A predicate used as a modifier of a noun ("the newly opened resort", "a closed zone"),
    or inside a relative clause ("the zone, which began operations"), describes; it does not
    report an event."""
    if token.dep_ in ("amod", "compound", "nmod") and token.pos_ in ("VERB", "ADJ", "NOUN"):
        return token.head.pos_ in ("NOUN", "PROPN")
    node = token
    for dep, head in governors(token):
        if (
            dep == "acl"
            and lemma_of(head) in _DECIDED
            and not (head.dep_ == "dobj" and lemma_of(head.head) in _REACTIONS)
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
            state = token.pos_ == "ADJ" and lemma_of(node) in ("remain", "stay", "be")
            # "the scheme, which will reopen the island on 1 July": what a plan does.
            content = dep == "relcl" and lemma_of(head) in _DECIDED | _SCHEMES
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
    for dep, head in governors(token):
        if dep == "advcl" or (dep == "pcomp" and lemma_of(head) in SUBORDINATORS):
            marks = [lemma_of(c) for c in node.children if c.dep_ == "mark"]
            if any(m in SUBORDINATORS for m in marks) or lemma_of(head) in SUBORDINATORS:
                return True
        if dep == "pobj" and lemma_of(head) in SUBORDINATORS:
            return True
        node = head
    marks = [lemma_of(c) for c in token.children if c.dep_ == "mark"]
    return any(m in SUBORDINATORS for m in marks)


def is_speculative(token) -> bool:
    """Modal guesses, conditions and plans: "may reopen", "if … reopens", "plans to reopen",
    "is considering a ban", "called for a ban"."""
    chain = [token, *[head for _, head in governors(token)]]
    for node in chain[:4]:
        for child in node.children:
            if (
                child.dep_ == "aux"
                and lemma_of(child) in MODAL_SPECULATION
                and not _permission(child, node)
                and not reported_decision(child, node)
            ):
                return True
            if (
                lemma_of(child) == "due"
                and child.dep_ in ("acomp", "advmod")
                and node.tag_ in ("VBD",)
            ):
                return True  # "the park was due to open on Monday": a schedule that did not hold
            if (
                child.dep_ == "aux"
                and lemma_of(child) in ("can", "could")
                and lemma_of(node) in ("stay", "remain", "last", "keep")
            ):
                return True  # "cannot stay closed for long": a forecast
            if child.dep_ == "mark" and lemma_of(child) in ("if", "whether", "unless"):
                return True
            if child.dep_ in ("acomp", "advmod") and lemma_of(child) in GOVERNING_SPECULATION:
                return True
    if any(
        lemma_of(n) == "order" and n.dep_ == "pobj" and lemma_of(n.head) == "in"
        for n in [token, *[h for _, h in governors(token)]][:4]
    ):
        return True  # "in order for tourism to reopen": a purpose, not a fact
    node = token
    for dep, head in governors(token):
        if lemma_of(node) in _TELLING and node is not token:
            break  # "wishes to inform the public that X will be suspended": a formula, told
        if (
            lemma_of(head) in GOVERNING_SPECULATION
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
        if lemma_of(node) in _APPROVING:
            return True
        if node.head.i == node.i:
            return False
        node = node.head
    return False


def indirect_question(token) -> bool:
    """ "did not say how many people will be allowed": a question, not a statement."""
    return any(t.tag_ == "WRB" and lemma_of(t) in ("how", "whether") for t in token.subtree)


def reported_decision(modal, node) -> bool:
    """ "announced that it would shut its borders": "would" is the future of a decision
    reported in the past, not a guess."""
    if lemma_of(modal) != "would":
        return False
    head = node
    while head.dep_ in ("conj", "xcomp") and head.head.i != head.i:
        head = head.head
    return (
        head.dep_ == "ccomp"
        and lemma_of(head.head)
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
    if lemma_of(modal) == "would" and lemma_of(node) == "continue":
        return True
    return lemma_of(modal) == "may" and any(
        c.dep_ == "advmod" and lemma_of(c) in ("still", "now", "again", "only", "already")
        for c in node.children
    )


def is_future(token) -> bool:
    """Scheduled forms: "will reopen", "is set to reopen", "from 1 July visitors may enter"."""
    chain = [token, *[head for _, head in governors(token)]][:4]
    for node in chain:
        for child in node.children:
            if child.dep_ == "aux" and lemma_of(child) in ("will", "shall"):
                return True
        if node.dep_ == "conj" and children_of(node, "nsubj", "nsubjpass"):
            break  # "... will be allowed to return, but the town remains closed": its own tense
        if lemma_of(node) in ("set", "schedule", "due", "go") and any(
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
    if token.pos_ == "NOUN" and any(
        c.dep_ == "det" and lemma_of(c) == "no" for c in token.children
    ):
        return True  # "there is no ban on visiting"
    head = token.head
    if token.dep_ in ("acomp", "xcomp", "attr") and any(c.dep_ == "neg" for c in head.children):
        return True
    # "no longer accepting", "never reopened", "will no longer have to book"
    owners = [token, head] if token.dep_ == "xcomp" else [token]
    for child in (c for owner in owners for c in owner.children):
        if child.dep_ == "advmod" and lemma_of(child) in ("never",):
            return True
        if (
            child.dep_ == "advmod"
            and child.text.lower() == "longer"
            and any(lemma_of(g) == "no" for g in child.children)
        ):
            return True
    return False
