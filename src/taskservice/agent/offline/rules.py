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
    r"^(?:please|pls|plz|kindly|(?:can|could|would|will)\s+(?:you|u)|would\s+you\s+mind"
    r"|ok(?:ay)?|now|also|then|and|so|just|go\s+ahead\s+and|let'?s"
    r"|i\s+(?:want|need|would\s+like)\s+(?:you\s+)?to\s+know|i\s+(?:want|need|would\s+like)"
    r"\s+you\s+to|i\s+(?:want|would\s+like)\s+to|i'd\s+like\s+(?:you\s+)?to)\b[\s,]*",
    _I,
)
_GREETING = re.compile(
    r"^(?:hi|hello|hey|hiya|howdy|yo|greetings|good\s+(?:morning|afternoon|evening|day)"
    r"|morning)(?:\s+there)?(?![\w'])[\s,!.]*",
    _I,
)
_OBLIGATION = re.compile(
    r"^(?:i\s+(?:really\s+|still\s+|also\s+)?(?:need|have|got|ought)\s+to|i've\s+got\s+to"
    r"|i\s+gotta|i\s+must|i\s+should|need\s+to|(?:please\s+)?(?:don't|do\s+not)\s+"
    r"(?:let\s+me\s+)?forget\s+to|i\s+mustn't\s+forget\s+to)\s+",
    _I,
)
_TRAIL = re.compile(r"(?:[\s,]*\b(?:please|pls|plz)|[\s?!.,;:]+)$", _I)
_THANKS_WORDS = (
    r"(?:thanks|thank\s+you|thx|cheers|much\s+appreciated)"
    r"(?:\s+(?:a\s+lot|so\s+much|very\s+much|again|a\s+bunch))?"
)
_THANKS = re.compile(rf"(?:^|[\s,.!]+){_THANKS_WORDS}[\s?!.,;:]*$|^{_THANKS_WORDS}[\s,!.]+", _I)
_PRIVATE_USE = re.compile("[\ue000-\uf8ff]")

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
PRONOUN = r"(?:it|its|this|that)(?:\s+(?:one|task))?"
_FREE = r"[^\ue000-\ue0ff]{1,80}?"
PRIORITY = rf"(?:{table(PRIORITIES)})"
PARTS = {
    "REF": rf"(?P<ref>{_NAMED}|{PRONOUN})",
    "NAMED": rf"(?P<ref>{_NAMED})",
    "SREF": rf"(?P<ref>{_NAMED}|{PRONOUN})",  # like REF, but never an unquoted title
    "IS": r"(?:\s+(?:is|was|has\s+been|got|should\s+be)|'s)",
    "STATUS": rf"(?P<status>{table(STATUSES)})",
    "PRIO": rf"(?:priority\s+)?(?:an?\s+)?(?P<prio>{PRIORITY})(?:[\s-]+priority)?",
    "DUE": r"(?:due\s*date|deadline)",
}


_FREE_LEAD = re.compile(r"^(?:(?:the|my|a|an|this|that|our)\s+)+", _I)
_FREE_TAIL = re.compile(r"(?:\s+(?:task|one|item|to-?do|thing))+$", _I)
_NOT_A_TITLE = re.compile(
    r"^(?:what|which|who|whom|whose|why|how|when|where|all|every|everything|each|any"
    r"|anything|some|something|nothing|none|both|them|these|those|they|me|you|i|us|we|it|its"
    r"|there|here|is|are|was|were|do|does|did|can|could|should|will|would|have|has|had|am"
    r"|not|no|status|priority|due|deadline|title|name|description|tags?|labels?|notes?"
    r"|same|next|more|task|today|tonight|tomorrow|yesterday)(?!\w)|\b(?:tasks|todos|to-dos|everything)\b|(?:task\s*|#)\d"
    r"|^\W|[\ue000-\ue0ff]",
    _I,
)


_COMMAND_WORD = re.compile(
    r"(?:add|create|new|make|remind|to-?do|put|insert|log|jot|note|mark|set|change|update"
    r"|show|list|find|search|delete|remove|rename|tag|untag|move|push|tell|give|get|please|can"
    r"|could|would|let|i|i'm|i've|clear|clean|drop|complete|finish|close|start|begin|reopen"
    r"|check|display|view|open|sort|order|count|undo|bump|postpone|reschedule|archive|what"
    r"|which|how|are|is|do|does|any|anything|everything|all)\b",
    _I,
)
"""Words that start a command, not a title: "clear completed" is no task 'clear' to mark."""


def loose_title(fragment: str) -> str | None:
    """An unquoted title as typed ("the milk task" is "milk"), or ``None`` when the words
    cannot be a task's title ("what", "all tasks", "the status of task 3")."""
    title = _FREE_TAIL.sub("", _FREE_LEAD.sub("", fragment.strip()))
    if not title or len(title.split()) > 8 or _NOT_A_TITLE.search(title):
        return None
    return title


@dataclass(frozen=True)
class Message:
    """A cleaned message: ``text`` with each quoted passage replaced by one placeholder."""

    original: str
    text: str
    quotes: tuple[tuple[str, str], ...]  # (inner text, as typed with its quotes)
    today: date
    greeted: bool = False  # it started with "hi", "hello", ...
    thanked: bool = False  # it ended with "thanks", "thank you", ...
    obligation: bool = False  # it started with "I need to", "I have to", ...
    focused: bool = False  # the conversation is about one task (the session's task_id)

    def restore(self, fragment: str) -> str:
        """``fragment`` with its quotes back; a fragment that is one quote loses the quotes."""
        fragment = fragment.strip()
        if _PLACEHOLDER.fullmatch(fragment):
            return self.quotes[ord(fragment) - _BASE][0]
        return _PLACEHOLDER.sub(lambda m: self.quotes[ord(m[0]) - _BASE][1], fragment)

    def ref(self, fragment: str) -> TaskRef:
        if re.fullmatch(NUMBER, fragment, _I):
            return TaskRef(id=int(re.findall(r"\d+", fragment)[-1]))
        if quote := _PLACEHOLDER.search(fragment):
            return TaskRef(title=self.restore(quote[0]))
        if re.fullmatch(PRONOUN, fragment, _I):
            return TaskRef(pronoun=True)
        return TaskRef(title=loose_title(fragment) or fragment.strip(), loose=True)

    def names_a_task(self, fragment: str) -> bool:
        """Whether ``fragment`` can name a task: an id, a quoted title, a pronoun, or
        words that can be a title."""
        if re.fullmatch(rf"{_NAMED}|{PRONOUN}", fragment, _I):
            return True
        return loose_title(fragment) is not None


def clean(text: str, today: date, *, focused: bool = False) -> Message:
    quotes: list[tuple[str, str]] = []

    def hide(match: re.Match[str]) -> str:
        inner = (match[1] or match[2]).strip()
        if not inner or len(quotes) > 0xFF:
            return match[0]
        quotes.append((inner, match[0]))
        return chr(_BASE + len(quotes) - 1)

    masked = _QUOTED.sub(hide, _PRIVATE_USE.sub(" ", text).translate(_TYPOGRAPHIC))
    masked = re.sub(r"\s*[\r\n]+\s*(?:(?:[-*\u2022]|\d+[.)])\s+)?", "; ", masked)
    masked = " ".join(masked.split())
    flags = {"greeted": False, "thanked": False, "obligation": False}

    def strip(pattern: re.Pattern[str], flag: str | None) -> str:
        stripped = pattern.sub("", masked, count=1)
        if flag is not None and stripped != masked:
            flags[flag] = True
        return stripped

    previous = None
    while previous != masked:
        previous = masked
        masked = strip(_GREETING, "greeted")
        masked = strip(_THANKS, "thanked")
        masked = strip(_TRAIL, None)
        masked = strip(_LEAD, None)
    if (stripped := _OBLIGATION.sub("", masked, count=1)) != masked:
        masked, flags["obligation"] = stripped, True
    return Message(text, masked, tuple(quotes), today, focused=focused, **flags)


Build = Callable[[re.Match[str], Message], Intent | None]


def _expand(pattern: str, free: bool) -> str:
    parts = dict(PARTS)
    if free:
        parts["REF"] = rf"(?P<ref>{_NAMED}|{PRONOUN}|(?:the\s+)?{_FREE})"
    for name, part in parts.items():
        pattern = pattern.replace("{" + name + "}", part)
    return pattern


@dataclass(frozen=True)
class Rule:
    """A pattern the whole cleaned message must match, and what it means.

    A pattern with ``{REF}`` is tried twice by the grammar: first with tasks named only by
    id, quoted title or pronoun; then, once no rule matched that way, with unquoted titles
    too ("mark buy milk as done"), so that a title never shadows a more specific rule."""

    strict: re.Pattern[str]
    free: re.Pattern[str] | None
    build: Build

    def __call__(self, message: Message, *, free: bool = False) -> Intent | None:
        regex = self.free if free else self.strict
        if regex is None or (match := regex.fullmatch(message.text)) is None:
            return None
        if "ref" in regex.groupindex and match["ref"]:
            if not message.names_a_task(match["ref"]):
                return None
            if free and match.start("ref") == 0 and _COMMAND_WORD.match(match["ref"]):
                return None  # "add task X due friday" is no title "add task X"

        return self.build(match, message)


def rule(pattern: str, build: Build) -> Rule:
    free = re.compile(_expand(pattern, free=True), _I) if "{REF}" in pattern else None
    return Rule(re.compile(_expand(pattern, free=False), _I), free, build)


def rules(build: Build, *patterns: str) -> list[Rule]:
    return [rule(pattern, build) for pattern in patterns]


def parse_tags(text: str) -> tuple[str, ...] | None:
    """``#a, b and #c`` as ``("a", "b", "c")``; ``None`` if any word is not a valid tag."""
    words = [word for word in re.split(r"\s*(?:,|\band\b|\s)\s*", text, flags=_I) if word]
    tags = [word.removeprefix("#").lower() for word in words]
    if not tags or not all(re.fullmatch(r"\w[\w-]{0,39}", tag) for tag in tags):
        return None
    return tuple(dict.fromkeys(tags))
