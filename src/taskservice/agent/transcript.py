"""A session's stored items (Responses input items) as readable messages."""

import json
from typing import Any

from taskservice.agent.schemas import SessionMessage


def _text(content: Any) -> str:
    if isinstance(content, str):
        return content
    if isinstance(content, list):
        return "".join(
            str(part.get("text") or part.get("refusal") or "")
            for part in content
            if isinstance(part, dict)
        )
    return ""


def _as_text(value: Any) -> str:
    return value if isinstance(value, str) else json.dumps(value, ensure_ascii=False)


def messages_of(items: list[Any]) -> list[SessionMessage]:
    messages = []
    for item in items:
        if not isinstance(item, dict):
            continue
        kind, role = item.get("type", "message"), item.get("role")
        if kind == "message" and role in ("user", "assistant"):
            messages.append(
                SessionMessage(type="message", role=role, content=_text(item.get("content")))
            )
        elif kind == "function_call":
            messages.append(
                SessionMessage(
                    type="tool_call",
                    role="assistant",
                    name=item.get("name"),
                    arguments=item.get("arguments"),
                    call_id=item.get("call_id"),
                )
            )
        elif kind == "function_call_output":
            messages.append(
                SessionMessage(
                    type="tool_output",
                    role="tool",
                    call_id=item.get("call_id"),
                    output=_as_text(item.get("output")),
                )
            )
    return messages
