"""What a run tells its caller: the SDK's results and items as our response objects, and
the notes a session keeps of runs that did not complete."""

import json
from typing import Any

from agents import HandoffOutputItem, ToolCallItem, ToolCallOutputItem
from agents.items import RunItem, ToolApprovalItem

from taskservice.agent.schemas import AgentReply, Handoff, PendingApproval, ToolCall
from taskservice.agent.tools.common import decode_output


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
    run_id: str,
    session_id: str,
    items: list[RunItem],
    *,
    reply: str,
    agent: str,
    pending: list[PendingApproval],
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
    waiting = {p.id for p in pending}
    return AgentReply(
        run_id=run_id,
        session_id=session_id,
        status="waiting_approval" if pending else "completed",
        reply=reply,
        agent=agent,
        handoffs=handoffs,
        tool_calls=[call for call in calls.values() if call.id not in waiting],
        pending_approvals=pending,
    )


def task_label(value: Any) -> str | None:
    if isinstance(value, dict) and "id" in value:
        title = value.get("title")
        return f"task #{value['id']}" + (f" '{title}'" if title else "")
    return None


def _labels(value: Any) -> str | None:
    """One task, or several (a bulk change), for a person."""
    if isinstance(value, list):
        labels = [label for label in map(task_label, value) if label is not None]
        return ", ".join(labels) if labels else None
    return task_label(value)


def describe_call(name: str, output: Any) -> str:
    """One completed tool call, for a person and for the model: what it did."""
    if isinstance(output, dict):
        if "error" in output:
            return f"{name} failed ({output['error']})"
        for verb in ("created", "updated", "deleted"):
            label = _labels(output.get(verb))
            if label is not None:
                return f"{verb} {label}"
        undone = output.get("undone")
        if isinstance(undone, dict):
            done = [
                f"{verb} {label}"
                for verb in ("reverted", "restored", "deleted")
                if (label := _labels(undone.get(verb)))
            ]
            return "undid the last change: " + "; ".join(done)
    return f"{name} ran"


ENDINGS = {
    "cancelled": "was cancelled before it finished",
    "timed_out": "ran out of time before it finished",
    "max_turns": "needed too many steps and was stopped",
    "tool_limit": "reached its limit of tool calls and was stopped",
    "provider_error": "stopped because the model provider failed",
    "lost": "was lost when the server running it stopped",
    "error": "stopped because of an unexpected error",
}


def ending_note(outcome: str, done: list[str]) -> str:
    """The note a session's history keeps of a run that did not complete."""
    how = ENDINGS.get(outcome, "stopped before it finished")
    if done:
        return f"(This request {how}. Done before it stopped: {'; '.join(done)}.)"
    return f"(This request {how}. Nothing was changed.)"
