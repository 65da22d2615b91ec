"""Turning the SDK's run results and items into our response objects."""

import json
from typing import Any

from agents import HandoffOutputItem, ToolCallItem, ToolCallOutputItem
from agents.items import RunItem, ToolApprovalItem

from taskservice.agent.schemas import AgentReply, Handoff, PendingApproval, ToolCall


def _field(raw: Any, name: str) -> Any:
    return raw.get(name) if isinstance(raw, dict) else getattr(raw, name, None)


def _arguments(raw: Any) -> dict[str, Any]:
    value = _field(raw, "arguments")
    if isinstance(value, dict):
        return value
    try:
        parsed = json.loads(value or "{}")
    except (TypeError, ValueError):
        return {"_raw": value}
    return parsed if isinstance(parsed, dict) else {"_raw": parsed}


def decode_output(output: Any) -> Any:
    if isinstance(output, str):
        try:
            return json.loads(output)
        except ValueError:
            return output
    return output


def agent_name(item: RunItem) -> str:
    agent = getattr(item, "agent", None)
    return str(agent.name) if agent is not None else "unknown"


def tool_call(item: ToolCallItem) -> ToolCall:
    return ToolCall(
        id=str(_field(item.raw_item, "call_id") or _field(item.raw_item, "id")),
        agent=agent_name(item),
        name=str(_field(item.raw_item, "name")),
        arguments=_arguments(item.raw_item),
        output=None,
    )


def handoff(item: HandoffOutputItem) -> Handoff:
    return Handoff.model_validate({"from": item.source_agent.name, "to": item.target_agent.name})


def approval(item: ToolApprovalItem) -> PendingApproval:
    return PendingApproval(
        id=str(_field(item.raw_item, "call_id")),
        tool=str(item.tool_name or _field(item.raw_item, "name")),
        agent=agent_name(item),
        arguments=_arguments(item.raw_item),
    )


def summarize(
    session_id: str,
    items: list[RunItem],
    *,
    reply: str,
    agent: str,
    interruptions: list[ToolApprovalItem],
) -> AgentReply:
    handoffs: list[Handoff] = []
    calls: dict[str, ToolCall] = {}
    for item in items:
        if isinstance(item, HandoffOutputItem):
            handoffs.append(handoff(item))
        elif isinstance(item, ToolCallItem):
            call = tool_call(item)
            calls[call.id] = call
        elif isinstance(item, ToolCallOutputItem):
            call_id = str(_field(item.raw_item, "call_id"))
            if call_id in calls:
                calls[call_id].output = decode_output(item.output)
    pending = [approval(item) for item in interruptions]
    waiting = {p.id for p in pending}
    return AgentReply(
        session_id=session_id,
        reply=reply,
        agent=agent,
        handoffs=handoffs,
        tool_calls=[call for call in calls.values() if call.id not in waiting],
        pending_approvals=pending,
    )
