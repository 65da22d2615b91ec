"""The input guardrail every run starts with: the pre-filter, then (with a real model)
the model guardrail. Either one refuses politely, and the run ends with no tool call.

It is an SDK input guardrail in blocking mode (``run_in_parallel=False``): it decides
before the first model call of the run, so nothing is streamed and no tool runs when it
trips. It runs for a new message only, never when a paused run resumes. Task data that
tools return never reaches it: that reaches the model only as tool output.
"""

import logging
import re
from collections.abc import Awaitable, Callable
from typing import Any

from agents import (
    Agent,
    GuardrailFunctionOutput,
    InputGuardrail,
    RunContextWrapper,
    TResponseInputItem,
)

from taskservice.agent.context import AgentContext
from taskservice.agent.guardrails.prefilter import override_in
from taskservice.agent.guardrails.relevance import (
    RelevanceJudge,
    last_user_text,
    previous_reply,
)
from taskservice.db import DbSessionMaker
from taskservice.tasks.listing import SortOrder, TaskFilters
from taskservice.tasks.repository import TaskRepository

logger = logging.getLogger("taskservice.agent")

OFF_TOPIC_REPLY = (
    "Sorry, I can only help with your tasks: creating them, changing them and finding "
    "them. For example: 'add a task to buy milk', 'mark task 3 as done', 'what is overdue?'."
)
INJECTION_REPLY = (
    "Sorry, I can't change how I work. I can help with your tasks: for example 'list my "
    "tasks' or 'add a task to call the bank tomorrow'."
)
OVERRIDE = "override"
OFF_TOPIC = "off_topic"
REPLIES = {OVERRIDE: INJECTION_REPLY, OFF_TOPIC: OFF_TOPIC_REPLY}

# The titles of the user's tasks that contain a word: read only when the pre-filter
# would refuse a message, to leave out the titles the message quotes.
TitleLookup = Callable[[int, str], Awaitable[list[str]]]
TITLES_READ = 50


def own_titles(db_sessions: DbSessionMaker) -> TitleLookup:
    """Reads, in a short session of its own, titles of the user's tasks containing a word."""

    async def titles(user_id: int, word: str) -> list[str]:
        async with db_sessions() as db:
            page = await TaskRepository(db, user_id).list_tasks(
                TaskFilters(q=word), SortOrder.parse(None), limit=TITLES_READ
            )
        return [task.title for task in page.items]

    return titles


_WHY = {
    OVERRIDE: "an attempt to override the assistant's instructions",
    OFF_TOPIC: "not about the user's tasks",
}


def refusal_detail(info: dict[str, Any]) -> str:
    """Why a run was refused, for its record (``detail``); never the message itself."""
    why = _WHY.get(str(info.get("reason")), "unknown")
    return f"Refused by the {info.get('by', 'guardrail')}: {why}."


def _refused(reason: str, by: str) -> GuardrailFunctionOutput:
    return GuardrailFunctionOutput(
        output_info={"reason": reason, "by": by, "reply": REPLIES[reason]},
        tripwire_triggered=True,
    )


def task_guardrail(
    judge: RelevanceJudge | None, titles: TitleLookup
) -> InputGuardrail[AgentContext]:
    """The guardrail, judging with ``judge`` after the pre-filter (None: the pre-filter
    only, as with the offline model or ``TASKSERVICE_AGENT_GUARDRAIL=off``)."""

    async def screen(
        ctx: RunContextWrapper[AgentContext],
        agent: Agent[Any],
        items: str | list[TResponseInputItem],
    ) -> GuardrailFunctionOutput:
        message = last_user_text(items)
        found = override_in(message)
        if found is not None:
            longest = max(re.findall(r"[a-z0-9]+", found), key=len, default=found)
            found = override_in(message, await titles(ctx.context.user_id, longest))
        if found is not None:
            logger.info("run %s refused by the pre-filter", ctx.context.run_id)
            return _refused(OVERRIDE, "pre-filter")
        if judge is not None:
            verdict = await judge.judge(message, previous_reply(items), ctx.context)
            reason = None
            if verdict.is_override_attempt:
                reason = OVERRIDE
            elif not verdict.is_about_tasks:
                reason = OFF_TOPIC
            if reason is not None:
                logger.info("run %s refused by the model guardrail: %s", ctx.context.run_id, reason)
                return _refused(reason, "model guardrail")
        return GuardrailFunctionOutput(output_info=None, tripwire_triggered=False)

    return InputGuardrail(guardrail_function=screen, name="task_guardrail", run_in_parallel=False)
