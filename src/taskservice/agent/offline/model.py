"""The built-in offline model: a deterministic ``Model`` for a fixed grammar.

It plays each agent honestly, from what a real model would see: the tools and
handoffs the SDK declares tell it which agent it is, the conversation tells it
what was asked and what the tools returned. As triage it calls the real
``transfer_to_...`` handoff tool; as a specialist it calls the real function
tools; once their outputs are in, it writes the reply from them. Outside its
grammar it says what it can do, and calls nothing.
"""

from collections.abc import AsyncIterator
from dataclasses import replace
from datetime import date
from typing import Any, cast

from agents.agent_output import AgentOutputSchemaBase
from agents.handoffs import Handoff
from agents.items import ModelResponse, TResponseInputItem, TResponseOutputItem
from agents.model_settings import ModelSettings
from agents.models.interface import Model, ModelTracing
from agents.tool import Tool
from agents.usage import Usage
from openai.types.responses.response_prompt_param import ResponsePromptParam

from taskservice.agent.offline import intents as i
from taskservice.agent.offline.answers import answer
from taskservice.agent.offline.conversation import (
    ToolResult,
    as_items,
    focus_from,
    is_assistant_text,
    is_user,
    last_user_index,
    text_of,
    today_from,
    tool_results,
)
from taskservice.agent.offline.grammar import parse
from taskservice.agent.offline.plans import Situation, step
from taskservice.agent.offline.streaming import function_call, message, new_id, stream_events

_ROLE_BY_TOOL = {"create_task": "planner", "set_status": "editor", "status_summary": "reporter"}


def specialist_for(intent: i.Intent) -> str | None:
    if isinstance(intent, i.CREATE_INTENTS):
        return "planner"
    if isinstance(intent, i.CHANGE_INTENTS):
        return "editor"
    if isinstance(intent, i.FIND_INTENTS):
        return "reporter"
    return None


def _pending_question(history: list[dict[str, Any]], today: date, focused: bool) -> i.Intent | None:
    """The request behind the last "which one?" question, if that was our last word."""
    for index in range(len(history) - 1, -1, -1):
        item = history[index]
        if is_assistant_text(item):
            if "Which one? Answer with its id." not in text_of(item):
                return None
            for earlier in range(index - 1, -1, -1):
                if is_user(history[earlier]):
                    return parse(text_of(history[earlier]), today, focused=focused)
            return None
        if is_user(item):
            return None
    return None


def _with_ref(intent: i.Intent, ref: i.TaskRef) -> i.Intent:
    changed: i.Intent = replace(cast(Any, intent), ref=ref) if hasattr(intent, "ref") else intent
    return changed


class _Turn:
    """One model call: who we are playing, what was asked, what happened so far."""

    def __init__(
        self,
        instructions: str | None,
        raw: str | list[Any],
        tools: list[Tool],
        handoffs: list[Handoff[Any, Any]],
    ) -> None:
        self.items = as_items(raw)
        self.handoff_tools = {h.agent_name: h.tool_name for h in handoffs}
        names = {getattr(t, "name", "") for t in tools}
        self.role = next((r for n, r in _ROLE_BY_TOOL.items() if n in names), "triage")
        self.today = today_from(instructions)
        self.focus = focus_from(instructions)
        index = last_user_index(self.items)
        self.history = self.items[: max(index, 0)]
        self.turn = self.items[index + 1 :]
        text = text_of(self.items[index]) if index >= 0 else ""
        focused = self.focus is not None
        intent = parse(text, self.today, focused=focused)
        if isinstance(intent, i.ChooseTask):
            pending = _pending_question(self.history, self.today, focused)
            ref = i.TaskRef(id=intent.id)
            intent = _with_ref(pending, ref) if pending else i.ShowTask(ref)
        self.intent = intent

    def handoff(self, agent: str) -> list[TResponseOutputItem]:
        return [function_call(self.handoff_tools[agent], "{}")]

    def mine(self) -> list[ToolResult]:
        """Tool results of this agent in this turn (after the handoff that woke it)."""
        start = 0
        for index, item in enumerate(self.turn):
            if item.get("type") == "function_call" and str(item.get("name", "")).startswith(
                "transfer_to_"
            ):
                start = index
        results = tool_results(self.turn[start:])
        return [r for r in results if not r.name.startswith("transfer_to_")]

    def situation(self) -> Situation:
        return Situation(self.intent, self.today, self.focus, self.items, self.history, self.mine())


def decide(turn: _Turn) -> list[TResponseOutputItem]:
    target = specialist_for(turn.intent)
    if turn.role == "triage":
        handed_back = any(
            item.get("type") == "function_call" and item.get("name") == "transfer_to_triage"
            for item in turn.turn
        )
        if target is None or handed_back or target not in turn.handoff_tools:
            return [message(answer(turn.intent))]
        return turn.handoff(target)
    if target != turn.role:
        return turn.handoff("triage")
    return step(turn.situation())


class OfflineModel(Model):
    async def get_response(
        self,
        system_instructions: str | None,
        input: str | list[TResponseInputItem],
        model_settings: ModelSettings,
        tools: list[Tool],
        output_schema: AgentOutputSchemaBase | None,
        handoffs: list[Handoff[Any, Any]],
        tracing: ModelTracing,
        *,
        previous_response_id: str | None,
        conversation_id: str | None,
        prompt: ResponsePromptParam | None,
    ) -> ModelResponse:
        output = decide(_Turn(system_instructions, input, tools, handoffs))
        return ModelResponse(output=output, usage=Usage(requests=1), response_id=new_id("resp"))

    async def stream_response(
        self,
        system_instructions: str | None,
        input: str | list[TResponseInputItem],
        model_settings: ModelSettings,
        tools: list[Tool],
        output_schema: AgentOutputSchemaBase | None,
        handoffs: list[Handoff[Any, Any]],
        tracing: ModelTracing,
        *,
        previous_response_id: str | None,
        conversation_id: str | None,
        prompt: ResponsePromptParam | None,
    ) -> AsyncIterator[Any]:
        output = decide(_Turn(system_instructions, input, tools, handoffs))
        for event in stream_events(new_id("resp"), output):
            yield event
