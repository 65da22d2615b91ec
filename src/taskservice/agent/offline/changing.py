"""The grammar's change rules: status, priority, due date, rename, tags and delete."""

import re

from taskservice.agent.offline.dates import parse_date
from taskservice.agent.offline.intents import (
    AddTags,
    DeleteTask,
    Intent,
    Rename,
    SetDueDate,
    SetPriority,
    SetStatus,
    StatusName,
    Unknown,
)
from taskservice.agent.offline.rules import (
    PRIORITIES,
    STATUS_VERBS,
    STATUSES,
    Build,
    Message,
    lookup,
    parse_tags,
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


def _due(match: re.Match[str], message: Message) -> Intent:
    due = parse_date(match["date"], message.today)
    if due is None:
        return Unknown(message.original)
    return SetDueDate(message.ref(match["ref"]), due)


def _rename(match: re.Match[str], message: Message) -> Intent | None:
    title = message.restore(match["title"])
    return Rename(message.ref(match["ref"]), title) if title else None


def _add_tags(match: re.Match[str], message: Message) -> Intent | None:
    tags = parse_tags(match["tags"])
    return AddTags(message.ref(match["ref"]), tags) if tags else None


CHANGE = [
    *rules(
        _status,
        r"(?:mark|set|flag|move|put|change)\s+{REF}\s+(?:as\s+|to\s+|in(?:to)?\s+)?{STATUS}",
        r"(?:set|change|update)\s+(?:the\s+)?status\s+(?:of|for|on)\s+{REF}\s+(?:to|as)\s+{STATUS}",
        r"(?:set|change|update)\s+{REF}(?:'s)?\s+status\s+(?:to|as)\s+{STATUS}",
        r"{REF}{IS}?\s+(?:now\s+)?(?:marked\s+(?:as\s+)?)?{STATUS}(?:\s+now)?",
    ),
    rule(rf"(?P<verb>{table(STATUS_VERBS)})\s+{{REF}}", _status_verb),
    rule(r"(?:put|place)\s+{REF}\s+on\s+hold", _fixed_status("blocked")),
    rule(
        r"(?:i(?:'ve|\s+have)?\s+|i'm\s+|i\s+am\s+)?(?:finished|completed|closed|done)"
        r"(?:\s+with)?\s+{REF}",
        _fixed_status("done"),
    ),
    rule(
        r"(?:i'm|i\s+am)\s+(?:now\s+)?(?:working\s+on|starting|doing)\s+{REF}",
        _fixed_status("in_progress"),
    ),
    *rules(
        _priority,
        r"(?:set|change|update|make)\s+(?:the\s+)?priority\s+(?:of|for|on)\s+{REF}"
        r"\s+(?:to|as)\s+{PRIO}",
        r"(?:set|change|update)\s+{REF}(?:'s)?\s+priority\s+(?:to|as)\s+{PRIO}",
        r"(?:set|change|update|make)\s+(?:the\s+)?priority\s+(?:to\s+)?{PRIO}"
        r"\s+(?:for|on|of)\s+{REF}",
        r"(?:make|set|mark|change|flag)\s+{REF}\s+(?:to\s+|as\s+)?{PRIO}",
        r"{REF}{IS}\s+(?:now\s+)?{PRIO}",
    ),
    *rules(
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
    *rules(
        lambda match, message: SetDueDate(message.ref(match["ref"]), None),
        r"(?:remove|clear|delete|drop|unset|reset)\s+(?:the\s+)?{DUE}\s+(?:of|from|for|on)\s+{REF}",
        r"(?:remove|clear|delete|unset)\s+{REF}(?:'s)?\s+{DUE}",
        r"{REF}\s+(?:has|needs)\s+no\s+{DUE}",
    ),
    *rules(
        _rename,
        r"(?:rename|retitle)\s+{REF}\s+(?:to|as|into)\s+(?P<title>.+)",
        r"(?:change|set|update)\s+(?:the\s+)?(?:title|name)\s+(?:of|for|on)\s+{REF}"
        r"\s+to\s+(?P<title>.+)",
        r"(?:change|set|update)\s+{REF}(?:'s)?\s+(?:title|name)\s+to\s+(?P<title>.+)",
    ),
    *rules(
        _add_tags,
        r"(?:tag|label)\s+{REF}\s+(?:with\s+|as\s+)?(?:the\s+)?(?:(?:tags?|labels?)\s+)?"
        r"(?P<tags>.+)",
        r"add\s+(?:the\s+)?(?:tags?|labels?)\s+(?P<tags>.+?)\s+(?:to|on)\s+{REF}",
        r"add\s+(?P<tags>#\S+(?:(?:\s*,\s*|\s+and\s+|\s+)#\S+)*)\s+to\s+{REF}",
    ),
    rule(
        r"(?:delete|remove|drop|trash|erase|discard|get\s+rid\s+of|throw\s+away)\s+{REF}"
        r"(?:\s+from\s+(?:my\s+|the\s+)?(?:list|tasks))?",
        lambda match, message: DeleteTask(message.ref(match["ref"])),
    ),
]
