"""The grammar's create rule: one or several new tasks with their modifiers."""

import re
from datetime import date

from taskservice.agent.offline.dates import (
    DATE_PATTERN,
    WEEKDAY_ABBREVIATIONS,
    WEEKDAY_NAMES,
    parse_date,
)
from taskservice.agent.offline.intents import (
    CreateTasks,
    Intent,
    NewTask,
    PriorityName,
    Unknown,
)
from taskservice.agent.offline.rules import PRIORITIES, PRIORITY, Message, lookup, parse_tags

_I = re.IGNORECASE

_TAG_STOP = r"(?:due|by|on|for|priority|prio|tagged|with|and|today|tomorrow|next|in|this)\b"
_TAG_WORDS = re.compile(
    r"(?<![\w-])(?:(?:tagged|labell?ed)(?:\s+(?:with|as))?\s+|with\s+(?:the\s+)?(?:tags?|labels?)"
    r"\s+|tags?\s*:\s*)(?P<tags>#?\w[\w-]*(?:\s*(?:,|\band\b)\s*(?:#\w[\w-]*"
    rf"|(?!{_TAG_STOP}|{PRIORITY}\b)\w[\w-]*(?=\s*(?:[,;]|$))))*)",
    _I,
)
_HASHTAG = re.compile(r"(?<![\w#&])#(?P<tags>[^\W\d][\w-]*)")
_PRIORITY_WORDS = re.compile(
    rf"(?<![\w-])(?:(?:with|at)\s+)?(?:an?\s+)?(?:prio(?:rity)?(?:\s+(?:of|is)|\s*[:=])?\s*"
    rf"(?P<prio>{PRIORITY})|(?P<prio2>{PRIORITY})[\s-]+priority)(?![\w-])",
    _I,
)
_BARE_PRIORITY = re.compile(r",\s*(?P<prio>urgent|high|low)\s*(?=,|$)", _I)
"""", urgent" after a comma ("call the plumber, urgent")."""
_DUE_WORDS = re.compile(
    r"(?<![\w-])(?:(?:due|deadline)(?:\s+date)?(?:\s*:|\s+(?:on|by|is))?|by|on|for)"
    rf"\s+(?P<date>{DATE_PATTERN})",
    _I,
)
_BARE_DATE = re.compile(
    r"(?<![\w'-])(?:(?:the\s+)?day\s+after\s+tomorrow|today|tonight|tomorrow|tmrw"
    rf"|next\s+(?:week|{WEEKDAY_NAMES})|this\s+(?:{WEEKDAY_NAMES})"
    r"|next\s+month|in\s+(?:\d{1,3}|a|an|one|two|three|four|five|six|seven|eight|nine|ten"
    r"|eleven|twelve)"
    r"\s+(?:days?|weeks?|months?)|(?:the\s+)?end\s+of\s+(?:the\s+|this\s+)?(?:week|month)"
    r"|\d{4}-\d{1,2}-\d{1,2})(?![\w'-])",
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
        tags.extend(parse_tags(match["tags"]) or ())
        return " "

    text = _HASHTAG.sub(take, _TAG_WORDS.sub(take, _LIST_NAME.sub(" ", text)))
    priority: PriorityName | None = None
    if match := _PRIORITY_WORDS.search(text) or _BARE_PRIORITY.search(text):
        priority = lookup(PRIORITIES, next(word for word in match.groupdict().values() if word))
        text = f"{text[: match.start()]} {text[match.end() :]}"
    due = None
    text = " ".join(text.split())
    match = _DUE_WORDS.search(text) or _BARE_DATE.search(text) or _DUE_AT_END.search(text)
    if match and not (match.re is _DUE_AT_END and match["date"].lower() in WEEKDAY_ABBREVIATIONS):
        phrase = match[0] if match.re is _BARE_DATE else match["date"]
        if (due := parse_date(phrase, today)) is None:
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
    message: Message, body: str, plural: bool, priority: str | None = None, due: date | None = None
) -> Intent | None:
    """One ``NewTask`` per item; the head's priority and date are defaults for every item."""
    default = lookup(PRIORITIES, priority) if priority else None
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
    rf"(?:(?P<prio>{PRIORITY})(?:[\s-]+priority)?\s+)?"
    r"(?P<noun>tasks?|to-?dos?|items?|reminders?|entry|entries)"
    r"(?:\s+for\s+me)?(?:\s*:|\s+(?:to|called|named|titled|saying)\b|\s+-|(?=\s)|$)\s*"
    r"(?P<body>.*)",
    _I,
)
_REMIND = re.compile(
    rf"remind\s+me\s+(?:(?:on\s+)?(?P<when>{DATE_PATTERN})\s+)?"
    r"(?:to|about|that\s+i\s+(?:need|have)\s+to)\s+(?P<body>.+)",
    _I,
)
_PUT = re.compile(
    r"put\s+(?P<body>.+?)\s+(?:on|in|to)\s+(?:my|the)\s+(?:(?:task|to-?do)\s+)?list(?P<rest>.*)", _I
)
_TODO = re.compile(r"(?:to-?do|to\s+do)\s*:\s*(?P<body>.+)|to-?do\s+(?P<bare>.+)", _I)


def create_from_obligation(message: Message) -> Intent | None:
    """ "I need to call mom tomorrow": the words after "I need to" are the task."""
    return _create_tasks(message, message.text, plural=False)


def create(message: Message) -> Intent | None:
    if match := _REMIND.fullmatch(message.text):
        due = parse_date(match["when"], message.today) if match["when"] else None
        if match["when"] and due is None:
            return Unknown(message.original)
        return _create_tasks(message, match["body"], plural=False, due=due)
    if match := _PUT.fullmatch(message.text):
        return _create_tasks(message, f"{match['body']}{match['rest']}", plural=False)
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
