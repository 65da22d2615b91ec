"""The SDK's stream events as our server-sent events; every one carries the run's id."""

from typing import Any

from agents import (
    AgentUpdatedStreamEvent,
    HandoffOutputItem,
    RawResponsesStreamEvent,
    RunItemStreamEvent,
    ToolCallItem,
    ToolCallOutputItem,
)
from fastapi.sse import ServerSentEvent

from taskservice.agent.runs.replies import handoff, tool_call
from taskservice.agent.tools.common import decode_output

EVENT_TYPES = [
    "run_started",
    "agent_updated",
    "handoff",
    "tool_called",
    "tool_output",
    "text_delta",
    "approval_required",
    "done",
    "error",
]


def sse(event: str, run_id: str, data: dict[str, Any]) -> ServerSentEvent:
    return ServerSentEvent(event=event, data={**data, "run_id": run_id})


class EventTranslator:
    """Follows one streamed run: which agent speaks, and which calls wait to be announced.

    A call to a tool that needs approval is announced only when its output arrives: until
    then it has not run, and if the run pauses for the user's decision it is announced
    as ``approval_required`` instead.
    """

    def __init__(self, run_id: str, gated_tools: set[str]) -> None:
        self.run_id = run_id
        self.agent = "triage"
        self.gated_tools = gated_tools
        self._held: dict[str, dict[str, Any]] = {}

    def translate(self, event: Any) -> list[ServerSentEvent]:
        if isinstance(event, AgentUpdatedStreamEvent):
            self.agent = event.new_agent.name
            return [sse("agent_updated", self.run_id, {"agent": self.agent})]
        if isinstance(event, RawResponsesStreamEvent):
            if getattr(event.data, "type", None) == "response.output_text.delta":
                delta = getattr(event.data, "delta", "")
                return [sse("text_delta", self.run_id, {"agent": self.agent, "delta": delta})]
            return []
        if not isinstance(event, RunItemStreamEvent):
            return []
        item = event.item
        if event.name == "handoff_occured" and isinstance(item, HandoffOutputItem):
            return [sse("handoff", self.run_id, handoff(item).model_dump(by_alias=True))]
        if event.name == "tool_called" and isinstance(item, ToolCallItem):
            call = tool_call(item).model_dump(exclude={"output"})
            if call["name"] in self.gated_tools:
                self._held[call["id"]] = call
                return []
            return [sse("tool_called", self.run_id, call)]
        if event.name == "tool_output" and isinstance(item, ToolCallOutputItem):
            raw = item.raw_item
            call_id = raw.get("call_id") if isinstance(raw, dict) else getattr(raw, "call_id", "")
            events = []
            held = self._held.pop(str(call_id), None)
            if held is not None:
                events.append(sse("tool_called", self.run_id, held))
            output = {"id": call_id, "agent": self.agent, "output": decode_output(item.output)}
            events.append(sse("tool_output", self.run_id, output))
            return events
        return []
