"""The Responses API wire format: a ``response`` object and its SSE event sequence.

Shapes follow ``openai.types.responses``: the SDK's runner takes the final output from
``response.completed`` (or from ``response.output_item.done`` items when that is empty), and
streaming consumers read ``response.output_text.delta`` events.
"""

import json
import time
from collections.abc import Iterator, Mapping
from typing import Any

from tests.provider.script import (
    PlannedCall,
    Reply,
    count_tokens,
    new_id,
    split_chunks,
    split_words,
)

Json = dict[str, Any]


def _usage(body: Mapping[str, Any], reply: Reply) -> Json:
    input_tokens = count_tokens(json.dumps([body.get("instructions"), body.get("input")]))
    return {
        "input_tokens": input_tokens,
        "input_tokens_details": {"cached_tokens": 0, "cache_write_tokens": 0},
        "output_tokens": reply.output_tokens,
        "output_tokens_details": {"reasoning_tokens": 0},
        "total_tokens": input_tokens + reply.output_tokens,
    }


def _response(
    body: Mapping[str, Any],
    *,
    response_id: str,
    created_at: int,
    status: str,
    output: list[Json],
    usage: Json | None,
) -> Json:
    return {
        "id": response_id,
        "object": "response",
        "created_at": created_at,
        "status": status,
        "error": None,
        "incomplete_details": None,
        "instructions": body.get("instructions"),
        "max_output_tokens": body.get("max_output_tokens"),
        "metadata": body.get("metadata") or {},
        "model": body.get("model", "gpt-test"),
        "output": output,
        "parallel_tool_calls": body.get("parallel_tool_calls", True),
        "previous_response_id": body.get("previous_response_id"),
        "temperature": body.get("temperature", 1.0),
        "text": body.get("text") or {"format": {"type": "text"}},
        "tool_choice": body.get("tool_choice", "auto"),
        "tools": body.get("tools") or [],
        "top_p": body.get("top_p", 1.0),
        "truncation": body.get("truncation", "disabled"),
        "usage": usage,
    }


def _text_part(text: str) -> Json:
    return {"type": "output_text", "text": text, "annotations": [], "logprobs": []}


def _message_item(item_id: str, text: str | None, status: str) -> Json:
    content = [] if text is None else [_text_part(text)]
    return {
        "id": item_id,
        "type": "message",
        "role": "assistant",
        "status": status,
        "content": content,
    }


def _call_item(call: PlannedCall, arguments: str, status: str) -> Json:
    return {
        "id": call.item_id,
        "type": "function_call",
        "call_id": call.call_id,
        "name": call.name,
        "arguments": arguments,
        "status": status,
    }


def _final_output(reply: Reply, message_id: str) -> list[Json]:
    output = [] if reply.text is None else [_message_item(message_id, reply.text, "completed")]
    output.extend(_call_item(call, call.arguments, "completed") for call in reply.calls)
    return output


def render_response(body: Mapping[str, Any], reply: Reply) -> Json:
    return _response(
        body,
        response_id=new_id("resp"),
        created_at=int(time.time()),
        status="completed",
        output=_final_output(reply, new_id("msg")),
        usage=_usage(body, reply),
    )


def stream_events(body: Mapping[str, Any], reply: Reply) -> Iterator[Json]:
    """Every event a real server sends for this reply, numbered by ``sequence_number``."""
    response_id, created_at, message_id = new_id("resp"), int(time.time()), new_id("msg")

    def response(status: str, output: list[Json], usage: Json | None) -> Json:
        return _response(
            body,
            response_id=response_id,
            created_at=created_at,
            status=status,
            output=output,
            usage=usage,
        )

    events: list[Json] = [
        {"type": "response.created", "response": response("in_progress", [], None)},
        {"type": "response.in_progress", "response": response("in_progress", [], None)},
    ]
    output_index = 0
    if reply.text is not None:
        events.extend(_message_events(message_id, reply.text, output_index))
        output_index += 1
    for call in reply.calls:
        events.extend(_call_events(call, output_index))
        output_index += 1
    final = response("completed", _final_output(reply, message_id), _usage(body, reply))
    events.append({"type": "response.completed", "response": final})
    for sequence_number, event in enumerate(events):
        yield {**event, "sequence_number": sequence_number}


def _message_events(item_id: str, text: str, output_index: int) -> Iterator[Json]:
    where = {"item_id": item_id, "output_index": output_index}
    part = {**where, "content_index": 0}
    yield {
        "type": "response.output_item.added",
        "output_index": output_index,
        "item": _message_item(item_id, None, "in_progress"),
    }
    yield {"type": "response.content_part.added", **part, "part": _text_part("")}
    for delta in split_words(text):
        yield {"type": "response.output_text.delta", **part, "delta": delta, "logprobs": []}
    yield {"type": "response.output_text.done", **part, "text": text, "logprobs": []}
    yield {"type": "response.content_part.done", **part, "part": _text_part(text)}
    yield {
        "type": "response.output_item.done",
        "output_index": output_index,
        "item": _message_item(item_id, text, "completed"),
    }


def _call_events(call: PlannedCall, output_index: int) -> Iterator[Json]:
    where = {"item_id": call.item_id, "output_index": output_index}
    yield {
        "type": "response.output_item.added",
        "output_index": output_index,
        "item": _call_item(call, "", "in_progress"),
    }
    for delta in split_chunks(call.arguments):
        yield {"type": "response.function_call_arguments.delta", **where, "delta": delta}
    yield {"type": "response.function_call_arguments.done", **where, "arguments": call.arguments}
    yield {
        "type": "response.output_item.done",
        "output_index": output_index,
        "item": _call_item(call, call.arguments, "completed"),
    }


def sse_event(event: Mapping[str, Any]) -> bytes:
    return f"event: {event['type']}\ndata: {json.dumps(event)}\n\n".encode()
