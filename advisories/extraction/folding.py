"""Fold notice text the same way ``normalise_name`` folds names, remembering where each folded
character came from so a match in folded text maps back to offsets in the original."""

from __future__ import annotations

import re
import unicodedata
from functools import lru_cache

from destinations.normalise import normalise_name

# Must mirror the separator class in destinations.normalise: anything folded to a space there is
# folded to a space here, otherwise an alias and its occurrence in text would not line up.
_SEPARATOR = re.compile(r"[\s\-\u2010-\u2015_/.,'\u2019`]")


@lru_cache(maxsize=4096)
def _fold_char(ch: str) -> str:
    if _SEPARATOR.fullmatch(ch):
        return " "
    decomposed = unicodedata.normalize("NFKD", ch)
    stripped = "".join(c for c in decomposed if not unicodedata.combining(c))
    folded = stripped.casefold()
    # A character whose folded form contains a separator (rare compatibility forms) is a space.
    return " " if folded and _SEPARATOR.search(folded) else folded


_SEPARATOR_RUN = re.compile(r"[\s\-\u2010-\u2015_/.,'\u2019`]+")


def fold_with_offsets(text: str) -> tuple[str, list[int]]:
    """Return the folded text and, for each folded character, its index in ``text``.

    Runs of separators collapse to one space, exactly as ``normalise_name`` collapses them.
    """
    if text.isascii():
        return _fold_ascii(text)
    return _fold_any(text)


def _fold_ascii(text: str) -> tuple[str, list[int]]:
    """The common case, done in C-speed slices instead of a per-character loop."""
    lowered = text.lower()
    pieces: list[str] = []
    offsets: list[int] = []
    position = 0
    for match in _SEPARATOR_RUN.finditer(lowered):
        start, end = match.span()
        if start > position:
            pieces.append(lowered[position:start])
            offsets.extend(range(position, start))
        if start > 0:  # a leading run of separators is dropped, as in the general path
            pieces.append(" ")
            offsets.append(start)
        position = end
    if position < len(lowered):
        pieces.append(lowered[position:])
        offsets.extend(range(position, len(lowered)))
    return "".join(pieces), offsets


def _fold_any(text: str) -> tuple[str, list[int]]:
    out: list[str] = []
    offsets: list[int] = []
    last_space = True
    for index, ch in enumerate(text):
        if ch.isascii() and ch.isalnum():
            out.append(ch.lower())
            offsets.append(index)
            last_space = False
            continue
        folded = _fold_char(ch)
        if folded == " ":
            if not last_space:
                out.append(" ")
                offsets.append(index)
                last_space = True
            continue
        for piece in folded:
            out.append(piece)
            offsets.append(index)
        if folded:
            last_space = False
    return "".join(out), offsets


def fold_name(name: str) -> str:
    """The key a name is stored under in the matcher (the project-wide normal form)."""
    return normalise_name(name)
