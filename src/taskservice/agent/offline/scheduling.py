"""The grammar's due-date rules: set, clear, and push by a span ("by 3 days", "to next week").

A push is counted from the task's due date, or from today if it has none; the model
reads the task before it writes. "to next week" is a push by a week, whatever the verb.
"""

import re

from taskservice.agent.offline.dates import DATE_PATTERN, SPAN_PATTERN, parse_date, parse_days
from taskservice.agent.offline.intents import (
    Clarify,
    Intent,
    SetDueDate,
    ShiftDueDate,
    Unknown,
)
from taskservice.agent.offline.rules import Message, rules

_NEXT_WEEK = re.compile(r"next\s+week", re.IGNORECASE)
_DATE_SHAPE = re.compile(DATE_PATTERN, re.IGNORECASE)
_PREFIX = re.compile(r"^(?:due\s+(?:on\s+|by\s+)?|on\s+|by\s+)", re.IGNORECASE)
PUSH_QUESTION = (
    "By how much? For example 'push it by 2 days', 'push it to next week' or 'move it to friday'."
)


def _due(match: re.Match[str], message: Message) -> Intent | None:
    """A date, or ``Unknown`` for one that does not exist ("feb 30"); words that are no date
    at all ("to the top") leave the message to other rules."""
    phrase = match["date"].strip()
    if _NEXT_WEEK.fullmatch(phrase):
        return ShiftDueDate(message.ref(match["ref"]), 7)
    if not _DATE_SHAPE.fullmatch(_PREFIX.sub("", phrase)):
        return None
    due = parse_date(phrase, message.today)
    if due is None:
        return Unknown(message.original)
    return SetDueDate(message.ref(match["ref"]), due)


def _shift(match: re.Match[str], message: Message) -> Intent | None:
    days = parse_days(match["span"])
    if days is None:
        return None
    return ShiftDueDate(message.ref(match["ref"]), -days if match["earlier"] else days)


_MOVE = r"(?:move|reschedule|postpone|push|defer|delay|shift|change|schedule|set|bump|put\s+off)"
_PUSH = r"(?:postpone|push|defer|delay|shift|move|bump|put\s+off|kick)"

DUE = [
    *rules(
        _due,
        r"(?:set|change|update|make|move)\s+(?:the\s+)?(?:{DUE}|due)\s+(?:of|for|on)\s+{REF}"
        r"\s+(?:to|as|for|on)\s+(?P<date>.+)",
        r"(?:set|change|update|move)\s+{REF}(?:'s)?\s+{DUE}\s+(?:to|as|for)\s+(?P<date>.+)",
        r"(?:set|change|update)\s+(?:the\s+)?{DUE}\s+to\s+(?P<date>.+?)\s+(?:for|on|of)\s+{REF}",
        rf"{_MOVE}\s+{{REF}}\s+(?:back\s+|out\s+)?(?:to|until|till|for|on)\s+(?P<date>.+)",
        r"{REF}{IS}?\s+(?:now\s+)?due\s+(?:on\s+|by\s+)?(?P<date>.+)",
        r"(?:make|set)\s+{REF}\s+due\s+(?:on\s+|by\s+)?(?P<date>.+)",
    ),
    *rules(
        _shift,
        rf"{_PUSH}\s+{{REF}}\s+(?:back\s+|out\s+|(?P<earlier>forward\s+|up\s+|earlier\s+))?"
        rf"(?:by\s+)?(?P<span>{SPAN_PATTERN})(?:\s+(?:later|earlier))?",
        rf"(?:push|move|shift)\s+(?:back\s+)?(?:the\s+)?(?:{{DUE}}|due)\s+(?:of|for|on)\s+{{REF}}"
        rf"\s+(?:back\s+)?by\s+(?P<span>{SPAN_PATTERN})",
    ),
    *rules(
        lambda match, message: SetDueDate(message.ref(match["ref"]), None),
        r"(?:remove|clear|delete|drop|unset|reset)\s+(?:the\s+)?{DUE}\s+(?:of|from|for|on)\s+{REF}",
        r"(?:remove|clear|delete|drop|unset|reset)\s+{REF}(?:'s)?\s+{DUE}",
        r"{REF}\s+(?:has|needs)\s+no\s+{DUE}",
        r"(?:unschedule)\s+{REF}",
        r"(?:there's|there\s+is)\s+no\s+{DUE}\s+(?:for|on)\s+{REF}(?:\s+any\s*more)?",
    ),
    *rules(
        lambda match, message: Clarify(PUSH_QUESTION),
        r"(?:postpone|push\s+back|defer|delay|put\s+off)\s+{REF}(?:\s+(?:a\s+bit|later))?",
        r"(?:push|move)\s+{REF}\s+(?:back|later|out)",
    ),
]
