"""Reading a conversation the way a model receives it: Responses input items."""

import json
import re
from dataclasses import dataclass
from datetime import UTC, date, datetime
from typing import Any

from taskservice.agent.tools.common import decode_output

_TODAY = re.compile(r"Today is (\d{4}-\d{2}-\d{2})")
_FOCUS = re.compile(r"focus task id: (\d+)")


@dataclass(frozen=True)
class ToolResult:
    name: str
    arguments: dict[str, Any]
    output: Any  # the decoded JSON output, or the raw text when it is not JSON


def as_items(raw: str | list[Any]) -> list[dict[str, Any]]:
    if isinstance(raw, str):
        return [{"role": "user", "content": raw}]
    return [item if isinstance(item, dict) else item.model_dump() for item in raw]


def text_of(item: dict[str, Any]) -> str:
    content = item.get("content")
    if isinstance(content, str):
        return content
    if isinstance(content, list):
        return "".join(str(part.get("text", "")) for part in content if isinstance(part, dict))
    return ""


def is_user(item: dict[str, Any]) -> bool:
    return item.get("role") == "user" and item.get("type", "message") == "message"


def is_assistant_text(item: dict[str, Any]) -> bool:
    return item.get("role") == "assistant" and item.get("type", "message") == "message"


def last_user_index(items: list[dict[str, Any]]) -> int:
    for index in range(len(items) - 1, -1, -1):
        if is_user(items[index]):
            return index
    return -1


def tool_results(items: list[dict[str, Any]]) -> list[ToolResult]:
    """Function calls paired with their outputs, in order."""
    calls = {item["call_id"]: item for item in items if item.get("type") == "function_call"}
    results = []
    for item in items:
        if item.get("type") == "function_call_output" and item.get("call_id") in calls:
            call = calls[item["call_id"]]
            try:
                arguments = json.loads(call.get("arguments") or "{}")
            except ValueError:
                arguments = {}
            results.append(ToolResult(call["name"], arguments, decode_output(item.get("output"))))
    return results


def today_from(instructions: str | None) -> date:
    match = _TODAY.search(instructions or "")
    return date.fromisoformat(match.group(1)) if match else datetime.now(UTC).date()


def focus_from(instructions: str | None) -> int | None:
    match = _FOCUS.search(instructions or "")
    return int(match.group(1)) if match else None


def task_ids_in(output: Any) -> list[int]:
    """The task ids a tool output talks about, most relevant first."""
    if not isinstance(output, dict):
        return []
    for key in ("task", "created", "updated", "deleted"):
        value = output.get(key)
        if isinstance(value, dict) and isinstance(value.get("id"), int):
            return [value["id"]]
    for key in ("matches", "tasks", "updated", "deleted"):
        value = output.get(key)
        if isinstance(value, list):
            return [t["id"] for t in value if isinstance(t, dict) and isinstance(t.get("id"), int)]
    return []


def last_mentioned_task(items: list[dict[str, Any]]) -> int | None:
    """The task the conversation last talked about, for "it" and "this"; ``None`` when that
    is unclear."""
    for result in reversed(tool_results(items)):
        ids = task_ids_in(result.output)
        if len(ids) == 1:
            return ids[0]
        if len(ids) > 1:
            return None  # after a list of several, "it" could be any of them: ask
        task_id = result.arguments.get("task_id")
        if isinstance(task_id, int):
            return task_id
    return None
