"""The input guardrail: requests not about the user's tasks, and attempts to
override the agent's instructions, are turned away politely, with no tool call.

It runs in blocking mode (``run_in_parallel=False``): it decides before the
first model call, so nothing is streamed and no tool runs when it trips. It is
deterministic on purpose: it costs no model call, works offline, and cannot
itself be talked out of its rules. Messages inside task data never reach it;
they reach the model only as tool output.
"""

import re
from typing import Any

from agents import (
    Agent,
    GuardrailFunctionOutput,
    RunContextWrapper,
    TResponseInputItem,
    input_guardrail,
)

from taskservice.agent.context import AgentContext

OFF_TOPIC_REPLY = (
    "Sorry, I can only help with your tasks: creating them, changing them and finding "
    "them. For example: 'add a task to buy milk', 'mark task 3 as done', 'what is overdue?'."
)
INJECTION_REPLY = (
    "Sorry, I can't change how I work. I can help with your tasks: for example 'list my "
    "tasks' or 'add a task to call the bank tomorrow'."
)

_INJECTION = re.compile(
    r"\b(ignore|disregard|forget|override|bypass)\b.{0,60}?"
    r"\b(instructions?|rules|prompts?|guidelines|guardrails?|polic(y|ies)|restrictions)\b"
    r"|\bsystem\s+(prompt|message|instructions?)\b"
    r"|\byou\s+are\s+(now|no\s+longer)\b"
    r"|\b(developer|god|dan)\s+mode\b"
    r"|\bjailbreak"
    r"|\bpretend\s+(to\s+be|you\s+are)\b"
    r"|\b(reveal|show|print|repeat)\b.{0,30}?\b(your|the)\s+(prompt|instructions)\b"
    r"|\bnew\s+instructions\b",
    re.IGNORECASE | re.DOTALL,
)
_TASK_TALK = re.compile(
    r"#\w|\b("
    r"tasks?|todos?|to-dos?|due|overdue|deadlines?|priority|priorities|urgent|tag|tags|tagged|"
    r"mark|complete|completed|finish|finished|start|started|begin|reopen|rename|reschedule|"
    r"move|postpone|delete|remove|drop|add|create|new|list|show|search|find|summary|summarize|"
    r"status|report|done|blocked|progress|remind|plan|open"
    r")\b",
    re.IGNORECASE,
)
_BARE_ANSWER = re.compile(r"^\s*(#?\d+|yes|no|ok|okay|thanks?|thank\s+you)[\s.!?]*$", re.I)


def last_user_text(items: str | list[TResponseInputItem]) -> str:
    if isinstance(items, str):
        return items
    for item in reversed(items):
        if isinstance(item, dict) and item.get("role") == "user":
            content: Any = item.get("content")
            if isinstance(content, str):
                return content
            if isinstance(content, list):
                return " ".join(
                    str(part.get("text", "")) for part in content if isinstance(part, dict)
                )
    return ""


def classify(text: str) -> str | None:
    """``prompt_injection``, ``off_topic``, or None when the message may proceed."""
    if _INJECTION.search(text):
        return "prompt_injection"
    if _BARE_ANSWER.match(text) or _TASK_TALK.search(text):
        return None
    return "off_topic"


@input_guardrail(name="task_topic", run_in_parallel=False)
async def task_topic_guardrail(
    ctx: RunContextWrapper[AgentContext],
    agent: Agent[AgentContext],
    items: str | list[TResponseInputItem],
) -> GuardrailFunctionOutput:
    reason = classify(last_user_text(items))
    reply = INJECTION_REPLY if reason == "prompt_injection" else OFF_TOPIC_REPLY
    return GuardrailFunctionOutput(
        output_info={"reason": reason, "reply": reply if reason else None},
        tripwire_triggered=reason is not None,
    )
