"""The grammar's find rules: summary, show, count, list, search and choosing a task."""

import re
from collections.abc import Callable
from dataclasses import replace
from datetime import timedelta

from taskservice.agent.offline.dates import DATE_PATTERN, parse_date, week_bounds
from taskservice.agent.offline.intents import (
    ChooseTask,
    CountTasks,
    Intent,
    ListTasks,
    ShowTask,
    StatusName,
    Summary,
)
from taskservice.agent.offline.rules import (
    NUMBER,
    PARTS,
    PRIORITIES,
    Build,
    Message,
    lookup,
    rule,
    rules,
)

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


_FILTERS: tuple[tuple[re.Pattern[str], Filter], ...] = tuple(
    (re.compile(pattern.replace("{PRIO}", PARTS["PRIO"]) + r"(?![\w-])", _I), apply)
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


def _listing(rest: str, message: Message) -> tuple[ListTasks, bool] | None:
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
    def build(match: re.Match[str], message: Message) -> Intent | None:
        parsed = _listing(match["rest"], message)
        if parsed is None or not (parsed[1] or (parsed[0] != ListTasks() and not need_noun)):
            return None
        return parsed[0]

    return build


def _count(match: re.Match[str], message: Message) -> Intent | None:
    parsed = _listing(match["rest"] or "", message)
    if parsed is None:
        return None
    found = parsed[0]
    if found in (ListTasks(), ListTasks(open_only=True)):
        return CountTasks(None)
    if found == ListTasks(statuses=found.statuses) and len(found.statuses) == 1:
        return CountTasks(found.statuses[0])
    return found


def _search(match: re.Match[str], message: Message) -> Intent | None:
    parsed = _listing(match["query"], message)
    if parsed is not None and parsed[0] != ListTasks():
        return parsed[0]
    query = message.restore(re.sub(r"^(?:(?:the|my|a|an)\s+)+", "", match["query"], flags=_I))
    if re.fullmatch(r"(?:it|this|that|something|anything|everything|tasks?)?", query, _I):
        return None
    return ListTasks(query=query)


SHOW = rules(
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
COUNT = rules(_count, r"how\s+many(?:\s+(?P<rest>.+))?", r"(?:count|number\s+of)\s+(?P<rest>.+)")
LIST = [
    *rules(
        _list(need_noun=False),
        r"(?:show|list|display|get|give|view|see|print|fetch|pull\s+up|bring\s+up|tell|find"
        r"|search\s+for|look\s+up)(?:\s+me)?\s+(?P<rest>.+)",
        r"(?:(?:tell|show)\s+me\s+|let\s+me\s+know\s+)?(?:what|which)(?:'s|'re|s)?\s+(?P<rest>.+)",
        r"(?:do\s+i\s+have|are\s+there|is\s+there|have\s+i\s+got|is\s+anything|anything)"
        r"\s+(?P<rest>.+)",
    ),
    rule(r"(?=.*\b(?:tasks|todos|to-?dos|items|list)\b)(?P<rest>.+)", _list(need_noun=True)),
]
SEARCH = rules(
    _search,
    r"(?!\w+\s+(?:the\s+)?(?:web|internet|online|google)\b)"
    r"(?:search|look)\s+(?:for\s+|up\s+|through\s+)?(?:(?:my|the|all)\s+)?(?:tasks?\s+)?"
    r"(?:for\s+|about\s+|containing\s+|mentioning\s+|matching\s+|with\s+)?(?P<query>.+)",
    r"find\s+(?:me\s+)?(?:(?:my|the|all)\s+)?(?:tasks?\s+)?(?:about\s+|containing\s+"
    r"|mentioning\s+|matching\s+|named\s+|called\s+|titled\s+|with\s+|for\s+)?(?P<query>.+)",
)
SUMMARY = rules(
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
CHOOSE = rule(
    rf"(?:(?:the\s+)?one\s+with\s+(?:the\s+)?)?(?P<ref>{NUMBER})(?:\s+one)?",
    lambda match, message: ChooseTask(int(re.findall(r"\d+", match["ref"])[-1])),
)
