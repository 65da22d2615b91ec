"""The grammar's shared pieces: message cleaning, the rule machinery, tables and patterns."""

import re
from collections.abc import Callable
from dataclasses import dataclass
from datetime import date
from typing import TypeVar

from taskservice.agent.offline.intents import Intent, PriorityName, StatusName, TaskRef

_I = re.IGNORECASE
_BASE = 0xE000  # quoted passages become single private-use characters while parsing
_PLACEHOLDER = re.compile("[\ue000-\ue0ff]")
_QUOTED = re.compile(r"""(?<!\w)'(.{1,200}?)'(?!\w)|"(.{1,200}?)\"""")
_TYPOGRAPHIC = str.maketrans({"\u2018": "'", "\u2019": "'", "\u201c": '"', "\u201d": '"'})
_LEAD = re.compile(
    r"^(?:please|pls|plz|kindly|(?:can|could|would|will)\s+(?:you|u)|would\s+you\s+mind|hey"
    r"|hi|hello|ok(?:ay)?|now|also|then|and|so|just|go\s+ahead\s+and|let'?s"
    r"|i\s+(?:want|need|would\s+like)\s+(?:you\s+)?to|i'd\s+like\s+(?:you\s+)?to)\b[\s,]*",
    _I,
)
_TRAIL = re.compile(r"(?:[\s,]*\b(?:please|pls|plz|thanks|thank\s+you|thx)|[\s?!.,;:]+)$", _I)

T = TypeVar("T")
STATUSES: tuple[tuple[str, StatusName], ...] = (
    (r"not\s+(?:yet\s+)?(?:done|finished|completed|started)|undone|to[\s-]?do|open", "todo"),
    (r"done|complete|completed|finished|closed|resolved", "done"),
    (r"in[\s_-]progress|started|ongoing|wip", "in_progress"),
    (r"blocked|on\s+hold|stuck|waiting", "blocked"),
)
STATUS_VERBS: tuple[tuple[str, StatusName], ...] = (
    (r"complete|finish|close|resolve|(?:check|tick|cross)\s+off", "done"),
    (r"start|begin|resume|(?:start\s+)?work(?:ing)?\s+on|pick\s+up", "in_progress"),
    (r"block|put\s+on\s+hold", "blocked"),
    (r"reopen|re-open|unblock|uncomplete|uncheck", "todo"),
)
PRIORITIES: tuple[tuple[str, PriorityName], ...] = (
    ("low", "low"),
    ("medium|normal|med", "medium"),
    ("high", "high"),
    ("urgent|critical", "urgent"),
)


def table(entries: tuple[tuple[str, T], ...]) -> str:
    return "|".join(pattern for pattern, _ in entries)


def lookup(entries: tuple[tuple[str, T], ...], word: str) -> T:
    return next(value for pattern, value in entries if re.fullmatch(pattern, word, _I))


NUMBER = r"(?:(?:the\s+)?task\s+(?:(?:number|no\.?|id)\s*)?|(?:number|no\.?|id)\s*)?#?\d+"
_NAMED = rf"{NUMBER}|(?:the\s+)?(?:task\s+)?[\ue000-\ue0ff]"
PRIORITY = rf"(?:{table(PRIORITIES)})"
PARTS = {
    "REF": rf"(?P<ref>{_NAMED}|(?:it|this|that)(?:\s+(?:one|task))?)",
    "NAMED": rf"(?P<ref>{_NAMED})",
    "IS": r"(?:\s+(?:is|was|has\s+been|got|should\s+be)|'s)",
    "STATUS": rf"(?P<status>{table(STATUSES)})",
    "PRIO": rf"(?:priority\s+)?(?:an?\s+)?(?P<prio>{PRIORITY})(?:[\s-]+priority)?",
    "DUE": r"(?:due\s*date|deadline)",
}


@dataclass(frozen=True)
class Message:
    """A cleaned message: ``text`` with each quoted passage replaced by one placeholder."""

    original: str
    text: str
    quotes: tuple[tuple[str, str], ...]  # (inner text, as typed with its quotes)
    today: date

    def restore(self, fragment: str) -> str:
        """``fragment`` with its quotes back; a fragment that is one quote loses the quotes."""
        fragment = fragment.strip()
        if _PLACEHOLDER.fullmatch(fragment):
            return self.quotes[ord(fragment) - _BASE][0]
        return _PLACEHOLDER.sub(lambda m: self.quotes[ord(m[0]) - _BASE][1], fragment)

    def ref(self, fragment: str) -> TaskRef:
        if number := re.search(r"\d+", fragment):
            return TaskRef(id=int(number[0]))
        if quote := _PLACEHOLDER.search(fragment):
            return TaskRef(title=self.restore(quote[0]))
        return TaskRef(pronoun=True)


def clean(text: str, today: date) -> Message:
    quotes: list[tuple[str, str]] = []

    def hide(match: re.Match[str]) -> str:
        inner = (match[1] or match[2]).strip()
        if not inner or len(quotes) > 0xFF:
            return match[0]
        quotes.append((inner, match[0]))
        return chr(_BASE + len(quotes) - 1)

    masked = _QUOTED.sub(hide, text.translate(_TYPOGRAPHIC))
    masked = re.sub(r"\s*[\r\n]+\s*(?:(?:[-*\u2022]|\d+[.)])\s+)?", "; ", masked)
    masked = " ".join(masked.split())
    previous = None
    while previous != masked:
        previous, masked = masked, _TRAIL.sub("", _LEAD.sub("", masked))
    return Message(text, masked, tuple(quotes), today)


Build = Callable[[re.Match[str], Message], Intent | None]
Rule = Callable[[Message], Intent | None]


def rule(pattern: str, build: Build) -> Rule:
    for name, part in PARTS.items():
        pattern = pattern.replace("{" + name + "}", part)
    regex = re.compile(pattern, _I)

    def apply(message: Message) -> Intent | None:
        match = regex.fullmatch(message.text)
        return build(match, message) if match else None

    return apply


def rules(build: Build, *patterns: str) -> list[Rule]:
    return [rule(pattern, build) for pattern in patterns]


def parse_tags(text: str) -> tuple[str, ...] | None:
    """``#a, b and #c`` as ``("a", "b", "c")``; ``None`` if any word is not a valid tag."""
    words = [word for word in re.split(r"\s*(?:,|\band\b|\s)\s*", text, flags=_I) if word]
    tags = [word.removeprefix("#").lower() for word in words]
    if not tags or not all(re.fullmatch(r"\w[\w-]{0,39}", tag) for tag in tags):
        return None
    return tuple(dict.fromkeys(tags))
