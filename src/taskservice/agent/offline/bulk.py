"""The grammar's bulk rules: one change to several tasks, or one delete (one approval) of
several: by ids ("delete tasks 3 and 4") or by a selection ("all done tasks", "everything
tagged #errands"). A selection with no filter ("delete everything") is never guessed at:
the answer explains what to say instead."""

import re
from dataclasses import replace

from taskservice.agent.offline.dates import parse_date
from taskservice.agent.offline.filters import read_filters
from taskservice.agent.offline.intents import (
    Clarify,
    DeleteTasks,
    Intent,
    ListTasks,
    PriorityName,
    StatusName,
    Unknown,
    UpdateTasks,
)
from taskservice.agent.offline.rules import (
    PRIORITIES,
    STATUS_VERBS,
    STATUSES,
    Build,
    Message,
    lookup,
    rules,
    table,
)

_I = re.IGNORECASE
_ID = r"(?:task\s+)?(?:(?:number|no\.?|id)\s*)?#?\d+"
_IDS = (
    rf"(?P<ids>(?:(?:the\s+)?tasks\s+)?(?:(?:numbers|ids)\s*)?#?\d+"
    rf"(?:(?:\s*,\s*(?:and\s+)?|\s+and\s+|\s*&\s*|\s+)(?:{_ID}))+)"
)
_WHICH = rf"(?:{_IDS}|(?P<sel>.+?))"
_PLURAL = re.compile(
    r"^(?:all|every|each|everything|both)\b|\b(?:tasks|todos|to-?dos|items|ones)\b"
    r"|^(?:the\s+)?(?:completed|done|finished)$",
    _I,
)
DELETE_ALL = (
    "I won't delete all your tasks at once. Say which ones, for example 'delete all done "
    "tasks', 'delete everything tagged #errands' or 'delete task 9'."
)
CHANGE_ALL = (
    "That would change every task. Say which ones, for example 'mark all overdue tasks as "
    "done' or 'complete everything tagged #errands'."
)
NO_BULK_PUSH = (
    "I can move several tasks to one date ('move all overdue tasks to friday'); to push "
    "each one from its own due date, ask for one task at a time ('push task 3 by a week')."
)

Target = tuple[tuple[int, ...], ListTasks | None]


def _target(match: re.Match[str], message: Message) -> Target | Clarify | None:
    """The ids, or the selection, the message names; ``None`` if it names neither."""
    if match["ids"]:
        return tuple(dict.fromkeys(int(n) for n in re.findall(r"\d+", match["ids"]))), None
    words = match["sel"]
    if not _PLURAL.search(words) or (parsed := read_filters(words, message)) is None:
        return None
    selection = replace(parsed[0], sort=None)
    if selection in (ListTasks(), ListTasks(open_only=True)) and not re.match(
        r"(?:all\s+)?(?:my\s+)?open\b", words, _I
    ):
        return Clarify(CHANGE_ALL)
    return (), selection


def _delete(match: re.Match[str], message: Message) -> Intent | None:
    target = _target(match, message)
    if isinstance(target, Clarify):
        return Clarify(DELETE_ALL)
    return DeleteTasks(*target) if target else None


def _update(
    status: StatusName | None = None,
    priority: PriorityName | None = None,
    date_group: bool = False,
) -> Build:
    def build(match: re.Match[str], message: Message) -> Intent | None:
        target = _target(match, message)
        if target is None or isinstance(target, Clarify):
            return target
        groups = match.groupdict()
        new_status = status
        if groups.get("status"):
            new_status = lookup(STATUSES, groups["status"])
        if groups.get("verb"):
            new_status = lookup(STATUS_VERBS, groups["verb"])
        new_priority = lookup(PRIORITIES, groups["prio"]) if groups.get("prio") else priority
        due = None
        if date_group:
            if re.fullmatch(r"next\s+week", match["date"].strip(), _I):
                return Clarify(NO_BULK_PUSH)
            if (due := parse_date(match["date"], message.today)) is None:
                return Unknown(message.original)
        ids, selection = target
        if selection and not selection.statuses and new_status not in (None, "todo"):
            selection = replace(selection, open_only=True)
        return UpdateTasks(ids, selection, new_status, new_priority, due)

    return build


_SET = r"(?:mark|set|move|put|flag|change|switch|make)"
BULK = [
    *rules(
        _delete,
        r"(?:clear\s+out|clean\s+up|get\s+rid\s+of|throw\s+away|delete|remove|clear|drop|trash"
        rf"|erase|purge|discard)\s+{_WHICH}(?:\s+from\s+(?:my\s+|the\s+)?list)?",
    ),
    *rules(
        _update(),
        rf"{_SET}\s+{_WHICH}\s+(?:as\s+|to\s+|in(?:to)?\s+)?{{STATUS}}",
        rf"(?P<verb>{table(STATUS_VERBS)})\s+{_WHICH}",
        rf"(?:set|change|update|make)\s+(?:the\s+)?priority\s+(?:of|for|on)\s+{_WHICH}\s+(?:to|as)"
        r"\s+{PRIO}",
        rf"(?:make|set|mark|change|flag|bump|move)\s+{_WHICH}\s+(?:to\s+|as\s+)?{{PRIO}}",
    ),
    *rules(
        _update(date_group=True),
        rf"(?:move|reschedule|postpone|push|defer|shift|change|set)\s+{_WHICH}\s+(?:to|until"
        r"|till|for|on)\s+(?P<date>.+)",
        r"(?:set|change|update|move)\s+(?:the\s+)?(?:due\s*dates?|deadlines?)\s+(?:of|for|on)\s+"
        rf"{_WHICH}\s+to\s+(?P<date>.+)",
        rf"(?:make|set)\s+{_WHICH}\s+due\s+(?:on\s+|by\s+)?(?P<date>.+)",
    ),
]
