"""Text as it arrives, made plain: control characters and runs of space cleaned, HTML reduced
to its readable text with paragraph breaks kept (the sentence splitter relies on them), and the
one check of a language tag that every way in shares.

Nothing returned is markup: HTML goes through nh3 (a maintained sanitiser) first, so scripts,
styles and comments are gone with their content, and the sanitised result is walked with the
standard library's parser.
"""

from __future__ import annotations

import re
import unicodedata
from dataclasses import dataclass
from html.parser import HTMLParser

import nh3

# BCP 47 in the shape sources actually send ("en", "ko-KP", "zh-Hant-TW"); at most 16 chars.
LANGUAGE_TAG = re.compile(r"^[A-Za-z]{2,3}(-[A-Za-z0-9]{1,8})*$")
LANGUAGE_TAG_MAX_CHARS = 16


def is_language_tag(value: str) -> bool:
    """Whether ``value`` is a language tag the project stores (API, feeds and files alike)."""
    return len(value) <= LANGUAGE_TAG_MAX_CHARS and bool(LANGUAGE_TAG.match(value))


# C0/C1 control characters other than tab and newline: PostgreSQL refuses NUL, and none of them
# belongs in prose.
_CONTROL = re.compile(r"[\x00-\x08\x0b\x0c\x0e-\x1f\x7f-\x9f]")
_INLINE_SPACE = re.compile(r"[^\S\n]+")
_MANY_BLANK_LINES = re.compile(r"\n{3,}")


def clean_text(value: str) -> str:
    """Plain text as stored: valid UTF-8, NFC, no control characters, tidy whitespace.

    Paragraph breaks (blank lines) survive because sentences never run across them.
    """
    text = value.encode("utf-8", "replace").decode("utf-8")  # lone surrogates become "?"
    text = unicodedata.normalize("NFC", text.replace("\r\n", "\n").replace("\r", "\n"))
    text = _CONTROL.sub("", text)
    lines = (_INLINE_SPACE.sub(" ", line).strip() for line in text.split("\n"))
    return _MANY_BLANK_LINES.sub("\n\n", "\n".join(lines)).strip()


def clean_line(value: str) -> str:
    """A one-line field (title, id): clean text with every line break folded to a space."""
    return " ".join(clean_text(value).split())


# Tags whose content is never text a reader saw: dropped whole by the sanitiser.
_DROPPED_WITH_CONTENT = {
    "script", "style", "template", "noscript", "iframe", "object", "embed", "svg", "math",
    "canvas", "select", "textarea", "button",
}  # fmt: skip
# Tags that start a new paragraph (or line) in the text.
_BLOCK = {
    "address", "article", "aside", "blockquote", "dd", "details", "div", "dl", "dt",
    "figcaption", "figure", "footer", "form", "h1", "h2", "h3", "h4", "h5", "h6", "header",
    "hr", "li", "main", "nav", "ol", "p", "pre", "section", "summary", "table", "tbody", "td",
    "tfoot", "th", "thead", "tr", "ul", "caption",
}  # fmt: skip
# Page furniture left out when the page has no <main> or <article> to say where the text is.
_FURNITURE = {"nav", "header", "footer", "aside", "form"}
_MAIN = {"main", "article"}
_KEPT_TAGS = _BLOCK | {"br", "title"}


@dataclass(frozen=True, slots=True)
class HtmlText:
    """What a page says: its title (<title>, else its first <h1>) and its main text."""

    title: str
    text: str


class _TextCollector(HTMLParser):
    """Walks sanitised HTML, collecting the title, the whole text and the <main>/<article> text."""

    def __init__(self) -> None:
        super().__init__(convert_charrefs=True)
        self.title: list[str] = []
        self.heading: list[str] = []
        self.all: list[str] = []
        self.main: list[str] = []
        self._open: list[str] = []
        self._main_depth = 0
        self._main_done = False
        self._furniture_depth = 0
        self._seen_h1 = False

    def handle_starttag(self, tag: str, attrs) -> None:
        if tag == "br":
            self._emit("\n")
            return
        if tag == "hr":
            self._emit("\n\n")
            return
        self._open.append(tag)
        if tag in _MAIN and not self._main_done:
            self._main_depth += 1
        if tag in _FURNITURE:
            self._furniture_depth += 1
        if tag in _BLOCK:
            self._emit("\n\n")

    def handle_endtag(self, tag: str) -> None:
        if tag not in self._open:
            return
        while self._open:
            closed = self._open.pop()
            if closed in _MAIN and self._main_depth:
                self._main_depth -= 1
                self._main_done = self._main_depth == 0
            if closed in _FURNITURE:
                self._furniture_depth -= 1
            if closed == "h1":
                self._seen_h1 = True
            if closed == tag:
                break
        if tag in _BLOCK:
            self._emit("\n\n")

    def handle_data(self, data: str) -> None:
        if "title" in self._open:
            self.title.append(data)
            return
        if "h1" in self._open and not self._seen_h1:
            self.heading.append(data)
        self._emit(data)

    def _emit(self, text: str) -> None:
        if self._main_depth:
            self.main.append(text)
        if not self._furniture_depth:
            self.all.append(text)


def html_to_text(html: str) -> HtmlText:
    """Reduce an HTML page or fragment to its title and plain main text.

    The main text is the first <main> or <article> when the page has one, else everything but
    navigation, headers, footers and asides.
    """
    sanitised = nh3.clean(
        html.encode("utf-8", "replace").decode("utf-8"),
        tags=_KEPT_TAGS,
        attributes={},
        clean_content_tags=_DROPPED_WITH_CONTENT - _KEPT_TAGS,
        strip_comments=True,
    )
    collector = _TextCollector()
    collector.feed(sanitised)
    collector.close()
    main = clean_text("".join(collector.main))
    title = clean_line("".join(collector.title)) or clean_line("".join(collector.heading))
    return HtmlText(title=title, text=main or clean_text("".join(collector.all)))
