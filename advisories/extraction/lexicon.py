"""The extractor's word lists: status predicates and the nouns that tell their arguments apart.

Domain decisions are data: which lemmas assert which status (and what their negation asserts),
which nouns are places, tourism, visitors or something else, which governing words make a
predicate a plan or a guess. The parse-driven reader (``frames.py``) decides *how* a sentence uses
them; ``PREFILTER`` is the cheap test that keeps sentences without any of them away from the
parser.
"""

from __future__ import annotations

import re
from dataclasses import dataclass


@dataclass(frozen=True, slots=True)
class Predicate:
    lemma: str
    status: str
    #: What the predicate asserts when negated ("not open" -> closed); None: negation says nothing.
    negated_status: str | None
    #: plain, receipt (needs visitors: "hosted Russian groups"), advice (travel advice to own
    #: citizens), lift (ends a ban: "lifted the permit requirement").
    kind: str = "plain"
    needs_object: bool = False
    #: When set, the theme must contain one of these lemmas ("lift" a ban, not a weight).
    object_lemmas: frozenset[str] = frozenset()
    strength: float = 0.85

    @property
    def category(self) -> str:
        return {
            "open": "reopening",
            "restricted": "restriction",
            "suspended": "suspension",
            "closed": "closure",
        }[self.status]


def _p(lemma, status, negated, kind="plain", needs_object=False, objects=(), strength=0.85):
    return Predicate(lemma, status, negated, kind, needs_object, frozenset(objects), strength)


_BANS = ("ban", "restriction", "closure", "suspension", "requirement", "permit", "curb", "embargo")

#: (lemma, coarse part of speech) -> predicate; "*" matches any part of speech.
PREDICATES: dict[tuple[str, str], Predicate] = {
    ("close", "VERB"): _p("close", "closed", "open"),
    ("closed", "ADJ"): _p("closed", "closed", "open"),
    ("shut", "VERB"): _p("shut", "closed", "open"),
    ("seal", "VERB"): _p("seal", "closed", None, needs_object=True),
    ("suspend", "VERB"): _p("suspend", "suspended", "open"),
    ("halt", "VERB"): _p("halt", "suspended", None),
    ("stop", "VERB"): _p("stop", "suspended", None, needs_object=True),
    ("pause", "VERB"): _p("pause", "suspended", None),
    ("freeze", "VERB"): _p("freeze", "suspended", None, needs_object=True),
    ("cancel", "VERB"): _p("cancel", "suspended", None, needs_object=True),
    ("ban", "VERB"): _p("ban", "closed", "open"),
    ("bar", "VERB"): _p("bar", "closed", "open", needs_object=True),
    ("prohibit", "VERB"): _p("prohibit", "closed", "open"),
    ("forbid", "VERB"): _p("forbid", "closed", "open"),
    ("prevent", "VERB"): _p("prevent", "closed", None, needs_object=True),
    ("reject", "VERB"): _p("reject", "closed", None),
    ("refuse", "VERB"): _p("refuse", "closed", None, needs_object=True),
    ("deny", "VERB"): _p("deny", "closed", None, needs_object=True),
    ("revoke", "VERB"): _p("revoke", "closed", None),
    ("restrict", "VERB"): _p("restrict", "restricted", "open", needs_object=True),
    ("open", "VERB"): _p("open", "open", "closed", strength=0.8),
    ("open", "ADJ"): _p("open", "open", "closed", strength=0.8),
    ("reopen", "VERB"): _p("reopen", "open", "suspended", strength=0.9),
    ("resume", "VERB"): _p("resume", "open", "suspended"),
    ("restore", "VERB"): _p("restore", "open", None, needs_object=True),
    ("restart", "VERB"): _p("restart", "open", "suspended"),
    ("welcome", "VERB"): _p("welcome", "open", "suspended", kind="receipt"),
    ("allow", "VERB"): _p("allow", "open", "closed", kind="receipt", strength=0.8),
    ("permit", "VERB"): _p("permit", "open", "closed", kind="receipt", strength=0.8),
    ("admit", "VERB"): _p("admit", "open", "closed", kind="receipt", strength=0.75),
    ("accept", "VERB"): _p("accept", "open", "suspended", kind="receipt", strength=0.75),
    ("receive", "VERB"): _p("receive", "open", "suspended", kind="receipt", strength=0.75),
    ("host", "VERB"): _p("host", "open", None, kind="receipt", strength=0.75),
    ("serve", "VERB"): _p("serve", "open", "closed", kind="receipt", strength=0.7),
    # Visitors as the subject: "foreigners are now able to visit the islands".
    ("visit", "VERB"): _p("visit", "open", "closed", kind="movement", strength=0.75),
    ("travel", "VERB"): _p("travel", "open", "closed", kind="movement", strength=0.75),
    ("enter", "VERB"): _p("enter", "open", "closed", kind="movement", strength=0.75),
    ("arrive", "VERB"): _p("arrive", "open", None, kind="movement", strength=0.7),
    # Conditions on entry: "visitors will need permits", "must travel with a licensed guide",
    # "impose restrictions on Russian tourists" (REQUIREMENT_NOUNS say which conditions count).
    ("need", "VERB"): _p("need", "restricted", "open", kind="obligation", strength=0.75),
    ("require", "VERB"): _p("require", "restricted", "open", kind="obligation", strength=0.75),
    ("impose", "VERB"): _p("impose", "restricted", None, kind="obligation", strength=0.75),
    ("book", "VERB"): _p("book", "restricted", None, kind="obligation", strength=0.7),
    ("make", "VERB"): _p("make", "restricted", "open", kind="obligation", strength=0.7),
    ("obtain", "VERB"): _p("obtain", "restricted", None, kind="obligation", strength=0.7),
    ("mandatory", "ADJ"): _p("mandatory", "restricted", None, kind="obligation", strength=0.7),
    ("accompany", "VERB"): _p("accompany", "restricted", None, kind="obligation", strength=0.7),
    ("escort", "VERB"): _p("escort", "restricted", None, kind="obligation", strength=0.7),
    ("lift", "VERB"): _p("lift", "open", None, kind="lift", objects=_BANS),
    ("scrap", "VERB"): _p("scrap", "open", None, kind="lift", objects=_BANS),
    ("end", "VERB"): _p("end", "open", None, kind="lift", objects=_BANS),
    ("rescind", "VERB"): _p("rescind", "open", None, kind="lift", objects=_BANS),
    ("advise", "VERB"): _p("advise", "closed", None, kind="advice", strength=0.8),
    ("off-limits", "*"): _p("off-limits", "closed", "open"),
    ("limit", "NOUN"): _p("off-limits", "closed", "open"),  # "off limits", written apart
    ("invalid", "ADJ"): _p("invalid", "closed", None),
    # "a Level 4: Do Not Travel advisory for X": its level says what it advises (ADVISORY_LEVELS).
    ("advisory", "NOUN"): _p("advisory", "closed", None, kind="advice", strength=0.8),
    ("advice", "NOUN"): _p("advice", "closed", None, kind="advice", strength=0.8),
    ("closure", "NOUN"): _p("closure", "closed", None, strength=0.75),
    ("suspension", "NOUN"): _p("suspension", "suspended", None, strength=0.75),
    ("ban", "NOUN"): _p("ban", "closed", "open", strength=0.75),
    ("reopening", "NOUN"): _p("reopening", "open", None, strength=0.75),
}

#: A sentence is parsed only when one of these stems occurs in it.
PREFILTER = re.compile(
    r"\b(?:clos|shut|seal|suspen|halt|stop|paus|froze|freez|cancel|bann?|barr?|prohibit|forb[ia]d"
    r"|prevent|reject|refus|den[iy]|revok|restrict|open|reopen|re-open|resum|restart|welcom"
    r"|allow|permit|admit|accept|receiv|host|serve|restor|lift|ended|ends|ending|rescind|scrap"
    r"|advis|off-limits|off limits|invalid|requir|impos|mandatory|accompan|escort)"
    # Verbs that are also common nouns' stems ("travellers", "bookings") match as verbs only.
    r"|\b(?:visit(?:s|ed|ing)?|travel(?:s|led|ed|ling|ing)?|enter(?:s|ed|ing)?|arriv(?:e|es|ed|ing)"
    r"|need(?:s|ed)?|book(?:s|ed)?|obtain(?:s|ed)?|must|ha(?:ve|s|d) to|appl(?:y|ies))\b",
    re.I,
)

PERSON_NOUNS = frozenset(
    {
        "tourist", "visitor", "traveller", "traveler", "holidaymaker", "guest", "foreigner",
        "citizen", "national", "resident", "passenger", "hiker", "trekker", "climber", "people",
        "pilgrim", "delegation", "skier", "holder", "outsider", "westerner", "everyone",
        "everybody", "public", "group", "party", "russian", "american", "chinese", "canadian",
        "pakistani", "qatari", "chadian", "person", "individual", "backpacker", "cruiser",
        "immigrant", "migrant", "student", "worker",
    }
)  # fmt: skip
TOURISM_NOUNS = frozenset(
    {
        "tour", "tourism", "travel", "trip", "visit", "visa", "entry", "border",
        "door", "arrival", "programme", "program", "permit", "ticket", "sale", "trek",
        "trekking", "route", "access", "service", "crossing", "issuance", "application",
        "excursion", "season", "call", "hiking", "climbing", "operation", "checkpoint", "climb",
        "hike", "ascent",
        "frontier", "e-visa", "quarantine", "bubble", "sandbox",
    }
)  # fmt: skip
PLACE_NOUNS = frozenset(
    {
        "park", "resort", "zone", "island", "islands", "area", "region", "city", "country",
        "site", "beach", "bay", "trail", "track", "mountain", "summit", "temple", "shrine",
        "loop", "province", "state", "territory", "destination", "kingdom", "nation",
        "peninsula", "valley", "reserve", "sanctuary", "monument", "ruin", "citadel", "cave",
        "lake", "coast", "archipelago", "republic", "emirate", "gateway", "crater", "canyon",
        "volcano", "glacier", "lagoon", "town", "village", "forest", "gorge", "waterfall",
    }
)  # fmt: skip
#: Things that open and close without saying anything of a destination's access, even when
#: named ("Khartoum International Airport is closed", "the visitor centre has opened").
OTHER_NOUNS = frozenset(
    {
        "airport", "airspace", "seaport", "embassy", "consulate", "school", "hotel",
        "restaurant", "office", "bank", "market", "exchange", "shop", "store", "factory",
        "plant", "mine", "bridge", "railway", "line", "talk", "negotiation", "investigation",
        "trading", "centre", "center", "museum", "court", "parliament", "account", "website",
        "page", "gate", "road", "session", "meeting", "university", "hospital", "mall",
        "train", "bus", "ferry", "rail", "guesthouse", "hostel", "inn", "lodge",
        "casino", "stadium", "terminal", "port", "credential", "lane",
    }
)  # fmt: skip
#: Themes that make a ban or advice about citizens going abroad.
OUTBOUND_NOUNS = frozenset({"passport"})
#: Themes of "lift"/"ease": conditions, not things.
CONDITION_NOUNS = frozenset(_BANS) | {"advice", "advisory", "warning", "level", "rap", "rule"}
MODAL_SPECULATION = frozenset({"may", "might", "could", "would", "should"})
GOVERNING_SPECULATION = frozenset(
    {
        "consider", "plan", "propose", "proposal", "weigh", "mull", "debate", "discuss",
        "call", "urge", "seek", "want", "hope", "expect", "aim", "intend", "threaten",
        "request", "recommend", "suggest", "demand", "push", "study", "prepare", "ready",
        "look", "try", "vow", "pledge", "promise", "idea", "possibility", "prospect", "talk",
        "depend", "rely", "hinge", "explore", "envisage", "contemplate", "float", "eye",
        "mulling", "speculate", "rumour", "rumor", "predict", "forecast", "likely", "unlikely",
        "believe", "suspect", "think", "chance", "question", "whether", "draft", "bill",
        "wish", "need", "ask", "lobby", "petition", "campaign", "uncertain", "unclear",
        "eventually",
    }
)  # fmt: skip
SUBORDINATORS = frozenset({"after", "since", "before", "until", "once", "following", "till"})
RESTRICTIVE_WORDS = frozenset(
    {
        "only", "quarantine", "limit", "cap", "corridor", "sandbox", "escort", "escorted",
        "quota", "limited", "bubble", "exemption", "except", "licensed", "guided", "solo",
        "accompany", "accompanied", "certain", "select", "selected", "some", "partial",
        "partially", "reservation", "category",
    }
)  # fmt: skip
#: Visitors admitted only in organised parties: an opening to them alone is a restriction.
GROUP_WORDS = frozenset({"group", "groups", "delegation"})
FOREIGN_WORDS = frozenset(
    {
        "foreign", "foreigner", "international", "overseas", "non-resident", "outsider",
        "western", "westerner", "inbound", "non-essential", "nonessential",
    }
)  # fmt: skip
DOMESTIC_WORDS = frozenset({"domestic", "local", "resident", "residents", "locals"})
ALL_WORDS = frozenset({"everyone", "everybody", "public", "all"})
#: Modifiers that make a closure partial: only some visitors or activities are shut out.
PARTIAL_WORDS = frozenset(
    {
        "solo",
        "independent",
        "unguided",
        "individual",
        "overnight",
        "night",
        "private",
        "some",
        "certain",
        "partial",
        "camping",
        "climbing",
        "drone",
    }
)
#: Themes that make a predicate about visas, which the destination issues.
VISA_WORDS = frozenset({"visa", "e-visa", "evisa", "visas"})
#: What makes visitors' own movement ("able to visit") an access statement, and what makes it
#: the object of some other predicate ("advised to avoid travelling") instead.
ENABLING_WORDS = frozenset({"able", "allow", "permit", "can", "free", "schedule", "set", "will"})
#: Movement verbs that, in the past tense with visitors as subject, report an actual arrival.
ARRIVAL_VERBS = frozenset({"enter", "visit", "arrive"})
BLOCKING_WORDS = frozenset(
    {
        "avoid",
        "against",
        "ban",
        "prohibit",
        "bar",
        "prevent",
        "advise",
        "warn",
        "refrain",
        "urge",
        "stop",
        "deny",
        "forbid",
        "restrict",
        "need",
        "require",
        "want",
        "wish",
        "plan",
        "apply",
        "return",
    }
)
#: What a travel advisory's level says, when the advisory is the predicate.
ADVISORY_LEVELS = (
    (re.compile(r"\blevel\s*4\b|\bdo not travel\b|\b(?:against|avoid) all travel\b", re.I),
     "closed"),
    (re.compile(r"\blevel\s*3\b|\breconsider travel\b|\bnon-?essential travel\b", re.I),
     "restricted"),
)  # fmt: skip
#: What an obligation must be about to restrict access (not a COVID test or a fee).
REQUIREMENT_NOUNS = frozenset(
    {"permit", "permission", "guide", "escort", "reservation", "booking", "quota", "lottery",
     "rap", "registration", "approval", "restriction", "place", "slot", "pass"}
)  # fmt: skip
ADVICE_VERBS = frozenset({"advise", "avoid", "warn"})
