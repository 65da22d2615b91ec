"""The grammar's agenda rules: today's plate, what to work on next, "show more", and the
questions of a conversation focused on one task ("help me finish this")."""

import re

from taskservice.agent.offline.intents import (
    Intent,
    ListTasks,
    MoreResults,
    NextTasks,
    Progress,
    ProgressKind,
    TaskRef,
)
from taskservice.agent.offline.rules import Build, Message, rules

_NUMBER_WORDS = {"one": 1, "two": 2, "three": 3, "four": 4, "five": 5, "ten": 10}


def _plate(match: re.Match[str], message: Message) -> Intent:
    """Due today or earlier, and not done: what needs doing today."""
    return ListTasks(due_to=message.today, open_only=True)


def _next(match: re.Match[str], message: Message) -> Intent | None:
    count = (match.groupdict().get("count") or "5").lower()
    limit = _NUMBER_WORDS.get(count) or (int(count) if count.isdigit() else 0)
    return NextTasks(limit) if 1 <= limit <= 20 else None


def _progress(kind: ProgressKind) -> Build:
    def build(match: re.Match[str], message: Message) -> Intent:
        ref = match.groupdict().get("ref")
        return Progress(message.ref(ref) if ref else TaskRef(pronoun=True), kind)

    return build


def _focused(kind: ProgressKind) -> Build:
    """Only in a conversation about one task: there, "what's left?" is about that task."""

    def build(match: re.Match[str], message: Message) -> Intent | None:
        return Progress(TaskRef(pronoun=True), kind) if message.focused else None

    return build


_TODAY = r"(?:\s+(?:for\s+)?(?:today|tonight|this\s+morning|this\s+afternoon|right\s+now|now))"
PLATE = rules(
    _plate,
    rf"(?:what(?:'s|s|\s+is)|anything)\s+on\s+(?:my|the)\s+(?:plate|agenda|schedule){_TODAY}?",
    r"what\s+(?:do|must|should)\s+i\s+(?:(?:still\s+)?(?:have|need)\s+to\s+)?(?:do|get\s+done)"
    + _TODAY,
    rf"what\s+(?:do\s+i\s+have|have\s+i\s+got|needs?\s+(?:doing|to\s+be\s+done)){_TODAY}",
    r"(?:show\s+me\s+|what(?:'s|s|\s+is)\s+)?(?:my\s+)?(?:today's\s+)?(?:agenda|plan|plate)"
    r"(?:\s+for\s+today|\s+today)?",
    r"what\s+does\s+(?:my\s+)?today\s+look\s+like|how\s+does\s+(?:my\s+)?today\s+look",
)

_COUNT = r"(?P<count>\d{1,2}|one|two|three|four|five|ten)"
NEXT = [
    *rules(
        lambda match, message: NextTasks(1),
        r"what(?:'s|s|\s+is)\s+(?:my|the)\s+next\s+(?:task|thing(?:\s+to\s+do)?)",
    ),
    *rules(
        _next,
        r"what\s+(?:should|shall|do|can|could|must)\s+i\s+(?:work\s+on|do|tackle|focus\s+on|start"
        r"(?:\s+with)?|pick(?:\s+up)?)(?:\s+(?:next|now|first))?",
        r"what(?:'s|s|\s+is)\s+(?:up\s+)?next|what\s+next|what\s+to\s+do\s+next|next\s+up",
        r"what(?:'s|s|\s+is|\s+are)\s+(?:the\s+|my\s+)?(?:most\s+important|top|highest\s+priority)"
        r"(?:\s+(?:tasks?|things?))?",
        r"what\s+are\s+my\s+(?:top\s+)?priorities|(?:suggest|recommend)\s+(?:a\s+|some\s+)?"
        r"(?:tasks?|something)",
        rf"(?:(?:show|give|list|get)(?:\s+me)?\s+)?(?:my\s+|the\s+)?(?:top|next)(?:\s+{_COUNT})?"
        r"(?:\s+(?:tasks?|things?|priorities))?",
    ),
]

MORE = rules(
    lambda match, message: MoreResults(),
    r"(?:show\s+|see\s+|load\s+|give\s+me\s+|list\s+)?(?:me\s+)?(?:some\s+|the\s+)?"
    r"(?:more|next|rest)(?:\s+(?:ones|results|of\s+them|of\s+the\s+list))?"
    r"(?:\s+(?:please|too))?",
    r"(?:show\s+|see\s+|go\s+to\s+)?(?:the\s+)?next\s+page|(?:and\s+)?the\s+rest|keep\s+going"
    r"|continue(?:\s+the\s+list)?|what\s+else|any\s+more|anything\s+else\s+on\s+the\s+list",
)

_ON = r"(?:\s+(?:on|for|with|in|of|to)\s+{REF})"
PROGRESS = [
    *rules(
        _progress("finish"),
        r"help\s+me\s+(?:to\s+)?(?:finish|complete|get\s+(?:through|done\s+with)|do|with|wrap\s+up)"
        r"\s+{REF}",
        r"help\s+me\s+get\s+{REF}\s+done",
        r"how\s+(?:do|can|should)\s+i\s+(?:finish|complete|get\s+through|approach|tackle)\s+{REF}",
        r"(?:what\s+are\s+)?(?:the\s+)?next\s+steps?" + _ON,
        r"where\s+do\s+i\s+start(?:\s+with\s+{REF})",
    ),
    *rules(
        _progress("left"),
        r"what(?:'s|s|\s+is)\s+(?:still\s+)?(?:left|remaining|missing)(?:\s+to\s+do)?" + _ON,
        r"what\s+(?:remains|is\s+left)(?:\s+to\s+do)?" + _ON,
        r"how\s+much\s+(?:is\s+)?(?:left|remains)" + _ON,
    ),
    *rules(
        _progress("breakdown"),
        r"break\s+{REF}\s+(?:down|up)(?:\s+(?:into|in)\s+(?:smaller\s+)?(?:steps|parts|pieces))?",
        r"break\s+(?:down|up)\s+{REF}",
        r"split\s+{REF}\s+(?:up|into\s+(?:smaller\s+)?(?:steps|parts|pieces|tasks))",
        r"what\s+are\s+the\s+steps\s+(?:of|for|in|to)\s+{REF}",
    ),
]
FOCUSED = [
    *rules(
        _focused("finish"),
        r"help\s+me(?:\s+out)?|what\s+(?:should|do)\s+i\s+do(?:\s+(?:next|now|first))?"
        r"|(?:what\s+are\s+)?(?:the\s+)?next\s+steps?|where\s+do\s+i\s+start|how\s+do\s+i\s+finish",
    ),
    *rules(
        _focused("left"),
        r"what(?:'s|s|\s+is)\s+(?:still\s+)?(?:left|remaining|missing)(?:\s+to\s+do)?"
        r"|what\s+remains|how\s+much\s+(?:is\s+)?left",
    ),
    *rules(_focused("breakdown"), r"break\s+(?:it\s+)?down|split\s+(?:it\s+)?up"),
]
"""Questions that are about the focused task only in a conversation that has one."""
