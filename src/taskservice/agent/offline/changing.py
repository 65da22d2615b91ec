"""The grammar's change rules for one task: status, priority, title and delete.

Due dates are in ``scheduling``, tags and descriptions in ``details``. Each pattern names
the task with ``{REF}``: an id, a quoted or unquoted title, or a pronoun (see ``rules``).
"""

import re

from taskservice.agent.offline.intents import (
    DeleteTask,
    Intent,
    Rename,
    SetPriority,
    SetStatus,
    ShiftPriority,
    StatusName,
)
from taskservice.agent.offline.rules import (
    PRIORITIES,
    STATUS_VERBS,
    STATUSES,
    Build,
    Message,
    lookup,
    rule,
    rules,
    table,
)


def _status(match: re.Match[str], message: Message) -> Intent:
    return SetStatus(message.ref(match["ref"]), lookup(STATUSES, match["status"]))


def _status_verb(match: re.Match[str], message: Message) -> Intent:
    return SetStatus(message.ref(match["ref"]), lookup(STATUS_VERBS, match["verb"]))


def _fixed_status(status: StatusName) -> Build:
    return lambda match, message: SetStatus(message.ref(match["ref"]), status)


def _priority(match: re.Match[str], message: Message) -> Intent:
    return SetPriority(message.ref(match["ref"]), lookup(PRIORITIES, match["prio"]))


def _shift_priority(steps: int) -> Build:
    return lambda match, message: ShiftPriority(message.ref(match["ref"]), steps)


def _rename(match: re.Match[str], message: Message) -> Intent | None:
    title = message.restore(match["title"])
    return Rename(message.ref(match["ref"]), title) if title else None


_SET = r"(?:set|change|update|make|switch)"

STATUS = [
    *rules(
        _status,
        rf"{_SET}\s+(?:the\s+)?status\s+(?:of|for|on)\s+{{REF}}\s+(?:to|as)\s+{{STATUS}}",
        rf"{_SET}\s+{{REF}}(?:'s)?\s+status\s+(?:to|as)\s+{{STATUS}}",
        r"(?:mark|set|flag|move|put|change|switch)\s+{REF}\s+(?:as\s+|to\s+|in(?:to)?\s+)?"
        r"{STATUS}",
        r"{REF}{IS}?\s+(?:now\s+)?(?:marked\s+(?:as\s+)?)?{STATUS}(?:\s+now)?",
    ),
    rule(rf"(?P<verb>{table(STATUS_VERBS)})\s+{{REF}}", _status_verb),
    rule(r"(?:put|place)\s+{REF}\s+on\s+hold", _fixed_status("blocked")),
    rule(
        r"(?:i(?:'ve|\s+have)?\s+(?:just\s+|already\s+|finally\s+)?|i'm\s+|i\s+am\s+)?"
        r"(?:finished|completed|closed|done|did|wrapped\s+up)(?:\s+with)?\s+{REF}",
        _fixed_status("done"),
    ),
    *rules(
        _fixed_status("in_progress"),
        r"(?:i'm|i\s+am)\s+(?:now\s+)?(?:working\s+on|starting|doing)\s+{REF}",
        r"i(?:'ve|\s+have)?\s+(?:just\s+)?(?:started|begun|began)(?:\s+(?:on|with|working\s+on))?"
        r"\s+{REF}",
    ),
    rule(r"{REF}\s+(?:is\s+)?(?:blocked|waiting)\s+(?:on|by)\s+.+", _fixed_status("blocked")),
]

_BUMP = r"(?:bump|raise|boost|move|push)"
PRIORITY = [
    *rules(
        _priority,
        rf"{_SET}\s+(?:the\s+)?priority\s+(?:of|for|on)\s+{{REF}}\s+(?:to|as)\s+{{PRIO}}",
        rf"{_SET}\s+{{REF}}(?:'s)?\s+priority\s+(?:to|as)\s+{{PRIO}}",
        rf"{_SET}\s+(?:the\s+)?priority\s+(?:to\s+)?{{PRIO}}\s+(?:for|on|of)\s+{{REF}}",
        rf"{_BUMP}\s+(?:up\s+)?(?:the\s+priority\s+of\s+)?{{REF}}(?:'s\s+priority)?"
        r"(?:\s+up)?\s+(?:to|as)\s+{PRIO}",
        r"(?:make|set|mark|change|flag)\s+{REF}\s+(?:to\s+|as\s+)?{PRIO}",
        r"{REF}{IS}\s+(?:now\s+)?{PRIO}",
    ),
    *rules(
        _shift_priority(1),
        r"(?:bump|boost)\s+(?:up\s+)?{REF}(?:\s+up)?",
        r"(?:raise|increase|bump(?:\s+up)?)\s+(?:the\s+)?priority\s+(?:of|for|on)\s+{REF}",
        r"(?:raise|increase|bump(?:\s+up)?)\s+{REF}(?:'s)?\s+priority",
        r"(?:prioriti[sz]e)\s+{REF}",
    ),
    *rules(
        _shift_priority(-1),
        r"(?:lower|decrease|reduce|drop)\s+(?:the\s+)?priority\s+(?:of|for|on)\s+{REF}",
        r"(?:lower|decrease|reduce|drop)\s+{REF}(?:'s)?\s+priority",
        r"(?:deprioriti[sz]e)\s+{REF}",
    ),
]

RENAME = rules(
    _rename,
    r"(?:rename|retitle)\s+{REF}\s+(?:to|as|into)\s+(?P<title>.+)",
    r"(?:change|set|update)\s+(?:the\s+)?(?:title|name)\s+(?:of|for|on)\s+{REF}"
    r"\s+to\s+(?P<title>.+)",
    r"(?:change|set|update)\s+{REF}(?:'s)?\s+(?:title|name)\s+to\s+(?P<title>.+)",
    r"call\s+{REF}\s+(?P<title>[\ue000-\ue0ff])\s+instead",
)

DELETE = [
    rule(
        r"(?:delete|remove|drop|trash|erase|discard|get\s+rid\s+of|throw\s+away|scrap|cancel)"
        r"\s+{REF}(?:\s+from\s+(?:my\s+|the\s+)?(?:list|tasks))?",
        lambda match, message: DeleteTask(message.ref(match["ref"])),
    ),
]
