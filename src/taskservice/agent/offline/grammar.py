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

from datetime import date

from taskservice.agent.offline.changing import CHANGE
from taskservice.agent.offline.creating import create
from taskservice.agent.offline.finding import CHOOSE, COUNT, LIST, SEARCH, SHOW, SUMMARY
from taskservice.agent.offline.intents import Intent, Unknown
from taskservice.agent.offline.rules import Rule, clean

_RULES: tuple[Rule, ...] = (
    CHOOSE,
    *SUMMARY,
    *CHANGE,
    *SHOW,
    *COUNT,
    *LIST,
    *SEARCH,
    create,
)


def parse(text: str, today: date) -> Intent:
    """The one intent ``text`` expresses (``Unknown(text)`` if none); ``today`` anchors dates."""
    message = clean(text, today)
    for rule in _RULES if message.text else ():
        if (intent := rule(message)) is not None:
            return intent
    return Unknown(text)
