# ruff: noqa: E501  (a regex table reads best one row per line)
"""The status pattern table: which phrases assert which status, how strongly, for whom.

Order matters: rows are tried top to bottom and a later row never claims text an earlier row
already matched, so negations ("has not reopened") sit above the plain forms they contain.

``mode``:
  * ``plain``   - the status applies to whoever the sentence names (foreign visitors by default);
  * ``receipt`` - a place received a named group ("hosted a party of Russian holidaymakers"); it
    needs a visitor phrase, and a single nationality means everyone else is restricted;
  * ``current`` - a continuing state ("has not reopened"): dated at publication, never by a date
    that merely says since when.
"""

from __future__ import annotations

import re
from dataclasses import dataclass

WHO = (
    r"(?:tourists?|visitors?|travell?ers?|holiday-?makers?|guests?|groups?|skiers?|climbers?|"
    r"foreigners|outsiders|westerners|citizens|residents|nationals|arrivals?|part(?:y|ies)|"
    r"delegations?|public|everyone|everybody|locals|passengers|hikers|trekkers)"
)
TOUR = r"(?:tours?|tourism|tourist|trips?|visits?|arrivals|entry|travel|programmes?|programs?|excursions?)"
_W = r"(?:[\w'\u2019-]+\s+)"


@dataclass(frozen=True, slots=True)
class StatusPattern:
    name: str
    regex: re.Pattern[str]
    status: str
    category: str
    strength: float
    mode: str = "plain"
    #: Lower-case fragments one of which every match contains: a cheap test that lets the
    #: extractor skip the regex for sentences that cannot match.
    keywords: tuple[str, ...] = ()


def _row(name: str, pattern: str, status: str, category: str, strength: float, mode: str = "plain"):
    return StatusPattern(
        name, re.compile(pattern, re.I), status, category, strength, mode, KEYWORDS[name]
    )


KEYWORDS: dict[str, tuple[str, ...]] = {
    "not-reopened": ("not", "yet to"),
    "no-ban": ("no ",),
    "no-longer-closed": ("no longer",),
    "no-longer-accepting": ("no longer",),
    "not-receiving": ("not",),
    "independent-travel-banned": ("independent",),
    "not-admitted": ("not",),
    "will-not-be-allowed": ("not",),
    "not-open": ("not",),
    "not-closed": ("not",),
    "must-travel": ("must", "have to", "has to", "need", "required"),
    "may-only": ("only",),
    "temporarily-closed": ("temporarily",),
    "suspend-tourism": ("suspend", "halt", "stop", "paus", "froze", "freez", "frozen", "cancel"),
    "tourism-suspended": ("suspend", "halt", "stop", "paus", "frozen", "cancel"),
    "barred": ("barr", "bann"),
    "ban-on": ("ban",),
    "closure-extended": ("closure",),
    "closed": ("clos", "shut", "seal"),
    "off-limits": ("off", "out of bounds"),
    "reopened": ("open",),
    "opened": ("open",),
    "resumed": ("resum", "restart"),
    "welcome-again": ("welcom",),
    "continue-served": ("continu",),
    "may-still": ("still",),
    "allowed": ("allowed", "permitted"),
    "draw": ("draw", "destination", "attraction"),
    "received-group": (
        "host", "receiv", "welcom", "admit", "accept", "let", "took", "entered", "arrived",
        "stay", "holidayed", "skied",
    ),
}  # fmt: skip


PATTERNS: tuple[StatusPattern, ...] = (
    # --- negation: what was expected did not happen, or what was feared is not so ---------------
    _row("not-reopened",
         r"\b(?:has|have|had)\s+(?:still\s+)?not\s+(?:yet\s+)?(?:re-?opened|resumed|restarted)\b"
         r"|\b(?:has|have)\s+yet\s+to\s+(?:re-?open|resume)\b",
         "suspended", "negation", 0.8, "current"),
    _row("no-ban", r"\bno\s+(?:ban|restrictions?)\s+on\s+(?:visiting|visits|travel|tourism|" + WHO + r"|foreign)",
         "open", "negation", 0.8, "current"),
    _row("no-longer-closed", r"\bno\s+longer\s+(?:closed|suspended|off[- ]limits|banned)\b",
         "open", "negation", 0.8),
    _row("no-longer-accepting", r"\bno\s+longer\s+(?:accepting|receiving|admitting|welcoming|open)\b",
         "suspended", "negation", 0.8),
    _row("not-receiving",
         r"\bnot\s+(?:currently\s+|yet\s+)?(?:being\s+)?(?:receiving|accepting|admitting|taking|welcoming)\b",
         "suspended", "suspension", 0.9),
    _row("independent-travel-banned",
         r"\bindependent\s+(?:travel|tourism|travell?ers|tourists|visits)\s+(?:is|are|remains?)\s+(?:still\s+)?"
         r"(?:not\s+(?:permitted|allowed)|banned|forbidden|prohibited)\b",
         "restricted", "restriction", 0.7),
    _row("not-admitted",
         r"\b(?:are|is|were|was)\s+(?:still\s+)?not\s+(?:yet\s+)?(?:being\s+)?(?:admitted|allowed|permitted|welcome)\b",
         "closed", "closure", 0.8),
    _row("will-not-be-allowed", r"\bwill\s+not\s+be\s+(?:allowed|permitted|admitted)\b",
         "suspended", "suspension", 0.8),
    _row("not-open", r"\b(?:is|are)\s+(?:still\s+)?not\s+(?:yet\s+)?open\b", "closed", "closure", 0.8),
    _row("not-closed", r"\b(?:is|are|was|were|has|have)\s+not\s+(?:been\s+)?(?:closed|suspended|shut)\b",
         "open", "negation", 0.7),
    # --- restriction: open, but only on conditions ----------------------------------------------
    _row("must-travel",
         r"\b(?:must|will\s+have\s+to|have\s+to|has\s+to|needs?\s+to|(?:are|is)\s+required\s+to)\s+"
         r"(?:travel|be\s+accompanied|join|hold|book|register|apply|obtain|stay|land|use)\b",
         "restricted", "restriction", 0.7),
    _row("may-only", r"\b(?:may|can)\s+(?:\w+\s+)?only\b", "restricted", "restriction", 0.7),
    # --- suspension: temporarily not receiving ---------------------------------------------------
    _row("temporarily-closed",
         r"\btemporarily\s+(?:\w+\s+){0,2}?(?:closed|shut|suspended|halted|closing|closes|close|suspends?|halts?|stopped)\b",
         "suspended", "suspension", 0.9),
    _row("suspend-tourism",
         r"\b(?:suspend|suspends|suspended|suspending|halt|halts|halted|halting|stop|stops|stopped|"
         r"stopping|pause|paused|pauses|froze|freeze|freezes|frozen|cancel|cancelled|canceled|cancels)\s+"
         + _W + r"{0,3}?(?:" + TOUR + r"|accepting|receiving|admitting|issuing|" + WHO + r")\b",
         "suspended", "suspension", 0.85),
    _row("tourism-suspended",
         r"\b" + TOUR + r"\b(?:\s+[\w'\u2019-]+){0,8}?\s+(?:has|have|had|was|were|is|are)\s+(?:been\s+)?"
         r"(?:suspended|halted|stopped|paused|frozen|cancelled|canceled)\b",
         "suspended", "suspension", 0.85),
    _row("barred", r"\b(?:barred|banned|barring|banning)\s+" + _W + r"{0,2}?" + WHO + r"\b",
         "suspended", "suspension", 0.8),
    _row("ban-on", r"\bban\s+on\s+" + _W + r"{0,2}?(?:" + WHO + "|" + TOUR + r")\b",
         "suspended", "suspension", 0.8),
    # --- closure ---------------------------------------------------------------------------------
    _row("closure-extended",
         r"\bclosure\b(?:\s+[\w'\u2019-]+){0,5}?\s+(?:has\s+been\s+|have\s+been\s+|was\s+|is\s+)?extended\b",
         "closed", "closure", 0.8),
    _row("closed",
         r"\b(?:closed|closes|shut|shuts|shutting|sealed|seals)\b"
         r"|\b(?<=will\s)close\b|\b(?<=to\s)close\b|\bclosing\b(?!\s+ceremony)",
         "closed", "closure", 0.85),
    _row("off-limits", r"\boff[- ]limits\b|\bout\s+of\s+bounds\b", "closed", "closure", 0.8),
    # --- reopening and opening -------------------------------------------------------------------
    _row("reopened", r"\bre-?open(?:s|ed|ing)?\b", "open", "reopening", 0.9),
    _row("opened", r"\bopen(?:s|ed)?\b(?![- ](?:air|hours|question|secret|letter))|\bopening\b(?!\s+(?:hours|ceremony|times))",
         "open", "reopening", 0.8),
    _row("resumed",
         r"\b" + TOUR + r"\b(?:\s+[\w'\u2019-]+){0,5}?\s+(?:have\s+|has\s+|had\s+)?(?:resumed|restarted)\b"
         r"|\b(?:resume|resumes|resumed|resuming|restart|restarted|restarts)\s+" + _W + r"{0,2}?(?:"
         + TOUR + r"|accepting|receiving|admitting|issuing|" + WHO + r")\b",
         "open", "reopening", 0.85),
    _row("welcome-again",
         r"\bwelcom(?:e|es|ed|ing)\s+" + _W + r"{0,3}?" + WHO + r"\s+(?:back|again)\b|\bwelcom(?:e|es|ed|ing)\s+back\b",
         "open", "reopening", 0.85),
    _row("continue-served",
         r"\bcontinues?\s+to\s+(?:be\s+)?(?:served|welcomed|admitted|received|visit|travel|come|arrive)\b",
         "open", "reopening", 0.7),
    _row("may-still", r"\b(?:may|can)\s+still\s+(?:travel|visit|enter|come|go)\b", "open", "reopening", 0.7),
    _row("allowed",
         r"\b(?:allowed|permitted)\s+(?:to\s+(?:enter|visit|travel|join|return|come|stay|go)|in(?:to)?\b|back)",
         "open", "reopening", 0.8),
    _row("draw", r"\b(?:major|popular|big|top|favourite|favorite|main|key)\s+(?:draw|destination|attraction)\s+for\b",
         "open", "restriction", 0.6),
    # --- a place received a group: who they were tells who may come ------------------------------
    _row("received-group",
         r"\b(?:hosted|hosts|host|hosting|received|receives|receive|receiving|welcomed|welcomes|welcome|"
         r"welcoming|admitted|admits|admit|admitting|accepted|accepts|accept|accepting|let\s+in|took\s+in|"
         r"entered|arrived\s+(?:in|at)|stay(?:ed)?\s+(?:at|in)|holidayed\s+(?:at|in)|skied\s+(?:at|in))\b",
         "open", "groups", 0.75, "receipt"),
)  # fmt: skip

# Words that make an assertion a guess, a hope or a forecast rather than a status.
SPECULATION = re.compile(
    r"\b(?:may|might|could)\s+(?:well\s+|soon\s+|also\s+|eventually\s+|yet\s+)?"
    r"(?:be|have|reopen|re-open|open|close|resume|restart|return|lift|ease|soon)\b"
    r"|\bbelieves?\b|\bsuspects?\b|\bspeculat\w*|\bexpects?\b|\bexpected\b|\blikely\b|\bunlikely\b"
    r"|\brumou?r\w*|\banalysts?\b|\bobservers?\b|\bwould\b|\bhopes?\b|\bhoping\b|\bhopeful\b"
    r"|\bcan(?:not|'t|\u2019t)\s+(?:stay|remain)\b|\bpredict\w*|\bforecasts?\b|\bpossibl\w*|\bperhaps\b"
    r"|\bprobably\b|\bif\b|\bwhether\b|\bmight\b",
    re.I,
)
# A trigger inside "after ...", "since ..." (no comma in between) is background, not news.
SUBORDINATE = re.compile(r"\b(?:after|since|before|until|once|when)\b[^,;]*$", re.I)
# Future and scheduled forms.
SCHEDULE = re.compile(
    r"\b(?:will|shall|(?:is|are)\s+(?:scheduled|set|due|going)\s+to|plans?\s+to|planned\s+to)\b"
    r"(?:\s+[\w'\u2019-]+){0,3}\s*$",
    re.I,
)
CONTINUATION = re.compile(r"\b(?:remain|remains|stay|stays|continue|continues)\b", re.I)
CURRENT_STATE = re.compile(r"\b(?:remains?|still|currently|now|continues?\s+to)\b", re.I)
# Conditions that turn "open" into "restricted" for foreign visitors.
RESTRICTIVE = re.compile(
    r"\bescorted\b|\blicensed\s+(?:\w+\s+)?guides?\b|\bguided\s+tours?\s+only\b|\borgani[sz]ed\s+(?:tours?|groups?)\b"
    r"|\bindependent\s+(?:travel|travellers|travelers|tourists|tourism)\b|\bpermits?\b|\bdesignated\b"
    r"|\bmust\s+(?:travel|join|be\s+accompanied)\b",
    re.I,
)
TEMPORARY = re.compile(
    r"\btemporar(?:y|ily)\b"
    r"|\bfor\s+(?:a|an|one|two|three|four|five|six|several|a\s+few|\d+)\s+(?:more\s+)?(?:days?|weeks?|months?|years?)\b"
    r"|\buntil\s+(?!further\s+notice)(?:at\s+least\s+)?\w+|\bfor\s+the\s+(?:season|winter|summer)\b"
    r"|\bfrom\s+\d{1,2}\s*(?:-|\u2013|to)\s*\d{1,2}\s+[A-Z]\w+",
    re.I,
)
