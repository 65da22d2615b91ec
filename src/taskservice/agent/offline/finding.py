"""The grammar's find rules: summary, show, count, list, search and choosing a task.

Filters ("open", "tagged #work", "due this week", "sorted by priority") are read by
``filters``; today's agenda, the next tasks and "show more" are in ``agenda``.
"""

import re

from taskservice.agent.offline.filters import read_filters
from taskservice.agent.offline.intents import (
    CountTasks,
    Intent,
    ListTasks,
    ShowTask,
    Summary,
)
from taskservice.agent.offline.rules import (
    Build,
    Message,
    rule,
    rules,
)

_I = re.IGNORECASE


def _list(need_noun: bool) -> Build:
    def build(match: re.Match[str], message: Message) -> Intent | None:
        parsed = read_filters(match["rest"], message)
        if parsed is None or not (parsed[1] or (parsed[0] != ListTasks() and not need_noun)):
            return None
        return parsed[0]

    return build


def _count(match: re.Match[str], message: Message) -> Intent | None:
    parsed = read_filters(match["rest"] or "", message)
    if parsed is None:
        return None
    found = parsed[0]
    if found in (ListTasks(), ListTasks(open_only=True)):
        return CountTasks(None)
    if found == ListTasks(statuses=found.statuses) and len(found.statuses) == 1:
        return CountTasks(found.statuses[0])
    return found


def _search(match: re.Match[str], message: Message) -> Intent | None:
    parsed = read_filters(match["query"], message)
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
    r"(?:what|how)(?:'s|s|\s+is|\s+are|\s+about)\s+(?:the\s+)?(?:status|state|details?|progress)"
    r"\s+(?:of|for|on|with)\s+{REF}",
    r"(?:the\s+)?(?:status|state|progress)\s+(?:of|for|on)\s+{REF}",
    r"what(?:'s|s|\s+is)\s+{REF}'s\s+(?:status|state|progress)",
    r"how(?:'s|s|\s+is)\s+{REF}\s+(?:going|coming\s+along|doing)",
    r"where\s+(?:am\s+i|are\s+we|do\s+i\s+stand)\s+(?:with|on)\s+{REF}",
    r"(?:is|was)\s+{REF}\s+(?:{STATUS}|{PRIO}|overdue|late|due\s+.+)(?:\s+yet)?",
    r"(?:the\s+)?(?:details|info(?:rmation)?|more)\s+(?:of|on|about|for)\s+{REF}",
    r"tell\s+me\s+(?:more\s+)?about\s+{REF}",
    r"{NAMED}\s+(?:details|info)",
)
COUNT = rules(_count, r"how\s+many(?:\s+(?P<rest>.+))?", r"(?:count|number\s+of)\s+(?P<rest>.+)")
LIST = [
    *rules(
        _list(need_noun=False),
        r"(?:show|list|display|get|give|view|see|print|fetch|pull\s+up|bring\s+up|tell|find"
        r"|search\s+for|look\s+up|sort|order|rank)(?:\s+me)?\s+(?P<rest>.+)",
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
