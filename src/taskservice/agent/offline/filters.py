"""Reading a list's filters from words: "all open tasks tagged #work due this week, sorted
by priority" as a ``ListTasks``. Shared by the find rules and the bulk rules."""

import re
from collections.abc import Callable
from dataclasses import replace
from datetime import timedelta

from taskservice.agent.offline.dates import DATE_PATTERN, parse_date, week_bounds
from taskservice.agent.offline.intents import ListTasks, StatusName
from taskservice.agent.offline.rules import PARTS, PRIORITIES, Message, lookup

_I = re.IGNORECASE

Filter = Callable[[re.Match[str], Message, ListTasks], ListTasks | None]


def _with_status(status: StatusName) -> Filter:
    return lambda match, message, found: replace(found, statuses=(*found.statuses, status))


def _with_tag(match: re.Match[str], message: Message, found: ListTasks) -> ListTasks | None:
    tag = (match["tag"] or match["tag2"]).lower()
    return replace(found, tag=tag) if found.tag in (None, tag) else None


def _with_window(match: re.Match[str], message: Message, found: ListTasks) -> ListTasks:
    today, word = message.today, " ".join(match["window"].lower().split())
    if word.endswith("week"):
        monday, sunday = week_bounds(today + timedelta(weeks=1 if word == "next week" else 0))
        return replace(found, due_from=max(monday, today), due_to=sunday)
    day = today + timedelta(days=1 if word == "tomorrow" else 0)
    return replace(found, due_from=day, due_to=day)


def _with_due(match: re.Match[str], message: Message, found: ListTasks) -> ListTasks | None:
    day = parse_date(match["date"], message.today)
    relation = (match["relation"] or "on").lower()
    if day is None:
        return None
    if relation == "on":
        return replace(found, due_from=day, due_to=day)
    return replace(found, due_to=day - timedelta(days=1 if relation == "before" else 0))


SORTS: tuple[tuple[str, str], ...] = (
    (r"(?:highest|most\s+urgent|top)\s+priority|priority|importance|urgency", "-priority,due_date"),
    (r"lowest\s+priority", "priority,due_date"),
    (
        r"due(?:\s*date)?|deadlines?|dates?|soonest(?:\s+due)?|earliest(?:\s+due)?",
        "due_date,-priority",
    ),
    (r"latest\s+due", "-due_date,-priority"),
    (r"titles?|names?|alphabetical(?:ly|\s+order)?|a\s*-\s*z", "title"),
    (r"newest|most\s+recent|latest|recent|creation(?:\s+date)?|created", "-created_at"),
    (r"oldest", "created_at"),
    (r"(?:last\s+|recently\s+)?(?:updated|changed|modified)", "-updated_at"),
)
_SORT_WORDS = "|".join(pattern for pattern, _ in SORTS)


def _with_sort(match: re.Match[str], message: Message, found: ListTasks) -> ListTasks | None:
    words = match["sort"] or match["sort2"] or match["sort3"] or match["alpha"]
    sort = next(value for pattern, value in SORTS if re.fullmatch(pattern, words, _I))
    return replace(found, sort=sort) if found.sort is None else None


_FILTERS: tuple[tuple[re.Pattern[str], Filter], ...] = tuple(
    (re.compile(pattern.replace("{PRIO}", PARTS["PRIO"]) + r"(?![\w-])", _I), apply)
    for pattern, apply in (
        (
            r"(?:(?:sorted|ordered|sort|order|ranked|rank|arranged)\s+(?:them\s+)?(?:by\s+)?"
            rf"(?P<sort>{_SORT_WORDS})(?:\s+first)?|by\s+(?P<sort2>{_SORT_WORDS})(?:\s+first)?"
            rf"|(?P<sort3>{_SORT_WORDS})\s+first|(?:in\s+)?(?P<alpha>alphabetical(?:ly|\s+order)))",
            _with_sort,
        ),
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
                found, priorities=(*found.priorities, lookup(PRIORITIES, match["prio"]))
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


def _filter(rest: str, message: Message, found: ListTasks) -> tuple[int, ListTasks] | None:
    for regex, apply in _FILTERS:
        if (match := regex.match(rest)) and (updated := apply(match, message, found)):
            return match.end(), updated
    return None


def read_filters(rest: str, message: Message) -> tuple[ListTasks, bool] | None:
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
