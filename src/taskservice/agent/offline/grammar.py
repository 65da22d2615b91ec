"""The offline model's command grammar: one user message to exactly one ``Intent``.

Pure and deterministic: no clock (``today`` is passed in), no I/O. The message is cleaned
first (``rules.clean``): quoted text ('...', "...", and typographic quotes) is set aside so
that words inside a quoted title never act as commands; whitespace is collapsed;
politeness ("please", "can you"), greetings, thanks and trailing punctuation are dropped,
and remembered. Then the rules are tried in order, each matching the whole cleaned message:

1. conversation (greetings, "which one?" answers, help, undo), bulk changes, then every
   rule with tasks named by id, quoted title or pronoun, then the find rules;
2. the change and show rules again, now with tasks named by unquoted title ("mark buy
   milk as done"), so that a title never shadows a more specific rule;
3. create.

"I need to X" creates X, unless X tells the assistant to act on a task it names ("I need
to mark task 3 as done"); "I need to finish task 3" is a question about task 3, never a
change. A message no rule matches that names a task (by id or quoted title, or "<verb>
the <title>") is ``AboutTask``: nothing is changed, the answer says what can be done for
that task. Anything else is ``Unknown(text)``, with the message exactly as received. A
date that is essential but does not exist ("move task 7 to 2026-02-30") makes the message
``Unknown`` too, never a guess.
"""

import re
from collections.abc import Callable, Iterable
from datetime import date

from taskservice.agent.offline.agenda import FOCUSED, MORE, NEXT, PLATE, PROGRESS
from taskservice.agent.offline.bulk import BULK
from taskservice.agent.offline.changing import DELETE, PRIORITY, RENAME, STATUS
from taskservice.agent.offline.creating import create, create_from_obligation
from taskservice.agent.offline.details import DESCRIPTION, TAGS
from taskservice.agent.offline.finding import COUNT, LIST, SEARCH, SHOW, SUMMARY
from taskservice.agent.offline.intents import (
    CHANGE_INTENTS,
    AboutTask,
    Clarify,
    Intent,
    ListTasks,
    Progress,
    TaskRef,
    Unknown,
)
from taskservice.agent.offline.rules import Message, Rule, clean, loose_title
from taskservice.agent.offline.scheduling import DUE
from taskservice.agent.offline.talking import CHOOSE, TALK, UNDO, small_talk

_I = re.IGNORECASE
_CHANGE: tuple[Rule, ...] = (
    *DESCRIPTION,
    *TAGS,
    *STATUS,
    *PRIORITY,
    *DUE,
    *RENAME,
    *DELETE,
    *PROGRESS,
    *SHOW,
)
_FIRST: tuple[Rule, ...] = (CHOOSE, *FOCUSED, *TALK, *UNDO, *BULK, *SUMMARY)
_FIND: tuple[Rule, ...] = (*COUNT, *PLATE, *MORE, *NEXT, *LIST, *SEARCH)
_COMMAND = re.compile(
    r"(?:mark|set|change|update|move|put|flag|switch|make|rename|retitle|tag|untag|label"
    r"|delete|remove|drop|add|clear|push|postpone|reschedule|defer|bump|raise|lower|list"
    r"|show|count|undo|give|tell|create)\b",
    _I,
)
_NAMED_TASK = re.compile(r"(?:\btask\s+(?:(?:number|no\.?|id)\s*)?#?|(?<![\w#&])#)(\d+)\b", _I)
_QUOTE = re.compile("[\ue000-\ue0ff]")
_VERB_THE_TITLE = re.compile(
    r"(?P<verb>[a-z]+)\s+(?:the|my)\s+(?P<title>[\w' -]+?)(?:\s+(?:task|to-?do))?", _I
)
_NOT_VERBS = re.compile(
    r"what|which|who|why|how|when|where|is|are|was|were|do|does|did|can|could|should|would"
    r"|will|i|you|it|tell|show|see|get|give|find|search|look|help|about",
    _I,
)


def _rules(message: Message) -> Iterable[Callable[[], Intent | None]]:
    yield lambda: small_talk(message)
    for rule in (*_FIRST, *_CHANGE, *_FIND):
        yield lambda rule=rule: rule(message)  # type: ignore[misc]
    for rule in _CHANGE:
        yield lambda rule=rule: rule(message, free=True)  # type: ignore[misc]
    yield lambda: create(message)


def _about_task(message: Message) -> Intent | None:
    """A task named with a verb no rule knows: which task, and the verb."""
    if match := _NAMED_TASK.search(message.text):
        verb = message.text[: match.start()].split()[:1]
        return AboutTask(TaskRef(id=int(match[1])), verb[0].lower() if verb else "")
    if quote := _QUOTE.search(message.text):
        verb = message.text[: quote.start()].split()[:1]
        ref = TaskRef(title=message.restore(quote[0]))
        return AboutTask(ref, verb[0].lower() if verb else "")
    match = _VERB_THE_TITLE.fullmatch(message.text)
    if match and not _NOT_VERBS.fullmatch(match["verb"]) and len(message.text.split()) <= 6:
        title = loose_title(match["title"])
        if title is not None:
            return AboutTask(TaskRef(title=title, loose=True), match["verb"].lower())
    return None


def _obligation(message: Message, intent: Intent | None) -> Intent | None:
    """What "I need to X" asks: X itself when it tells the assistant to act on a task it
    names; help with a task it names ("I need to finish task 3"); else a new task X."""
    ref: TaskRef | None = getattr(intent, "ref", None)
    vague = intent is None or isinstance(intent, Unknown | Clarify | AboutTask)
    vague = vague or (isinstance(intent, ListTasks) and intent.query is not None)
    acts = ref is None or not ref.loose or isinstance(intent, CHANGE_INTENTS)
    if not vague and _COMMAND.match(message.text) and acts:
        return intent
    if ref is not None and not ref.loose and not vague:
        return Progress(ref, "finish")
    return create_from_obligation(message) or intent


def parse(text: str, today: date, *, focused: bool = False) -> Intent:
    """The one intent ``text`` expresses (``Unknown(text)`` if none); ``today`` anchors
    dates; ``focused``: the conversation is about one task ("what's left?" means it)."""
    message = clean(text, today, focused=focused)
    intent: Intent | None = None
    for attempt in _rules(message) if message.original.strip() else ():
        if (intent := attempt()) is not None:
            break
    if message.obligation:
        intent = _obligation(message, intent)
    if intent is None and message.text:
        intent = _about_task(message)
    return intent if intent is not None else Unknown(text)
