"""The offline model's command grammar: one user message to exactly one ``Intent``.

Pure and deterministic: no clock (``today`` is passed in), no I/O. The message is cleaned
first: quoted text ('...', "...", and typographic quotes) is set aside so that words inside
a quoted title never act as commands; whitespace is collapsed; politeness ("please",
"can you", "thanks") and trailing punctuation are dropped. Then the rules are tried in
order (conversation, summary, change, show, count, list, search, create); a rule must match
the whole cleaned message. Anything no rule matches is ``Unknown(text)``, with the message
exactly as received. A date that is essential but does not exist ("move task 7 to
2026-02-30", "add task x due feb 30") makes the message ``Unknown`` too, never a guess.

A task is named by id ("task 3", "#3", "number 3", a bare "3" after a verb), by quoted
title, or by the pronouns "it", "this", "that" (optionally followed by "one"/"task").
Counting: ``CountTasks(status)`` for one status, ``CountTasks(None)`` for all or open tasks
(the per-status count answers both); other filters ("how many overdue tasks") list them.
"""

import re
from collections.abc import Callable
from dataclasses import dataclass, replace
from datetime import date, timedelta
from typing import TypeVar

from taskservice.agent.offline.dates import (
    DATE_PATTERN,
    WEEKDAY_ABBREVIATIONS,
    parse_date,
    week_bounds,
)
from taskservice.agent.offline.intents import (
    AddTags,
    ChooseTask,
    CountTasks,
    CreateTasks,
    DeleteTask,
    Intent,
    ListTasks,
    NewTask,
    PriorityName,
    Rename,
    SetDueDate,
    SetPriority,
    SetStatus,
    ShowTask,
    StatusName,
    Summary,
    TaskRef,
    Unknown,
)

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
_STATUSES: tuple[tuple[str, StatusName], ...] = (
    (r"not\s+(?:yet\s+)?(?:done|finished|completed|started)|undone|to[\s-]?do|open", "todo"),
    (r"done|complete|completed|finished|closed|resolved", "done"),
    (r"in[\s_-]progress|started|ongoing|wip", "in_progress"),
    (r"blocked|on\s+hold|stuck|waiting", "blocked"),
)
_STATUS_VERBS: tuple[tuple[str, StatusName], ...] = (
    (r"complete|finish|close|resolve|(?:check|tick|cross)\s+off", "done"),
    (r"start|begin|resume|(?:start\s+)?work(?:ing)?\s+on|pick\s+up", "in_progress"),
    (r"block|put\s+on\s+hold", "blocked"),
    (r"reopen|re-open|unblock|uncomplete|uncheck", "todo"),
)
_PRIORITIES: tuple[tuple[str, PriorityName], ...] = (
    ("low", "low"),
    ("medium|normal|med", "medium"),
    ("high", "high"),
    ("urgent|critical", "urgent"),
)


def _table(entries: tuple[tuple[str, T], ...]) -> str:
    return "|".join(pattern for pattern, _ in entries)


def _lookup(entries: tuple[tuple[str, T], ...], word: str) -> T:
    return next(value for pattern, value in entries if re.fullmatch(pattern, word, _I))


_NUMBER = r"(?:(?:the\s+)?task\s+(?:(?:number|no\.?|id)\s*)?|(?:number|no\.?|id)\s*)?#?\d+"
_NAMED = rf"{_NUMBER}|(?:the\s+)?(?:task\s+)?[\ue000-\ue0ff]"
_PRIORITY = rf"(?:{_table(_PRIORITIES)})"
_PARTS = {
    "REF": rf"(?P<ref>{_NAMED}|(?:it|this|that)(?:\s+(?:one|task))?)",
    "NAMED": rf"(?P<ref>{_NAMED})",
    "IS": r"(?:\s+(?:is|was|has\s+been|got|should\s+be)|'s)",
    "STATUS": rf"(?P<status>{_table(_STATUSES)})",
    "PRIO": rf"(?:priority\s+)?(?:an?\s+)?(?P<prio>{_PRIORITY})(?:[\s-]+priority)?",
    "DUE": r"(?:due\s*date|deadline)",
}


@dataclass(frozen=True)
class _Message:
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


def _clean(text: str, today: date) -> _Message:
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
    return _Message(text, masked, tuple(quotes), today)


Build = Callable[[re.Match[str], _Message], Intent | None]
Rule = Callable[[_Message], Intent | None]


def _rule(pattern: str, build: Build) -> Rule:
    for name, part in _PARTS.items():
        pattern = pattern.replace("{" + name + "}", part)
    regex = re.compile(pattern, _I)

    def apply(message: _Message) -> Intent | None:
        match = regex.fullmatch(message.text)
        return build(match, message) if match else None

    return apply


def _rules(build: Build, *patterns: str) -> list[Rule]:
    return [_rule(pattern, build) for pattern in patterns]


# --- change ------------------------------------------------------------------


def _status(match: re.Match[str], message: _Message) -> Intent:
    return SetStatus(message.ref(match["ref"]), _lookup(_STATUSES, match["status"]))


def _status_verb(match: re.Match[str], message: _Message) -> Intent:
    return SetStatus(message.ref(match["ref"]), _lookup(_STATUS_VERBS, match["verb"]))


def _fixed_status(status: StatusName) -> Build:
    return lambda match, message: SetStatus(message.ref(match["ref"]), status)


def _priority(match: re.Match[str], message: _Message) -> Intent:
    return SetPriority(message.ref(match["ref"]), _lookup(_PRIORITIES, match["prio"]))


def _due(match: re.Match[str], message: _Message) -> Intent:
    due = parse_date(match["date"], message.today)
    if due is None:
        return Unknown(message.original)
    return SetDueDate(message.ref(match["ref"]), due)


def _rename(match: re.Match[str], message: _Message) -> Intent | None:
    title = message.restore(match["title"])
    return Rename(message.ref(match["ref"]), title) if title else None


def _tags(text: str) -> tuple[str, ...] | None:
    """``#a, b and #c`` as ``("a", "b", "c")``; ``None`` if any word is not a valid tag."""
    words = [word for word in re.split(r"\s*(?:,|\band\b|\s)\s*", text, flags=_I) if word]
    tags = [word.removeprefix("#").lower() for word in words]
    if not tags or not all(re.fullmatch(r"\w[\w-]{0,39}", tag) for tag in tags):
        return None
    return tuple(dict.fromkeys(tags))


def _add_tags(match: re.Match[str], message: _Message) -> Intent | None:
    tags = _tags(match["tags"])
    return AddTags(message.ref(match["ref"]), tags) if tags else None


_CHANGE = [
    *_rules(
        _status,
        r"(?:mark|set|flag|move|put|change)\s+{REF}\s+(?:as\s+|to\s+|in(?:to)?\s+)?{STATUS}",
        r"(?:set|change|update)\s+(?:the\s+)?status\s+(?:of|for|on)\s+{REF}\s+(?:to|as)\s+{STATUS}",
        r"(?:set|change|update)\s+{REF}(?:'s)?\s+status\s+(?:to|as)\s+{STATUS}",
        r"{REF}{IS}?\s+(?:now\s+)?(?:marked\s+(?:as\s+)?)?{STATUS}(?:\s+now)?",
    ),
    _rule(rf"(?P<verb>{_table(_STATUS_VERBS)})\s+{{REF}}", _status_verb),
    _rule(r"(?:put|place)\s+{REF}\s+on\s+hold", _fixed_status("blocked")),
    _rule(
        r"(?:i(?:'ve|\s+have)?\s+|i'm\s+|i\s+am\s+)?(?:finished|completed|closed|done)"
        r"(?:\s+with)?\s+{REF}",
        _fixed_status("done"),
    ),
    _rule(
        r"(?:i'm|i\s+am)\s+(?:now\s+)?(?:working\s+on|starting|doing)\s+{REF}",
        _fixed_status("in_progress"),
    ),
    *_rules(
        _priority,
        r"(?:set|change|update|make)\s+(?:the\s+)?priority\s+(?:of|for|on)\s+{REF}"
        r"\s+(?:to|as)\s+{PRIO}",
        r"(?:set|change|update)\s+{REF}(?:'s)?\s+priority\s+(?:to|as)\s+{PRIO}",
        r"(?:set|change|update|make)\s+(?:the\s+)?priority\s+(?:to\s+)?{PRIO}"
        r"\s+(?:for|on|of)\s+{REF}",
        r"(?:make|set|mark|change|flag)\s+{REF}\s+(?:to\s+|as\s+)?{PRIO}",
        r"{REF}{IS}\s+(?:now\s+)?{PRIO}",
    ),
    *_rules(
        _due,
        r"(?:move|reschedule|postpone|push|defer|shift|change|schedule|set)\s+{REF}"
        r"\s+(?:back\s+)?(?:to|until|till|for|on)\s+(?P<date>.+)",
        r"{REF}{IS}?\s+(?:now\s+)?due\s+(?:on\s+|by\s+)?(?P<date>.+)",
        r"(?:set|change|update|make|move)\s+(?:the\s+)?(?:{DUE}|due)\s+(?:of|for|on)\s+{REF}"
        r"\s+(?:to|as|for|on)\s+(?P<date>.+)",
        r"(?:set|change|update)\s+{REF}(?:'s)?\s+{DUE}\s+(?:to|as|for)\s+(?P<date>.+)",
        r"(?:set|change|update)\s+(?:the\s+)?{DUE}\s+to\s+(?P<date>.+?)\s+(?:for|on|of)\s+{REF}",
        r"(?:make|set)\s+{REF}\s+due\s+(?:on\s+|by\s+)?(?P<date>.+)",
    ),
    *_rules(
        lambda match, message: SetDueDate(message.ref(match["ref"]), None),
        r"(?:remove|clear|delete|drop|unset|reset)\s+(?:the\s+)?{DUE}\s+(?:of|from|for|on)\s+{REF}",
        r"(?:remove|clear|delete|unset)\s+{REF}(?:'s)?\s+{DUE}",
        r"{REF}\s+(?:has|needs)\s+no\s+{DUE}",
    ),
    *_rules(
        _rename,
        r"(?:rename|retitle)\s+{REF}\s+(?:to|as|into)\s+(?P<title>.+)",
        r"(?:change|set|update)\s+(?:the\s+)?(?:title|name)\s+(?:of|for|on)\s+{REF}"
        r"\s+to\s+(?P<title>.+)",
        r"(?:change|set|update)\s+{REF}(?:'s)?\s+(?:title|name)\s+to\s+(?P<title>.+)",
    ),
    *_rules(
        _add_tags,
        r"(?:tag|label)\s+{REF}\s+(?:with\s+|as\s+)?(?:the\s+)?(?:(?:tags?|labels?)\s+)?"
        r"(?P<tags>.+)",
        r"add\s+(?:the\s+)?(?:tags?|labels?)\s+(?P<tags>.+?)\s+(?:to|on)\s+{REF}",
        r"add\s+(?P<tags>#\S+(?:(?:\s*,\s*|\s+and\s+|\s+)#\S+)*)\s+to\s+{REF}",
    ),
    _rule(
        r"(?:delete|remove|drop|trash|erase|discard|get\s+rid\s+of|throw\s+away)\s+{REF}"
        r"(?:\s+from\s+(?:my\s+|the\s+)?(?:list|tasks))?",
        lambda match, message: DeleteTask(message.ref(match["ref"])),
    ),
]


# --- find --------------------------------------------------------------------

Filter = Callable[[re.Match[str], _Message, ListTasks], ListTasks | None]


def _with_status(status: StatusName) -> Filter:
    return lambda match, message, found: replace(found, statuses=(*found.statuses, status))


def _with_tag(match: re.Match[str], message: _Message, found: ListTasks) -> ListTasks | None:
    tag = (match["tag"] or match["tag2"]).lower()
    return replace(found, tag=tag) if found.tag in (None, tag) else None


def _with_window(match: re.Match[str], message: _Message, found: ListTasks) -> ListTasks:
    today, word = message.today, " ".join(match["window"].lower().split())
    if word.endswith("week"):
        monday, sunday = week_bounds(today + timedelta(weeks=1 if word == "next week" else 0))
        return replace(found, due_from=max(monday, today), due_to=sunday)
    day = today + timedelta(days=1 if word == "tomorrow" else 0)
    return replace(found, due_from=day, due_to=day)


def _with_due(match: re.Match[str], message: _Message, found: ListTasks) -> ListTasks | None:
    day = parse_date(match["date"], message.today)
    relation = (match["relation"] or "on").lower()
    if day is None:
        return None
    if relation == "on":
        return replace(found, due_from=day, due_to=day)
    return replace(found, due_to=day - timedelta(days=1 if relation == "before" else 0))


_FILTERS: tuple[tuple[re.Pattern[str], Filter], ...] = tuple(
    (re.compile(pattern.replace("{PRIO}", _PARTS["PRIO"]) + r"(?![\w-])", _I), apply)
    for pattern, apply in (
        (
            r"(?:about|containing|mentioning|mention|matching|named|called|titled|regarding"
            r"|related\s+to)\s+(?P<query>.+)",
            lambda match, message, found: replace(found, query=message.restore(match["query"])),
        ),
        (r"not\s+(?:yet\s+)?started", _with_status("todo")),
        (
            r"open|pending|outstanding|unfinished|incomplete|remaining|remains?|left|active"
            r"|not\s+(?:yet\s+)?(?:done|finished|completed)|undone|(?:still\s+)?to\s+do",
            lambda match, message, found: replace(found, open_only=True),
        ),
        (r"done|completed?|finish(?:ed)?|closed|resolved", _with_status("done")),
        (
            r"in[\s_-]progress|ongoing|started|wip|being\s+worked\s+on"
            r"|(?:am\s+i|i'm|i\s+am)\s+working\s+on",
            _with_status("in_progress"),
        ),
        (r"blocked|stuck|on\s+hold|waiting", _with_status("blocked")),
        (
            r"overdue|late|past\s+(?:their\s+)?due(?:\s+date)?|behind(?:\s+schedule)?",
            lambda match, message, found: replace(found, overdue=True),
        ),
        (
            r"(?:with\s+)?{PRIO}",
            lambda match, message, found: replace(
                found, priorities=(*found.priorities, _lookup(_PRIORITIES, match["prio"]))
            ),
        ),
        (
            r"(?:(?:tagged|labell?ed)(?:\s+(?:with|as))?\s+|with\s+(?:the\s+)?(?:tag|label)\s+)?"
            r"#(?P<tag>\w[\w-]*)|(?:(?:tagged|labell?ed)(?:\s+(?:with|as))?|with\s+(?:the\s+)?"
            r"(?:tag|label))\s+(?P<tag2>\w[\w-]*)",
            _with_tag,
        ),
        (
            r"(?:(?:that\s+are\s+)?due\s+|for\s+|scheduled\s+for\s+)?"
            r"(?P<window>today|tonight|tomorrow|this\s+week|next\s+week)(?:'s)?",
            _with_window,
        ),
        (
            rf"(?:due\s+(?P<relation>on|by|before)?\s*|on\s+|for\s+)(?P<date>{DATE_PATTERN})",
            _with_due,
        ),
    )
)
_NOUN = re.compile(
    r"(?:tasks|todos|to-?dos|items|(?:to[\s-]?do\s+)?list|plate|everything|all|things|stuff)"
    r"(?![\w-])",
    _I,
)
_FILLER = re.compile(
    r"(?:me|my|the|of|any|anything|currently|still|now|right\s+now|so\s+far|at\s+the\s+moment"
    r"|that|which|are|is|were|was|there|and|or|with|status|marked(?:\s+as)?|did\s+i|i\s+have"
    r"|do\s+i\s+(?:still\s+)?(?:have|need)|have\s+i(?:\s+got)?|i've(?:\s+got)?|in\s+total|total"
    r"|altogether|on(?=\s+(?:my|the)\b))(?![\w-])",
    _I,
)


def _filter(rest: str, message: _Message, found: ListTasks) -> tuple[int, ListTasks] | None:
    for regex, apply in _FILTERS:
        if (match := regex.match(rest)) and (updated := apply(match, message, found)):
            return match.end(), updated
    return None


def _listing(rest: str, message: _Message) -> tuple[ListTasks, bool] | None:
    """Filters and fillers ("all open tasks tagged #work") as a ``ListTasks``, and whether a
    noun ("tasks", "list", "everything") was seen; ``None`` if a word is neither."""
    found, noun = ListTasks(), False
    while rest := rest.lstrip(" ,"):
        if match := _NOUN.match(rest) or _FILLER.match(rest):
            noun = noun or match.re is _NOUN
            rest = rest[match.end() :]
        elif step := _filter(rest, message, found):
            rest, found = rest[step[0] :], step[1]
        else:
            return None
    if found.due_to is not None and not found.statuses:
        found = replace(found, open_only=True)
    return found, noun


def _list(need_noun: bool) -> Build:
    def build(match: re.Match[str], message: _Message) -> Intent | None:
        parsed = _listing(match["rest"], message)
        if parsed is None or not (parsed[1] or (parsed[0] != ListTasks() and not need_noun)):
            return None
        return parsed[0]

    return build


def _count(match: re.Match[str], message: _Message) -> Intent | None:
    parsed = _listing(match["rest"] or "", message)
    if parsed is None:
        return None
    found = parsed[0]
    if found in (ListTasks(), ListTasks(open_only=True)):
        return CountTasks(None)
    if found == ListTasks(statuses=found.statuses) and len(found.statuses) == 1:
        return CountTasks(found.statuses[0])
    return found


def _search(match: re.Match[str], message: _Message) -> Intent | None:
    parsed = _listing(match["query"], message)
    if parsed is not None and parsed[0] != ListTasks():
        return parsed[0]
    query = message.restore(re.sub(r"^(?:(?:the|my|a|an)\s+)+", "", match["query"], flags=_I))
    if re.fullmatch(r"(?:it|this|that|something|anything|everything|tasks?)?", query, _I):
        return None
    return ListTasks(query=query)


_SHOW = _rules(
    lambda match, message: ShowTask(message.ref(match["ref"])),
    r"(?:show|display|open|view|get|see|find|pull\s+up|bring\s+up|describe|check|look\s+at)"
    r"(?:\s+me)?\s+(?:the\s+)?(?:(?:details|info(?:rmation)?|status)\s+(?:of|for|on|about)\s+)?"
    r"{REF}",
    r"(?:what|how)(?:'s|s|\s+is|\s+about)\s+(?:the\s+)?(?:(?:status|state|details?)\s+(?:of|for|on)"
    r"\s+)?{NAMED}(?:\s+(?:going|coming\s+along))?",
    r"(?:is|was)\s+{REF}\s+(?:{STATUS}|{PRIO}|overdue|due\s+.+)",
    r"(?:the\s+)?(?:details|info(?:rmation)?|more)\s+(?:of|on|about|for)\s+{REF}",
    r"tell\s+me\s+(?:more\s+)?about\s+{REF}",
    r"{NAMED}\s+(?:details|info)",
)
_COUNT = _rules(_count, r"how\s+many(?:\s+(?P<rest>.+))?", r"(?:count|number\s+of)\s+(?P<rest>.+)")
_LIST = [
    *_rules(
        _list(need_noun=False),
        r"(?:show|list|display|get|give|view|see|print|fetch|pull\s+up|bring\s+up|tell|find"
        r"|search\s+for|look\s+up)(?:\s+me)?\s+(?P<rest>.+)",
        r"(?:(?:tell|show)\s+me\s+|let\s+me\s+know\s+)?(?:what|which)(?:'s|'re|s)?\s+(?P<rest>.+)",
        r"(?:do\s+i\s+have|are\s+there|is\s+there|have\s+i\s+got|is\s+anything|anything)"
        r"\s+(?P<rest>.+)",
    ),
    _rule(r"(?=.*\b(?:tasks|todos|to-?dos|items|list)\b)(?P<rest>.+)", _list(need_noun=True)),
]
_SEARCH = _rules(
    _search,
    r"(?!\w+\s+(?:the\s+)?(?:web|internet|online|google)\b)"
    r"(?:search|look)\s+(?:for\s+|up\s+|through\s+)?(?:(?:my|the|all)\s+)?(?:tasks?\s+)?"
    r"(?:for\s+|about\s+|containing\s+|mentioning\s+|matching\s+|with\s+)?(?P<query>.+)",
    r"find\s+(?:me\s+)?(?:(?:my|the|all)\s+)?(?:tasks?\s+)?(?:about\s+|containing\s+"
    r"|mentioning\s+|matching\s+|named\s+|called\s+|titled\s+|with\s+|for\s+)?(?P<query>.+)",
)
_SUMMARY = _rules(
    lambda match, message: Summary(),
    r"(?:(?:give|show|get|send)\s+(?:me\s+)?)?(?:an?\s+|the\s+|my\s+)?"
    r"(?:quick\s+|short\s+|brief\s+)?(?:task\s+|status\s+|progress\s+)?"
    r"(?:summary|overview|report|rundown|recap|update|status)"
    r"(?:\s+(?:of|on|for)\s+(?:my\s+|the\s+|all\s+)?(?:tasks|progress|status|everything))?",
    r"summari[sz]e(?:\s+(?:my|the|all)(?:\s+my)?\s+tasks|\s+everything)?",
    r"how\s+am\s+i\s+doing(?:\s+(?:on|with)\s+(?:my\s+)?tasks)?(?:\s+so\s+far)?",
    r"how\s+(?:are|is)\s+(?:my\s+)?(?:tasks|things|progress|everything)\s+(?:going|looking)",
    r"where\s+do\s+i\s+stand|what(?:'s|s|\s+is)\s+my\s+status",
)
_CHOOSE = _rule(
    rf"(?:(?:the\s+)?one\s+with\s+(?:the\s+)?)?(?P<ref>{_NUMBER})(?:\s+one)?",
    lambda match, message: ChooseTask(int(re.findall(r"\d+", match["ref"])[-1])),
)


# --- create ------------------------------------------------------------------

_TAG_STOP = r"(?:due|by|on|for|priority|prio|tagged|with|and|today|tomorrow|next|in|this)\b"
_TAG_WORDS = re.compile(
    r"(?<![\w-])(?:(?:tagged|labell?ed)(?:\s+(?:with|as))?\s+|with\s+(?:the\s+)?(?:tags?|labels?)"
    r"\s+|tags?\s*:\s*)(?P<tags>#?\w[\w-]*(?:\s*(?:,|\band\b)\s*(?:#\w[\w-]*"
    rf"|(?!{_TAG_STOP}|{_PRIORITY}\b)\w[\w-]*(?=\s*(?:[,;]|$))))*)",
    _I,
)
_HASHTAG = re.compile(r"(?<![\w#&])#(?P<tags>[^\W\d][\w-]*)")
_PRIORITY_WORDS = re.compile(
    rf"(?<![\w-])(?:(?:with|at)\s+)?(?:an?\s+)?(?:prio(?:rity)?(?:\s+(?:of|is)|\s*[:=])?\s*"
    rf"(?P<prio>{_PRIORITY})|(?P<prio2>{_PRIORITY})[\s-]+priority)(?![\w-])",
    _I,
)
_DUE_WORDS = re.compile(
    r"(?<![\w-])(?:(?:due|deadline)(?:\s+date)?(?:\s*:|\s+(?:on|by|is))?|by|on|for)"
    rf"\s+(?P<date>{DATE_PATTERN})",
    _I,
)
_DUE_AT_END = re.compile(rf"(?<=\S)(?<!every)(?<!each)\s+(?:on\s+)?(?P<date>{DATE_PATTERN})$", _I)
_LIST_NAME = re.compile(
    r"\s+(?:to|on|in)\s+(?:my|the)\s+(?:(?:task|to-?do)\s+)?(?:list|tasks)(?![\w-])", _I
)
_Parts = tuple[str, PriorityName | None, date | None, tuple[str, ...]]


def _parts(text: str, today: date) -> _Parts | None:
    """An item's title text, priority, due date and tags; ``None`` if a date does not exist."""
    tags: list[str] = []

    def take(match: re.Match[str]) -> str:
        tags.extend(_tags(match["tags"]) or ())
        return " "

    text = _HASHTAG.sub(take, _TAG_WORDS.sub(take, _LIST_NAME.sub(" ", text)))
    priority: PriorityName | None = None
    if match := _PRIORITY_WORDS.search(text):
        priority = _lookup(_PRIORITIES, match["prio"] or match["prio2"])
        text = f"{text[: match.start()]} {text[match.end() :]}"
    due = None
    match = _DUE_WORDS.search(text) or _DUE_AT_END.search(text)
    if match and not (match.re is _DUE_AT_END and match["date"].lower() in WEEKDAY_ABBREVIATIONS):
        if (due := parse_date(match["date"], today)) is None:
            return None
        text = f"{text[: match.start()]} {text[match.end() :]}"
    text = re.sub(r"\s*,(?:\s*,)*", ",", " ".join(text.split()))
    text = re.sub(r"(?:[\s,;:.!-]|\b(?:and|with)\b)+$|^[\s,;:-]+", "", text, flags=_I)
    return text, priority, due, tuple(dict.fromkeys(tags))


def _items(body: str, plural: bool, today: date) -> list[str]:
    """Items split on ';' (or lines); a plural head ("add tasks: a, b") also splits on ',',
    a piece that only holds modifiers (", priority high") staying with the item before it."""
    items = [item for item in re.split(r"\s*;\s*", body) if item.strip(" ,")]
    if not plural or len(items) != 1:
        return items
    merged: list[str] = []
    for piece in re.split(r"\s*,\s*", items[0]):
        parts = _parts(piece, today)
        if merged and parts is not None and not parts[0]:
            merged[-1] = f"{merged[-1]}, {piece}"
        else:
            merged.append(piece)
    return merged


def _create_tasks(
    message: _Message, body: str, plural: bool, priority: str | None = None, due: date | None = None
) -> Intent | None:
    """One ``NewTask`` per item; the head's priority and date are defaults for every item."""
    default = _lookup(_PRIORITIES, priority) if priority else None
    tasks = []
    for item in _items(body, plural, message.today):
        if (parts := _parts(item, message.today)) is None:
            return Unknown(message.original)
        text, own_priority, own_due, tags = parts
        if not (title := message.restore(text)):
            return None
        tasks.append(NewTask(title, own_priority or default, own_due or due, tags))
    return CreateTasks(tuple(tasks)) if tasks else None


_VERB = re.compile(
    r"(?P<verb>add|create|make|new|insert|log|(?:jot|note|put|write)\s+down)\s+(?P<rest>.+)", _I
)
_HEAD = re.compile(
    r"(?:(?:a|an|another|one|some|the|my|these|this)\s+)?(?:new\s+)?"
    rf"(?:(?P<prio>{_PRIORITY})(?:[\s-]+priority)?\s+)?"
    r"(?P<noun>tasks?|to-?dos?|items?|reminders?|entry|entries)"
    r"(?:\s*:|\s+(?:to|called|named|titled|saying)\b|\s+-|(?=\s)|$)\s*(?P<body>.*)",
    _I,
)
_REMIND = re.compile(
    rf"remind\s+me\s+(?:(?:on\s+)?(?P<when>{DATE_PATTERN})\s+)?"
    r"(?:to|about|that\s+i\s+(?:need|have)\s+to)\s+(?P<body>.+)",
    _I,
)
_TODO = re.compile(r"(?:to-?do|to\s+do)\s*:\s*(?P<body>.+)|to-?do\s+(?P<bare>.+)", _I)


def _create(message: _Message) -> Intent | None:
    if match := _REMIND.fullmatch(message.text):
        due = parse_date(match["when"], message.today) if match["when"] else None
        if match["when"] and due is None:
            return Unknown(message.original)
        return _create_tasks(message, match["body"], plural=False, due=due)
    if match := _TODO.fullmatch(message.text):
        return _create_tasks(message, match["body"] or match["bare"], plural=False)
    if not (match := _VERB.fullmatch(message.text)):
        return None
    if head := _HEAD.fullmatch(match["rest"]):
        plural = head["noun"].lower().endswith("s")
        return _create_tasks(message, head["body"], plural, head["prio"])
    if match["verb"].lower() in ("make", "new", "log"):
        return None
    return _create_tasks(message, match["rest"], plural=False)


_RULES: tuple[Rule, ...] = (
    _CHOOSE,
    *_SUMMARY,
    *_CHANGE,
    *_SHOW,
    *_COUNT,
    *_LIST,
    *_SEARCH,
    _create,
)


def parse(text: str, today: date) -> Intent:
    """The one intent ``text`` expresses (``Unknown(text)`` if none); ``today`` anchors dates."""
    message = _clean(text, today)
    for rule in _RULES if message.text else ():
        if (intent := rule(message)) is not None:
            return intent
    return Unknown(text)
