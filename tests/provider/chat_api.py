"""The Chat Completions wire format: a ``chat.completion`` object and its chunk stream.

Streamed tool calls follow the real server: the first chunk of a call carries ``index``,
``id``, ``type`` and ``function.name`` (empty arguments), later chunks only ``index`` and
argument fragments. The Agents SDK starts a call once it has both name and id.
"""

import json
import time
from collections.abc import Iterator, Mapping
from typing import Any

from tests.provider.script import Reply, count_tokens, new_id, split_chunks, split_words

Json = dict[str, Any]
DONE = b"data: [DONE]\n\n"


def _usage(body: Mapping[str, Any], reply: Reply) -> Json:
    prompt_tokens = count_tokens(json.dumps(body.get("messages")))
    return {
        "prompt_tokens": prompt_tokens,
        "completion_tokens": reply.output_tokens,
        "total_tokens": prompt_tokens + reply.output_tokens,
        "prompt_tokens_details": {"cached_tokens": 0, "audio_tokens": 0},
        "completion_tokens_details": {
            "reasoning_tokens": 0,
            "audio_tokens": 0,
            "accepted_prediction_tokens": 0,
            "rejected_prediction_tokens": 0,
        },
    }


def _finish_reason(reply: Reply) -> str:
    return "tool_calls" if reply.calls else "stop"


def render_completion(body: Mapping[str, Any], reply: Reply) -> Json:
    message: Json = {"role": "assistant", "content": reply.text, "refusal": None}
    if reply.calls:
        message["tool_calls"] = [
            {
                "id": call.call_id,
                "type": "function",
                "function": {"name": call.name, "arguments": call.arguments},
            }
            for call in reply.calls
        ]
    return {
        "id": new_id("chatcmpl"),
        "object": "chat.completion",
        "created": int(time.time()),
        "model": body.get("model", "gpt-test"),
        "choices": [
            {
                "index": 0,
                "message": message,
                "logprobs": None,
                "finish_reason": _finish_reason(reply),
            }
        ],
        "usage": _usage(body, reply),
    }


def stream_chunks(body: Mapping[str, Any], reply: Reply) -> Iterator[Json]:
    """Chunks for this reply; with ``stream_options.include_usage`` a final usage chunk."""
    options = body.get("stream_options")
    include_usage = isinstance(options, dict) and options.get("include_usage") is True
    header = {
        "id": new_id("chatcmpl"),
        "object": "chat.completion.chunk",
        "created": int(time.time()),
        "model": body.get("model", "gpt-test"),
    }
    if include_usage:
        header["usage"] = None

    def chunk(delta: Json, finish_reason: str | None = None) -> Json:
        choice = {"index": 0, "delta": delta, "logprobs": None, "finish_reason": finish_reason}
        return {**header, "choices": [choice]}

    first = "" if reply.text is not None else None
    yield chunk({"role": "assistant", "content": first, "refusal": None})
    for piece in split_words(reply.text or ""):
        yield chunk({"content": piece})
    for index, call in enumerate(reply.calls):
        start = {"name": call.name, "arguments": ""}
        yield chunk({"tool_calls": [_call_delta(index, function=start, call_id=call.call_id)]})
        for piece in split_chunks(call.arguments):
            yield chunk({"tool_calls": [_call_delta(index, function={"arguments": piece})]})
    yield chunk({}, finish_reason=_finish_reason(reply))
    if include_usage:
        yield {**header, "choices": [], "usage": _usage(body, reply)}


def _call_delta(index: int, *, function: Json, call_id: str | None = None) -> Json:
    if call_id is None:
        return {"index": index, "function": function}
    return {"index": index, "id": call_id, "type": "function", "function": function}


def sse_chunk(chunk: Mapping[str, Any]) -> bytes:
    return f"data: {json.dumps(chunk)}\n\n".encode()
