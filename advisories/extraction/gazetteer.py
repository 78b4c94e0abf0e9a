"""Fast recognition of destination names in notice text.

All names and aliases go into one Aho-Corasick automaton keyed by their folded form, so a notice is
scanned once whatever the number of destinations. Matches are kept only on word boundaries, and
overlapping matches resolve to the longest ("Wonsan-Kalma Coastal Tourist Zone" beats
"Wonsan-Kalma").
"""

from __future__ import annotations

import re
from collections.abc import Iterable

import ahocorasick

from .folding import fold_name, fold_with_offsets
from .types import GazetteerEntry, Mention

#: How specific a kind is: the most specific place named in a clause is what the clause is about.
SPECIFICITY = {"site": 3, "resort": 3, "zone": 3, "city": 3, "region": 2, "country": 1}

# "the resort", "the zone", ... refer back to the last destination of a fitting kind.
ANAPHOR_KINDS: dict[str, tuple[str, ...]] = {
    "resort": ("resort", "zone"),
    "zone": ("zone", "resort"),
    "complex": ("resort", "zone", "site"),
    "city": ("city",),
    "town": ("city",),
    "capital": ("city",),
    "country": ("country",),
    "kingdom": ("country",),
    "area": ("zone", "resort", "site", "region", "city"),
    "site": ("site", "resort", "zone"),
    "park": ("site", "zone"),
    "island": ("zone", "site", "region"),
    "islands": ("zone", "site", "region"),
    "archipelago": ("zone", "region"),
    "region": ("region", "zone"),
    "province": ("region",),
    "spa": ("site", "resort"),
    "bay": ("site",),
    "crater": ("site",),
    "sanctuary": ("site",),
}
ANAPHOR_PATTERN = re.compile(r"\b(?:the|this|that)\s+(" + "|".join(ANAPHOR_KINDS) + r")\b", re.I)


def _is_abbreviation(name: str) -> bool:
    """Short all-capital aliases ("UK", "DPRK", "U.S.") match only in capitals, never "us"."""
    letters = [ch for ch in name if ch.isalpha()]
    return 0 < len(letters) <= 5 and all(ch.isupper() for ch in letters)


class Gazetteer:
    """An immutable matcher over a set of destinations.

    Build it once (it costs a few milliseconds per thousand names) and reuse it for every notice.
    """

    def __init__(self, entries: Iterable[GazetteerEntry]):
        self.entries: tuple[GazetteerEntry, ...] = tuple(entries)
        self.by_id = {entry.id: entry for entry in self.entries}
        self.by_slug = {entry.slug: entry for entry in self.entries}
        self.by_country_code = {e.country_code: e for e in self.entries if e.kind == "country"}
        keys: dict[str, list[tuple[GazetteerEntry, bool]]] = {}
        for entry in self.entries:
            for name in (entry.name, *entry.aliases):
                key = fold_name(name)
                if not key:
                    continue
                bucket = keys.setdefault(key, [])
                if all(existing.id != entry.id for existing, _ in bucket):
                    bucket.append((entry, _is_abbreviation(name)))
        self._automaton = ahocorasick.Automaton()
        for key, bucket in keys.items():
            # A name shared by several destinations goes to the most specific one first.
            bucket.sort(key=lambda item: -SPECIFICITY.get(item[0].kind, 0))
            self._automaton.add_word(key, (len(key), tuple(bucket)))
        if keys:
            self._automaton.make_automaton()
        self._empty = not keys

    def __len__(self) -> int:
        return len(self.entries)

    def find(self, text: str) -> list[Mention]:
        """Every destination named in ``text``: whole words, longest match wins, in text order."""
        if self._empty:
            return []
        folded, offsets = fold_with_offsets(text)
        candidates: list[tuple[int, int, tuple[tuple[GazetteerEntry, bool], ...]]] = []
        n = len(folded)
        for end_index, (length, bucket) in self._automaton.iter(folded):
            start_index = end_index - length + 1
            if start_index > 0 and folded[start_index - 1].isalnum():
                continue
            if end_index + 1 < n and folded[end_index + 1].isalnum():
                continue
            candidates.append((start_index, end_index + 1, bucket))
        # Leftmost-longest, non-overlapping.
        candidates.sort(key=lambda c: (c[0], -(c[1] - c[0])))
        mentions: list[Mention] = []
        last_end = -1
        for start_index, end_index, bucket in candidates:
            if start_index < last_end:
                continue
            start = offsets[start_index]
            end = offsets[end_index - 1] + 1
            original = text[start:end]
            entry = None
            for candidate, abbreviation in bucket:
                if abbreviation and not all(ch.isupper() for ch in original if ch.isalpha()):
                    continue
                entry = candidate
                break
            if entry is None:
                continue
            mentions.append(Mention(entry=entry, start=start, end=end))
            last_end = end_index
        return mentions

    def find_with_anaphora(self, text: str) -> list[Mention]:
        """Named mentions, plus "the resort"/"the zone"/... resolved to the last fitting place."""
        named = self.find(text)
        anaphors = []
        for match in ANAPHOR_PATTERN.finditer(text):
            if any(m.start < match.end() and match.start() < m.end for m in named):
                continue
            anaphors.append(match)
        if not anaphors:
            return named
        result: list[Mention] = []
        named_iter = iter(named)
        pending = next(named_iter, None)
        for match in anaphors:
            while pending is not None and pending.start < match.start():
                result.append(pending)
                pending = next(named_iter, None)
            kinds = ANAPHOR_KINDS[match.group(1).lower()]
            for earlier in reversed(result):
                if earlier.entry.kind in kinds:
                    result.append(
                        Mention(
                            entry=earlier.entry,
                            start=match.start(),
                            end=match.end(),
                            anaphoric=True,
                        )
                    )
                    break
        while pending is not None:
            result.append(pending)
            pending = next(named_iter, None)
        return result
