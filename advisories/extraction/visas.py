"""Visas name two countries: the one that issues them is the destination, the ones whose people
hold them are the audience.

"The Indian Mission in Canada suspended visa services" is India's visas for people in Canada. That
reading would be wrong for any other theme, so it is kept to frames that act on visas.
"""

from __future__ import annotations

from .frames import Frame
from .lexicon import VISA_WORDS
from .nationalities import demonym


class VisaReading:
    """The notice reader's visa parties, mixed into ``extractor._Reader``: it turns a
    nationality into its country through the gazetteer."""

    def _visa_parties(self, frame: Frame, mentions, by_token, actor_mentions):
        """Who issues the visas a frame speaks of (the destination), and the country codes of
        those who hold them: "the Indian Mission in Canada suspended visa services" is India's
        visas for people in Canada; "Chad suspends US visas" is Chad's, for US citizens."""
        by_code = self.gazetteer.by_country_code
        actor_ids = {t.i for t in frame.actor_tokens}
        located = {
            t.i
            for t in frame.actor_tokens
            if t.dep_ == "prep" and t.lemma_.lower() in ("in", "to", "for", "from", "at")
            for t in t.subtree
        }
        issuer = None
        holders: list[str] = []
        for mention in actor_mentions:
            if mention.entry.kind != "country":
                continue
            if by_token[mention] & located:
                holders.append(mention.entry.country_code)
            elif issuer is None:
                issuer = mention.entry
        if issuer is None:
            for token in frame.actor_tokens:
                code = demonym(token.text)
                if code and token.i not in located and code in by_code:
                    issuer = by_code[code]
                    break
        visa_nouns = [
            t for node in frame.theme_tokens for t in node.subtree if t.lemma_.lower() in VISA_WORDS
        ]
        modifiers = [
            c
            for v in visa_nouns
            for c in (v, *v.children)
            if c.dep_ in ("amod", "compound", "poss")
        ]
        for token in modifiers:
            code = demonym(token.text)
            country = by_code.get(code) if code else None
            if country is None:
                for mention in mentions:
                    if token.i in by_token[mention] and mention.entry.kind == "country":
                        country = mention.entry
            if country is None:
                continue
            if issuer is None and not actor_ids:
                issuer = country
            elif country != issuer:
                holders.append(country.country_code)
        for mention in mentions:
            if mention.entry.kind == "country" and not by_token[mention] & actor_ids:
                tokens = [t for t in frame.token.doc if t.i in by_token[mention]]
                if (  # noqa: SIM102 - the issuer test reads better apart
                    tokens
                    and tokens[0].head.dep_ == "prep"
                    and tokens[0].dep_ == "pobj"
                    and (tokens[0].head.lemma_.lower() in ("in", "to", "for", "from"))
                ):
                    if issuer is None or mention.entry != issuer:
                        holders.append(mention.entry.country_code)
        return issuer, list(dict.fromkeys(holders))


def visa_theme(frame: Frame) -> bool:
    """The predicate acts on visas ("suspended visa services", "revoked all visas")."""
    return any(t.lemma_.lower() in VISA_WORDS for node in frame.theme_tokens for t in node.subtree)


def own_conjunct(frame: Frame, region_mentions, by_token) -> set[int]:
    """Token indices of the list member (a theme conjunct) that names these places."""
    doc = frame.token.doc
    for node in frame.theme_tokens:
        members = [node, *node.conjuncts]
        for member in members:
            nested = {t.i for c in member.children if c.dep_ == "conj" for t in c.subtree}
            span = {t.i for t in member.subtree} - nested
            if any(by_token[m] & span for m in region_mentions):
                return span
    return {t.i for t in doc}
