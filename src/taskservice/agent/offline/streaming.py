"""Responses-API output items and their stream events, for the offline model.

The events are the ones an OpenAI server streams (``response.created``, per item
``output_item.added``, text or argument deltas, ``output_item.done``, then
``response.completed``), so the SDK's streaming path runs exactly as it does
against a real provider.
"""

import re
import uuid
from collections.abc import Iterator
from typing import Any

from agents.items import TResponseOutputItem
from openai.types.responses import (
    Response,
    ResponseCompletedEvent,
    ResponseContentPartAddedEvent,
    ResponseContentPartDoneEvent,
    ResponseCreatedEvent,
    ResponseFunctionCallArgumentsDeltaEvent,
    ResponseFunctionCallArgumentsDoneEvent,
    ResponseFunctionToolCall,
    ResponseOutputItemAddedEvent,
    ResponseOutputItemDoneEvent,
    ResponseOutputMessage,
    ResponseOutputText,
    ResponseTextDeltaEvent,
    ResponseTextDoneEvent,
)

MODEL_NAME = "offline"


def new_id(prefix: str) -> str:
    return f"{prefix}_{uuid.uuid4().hex[:24]}"


def message(text: str) -> ResponseOutputMessage:
    return ResponseOutputMessage(
        id=new_id("msg"),
        type="message",
        role="assistant",
        status="completed",
        content=[ResponseOutputText(type="output_text", text=text, annotations=[], logprobs=[])],
    )


def function_call(name: str, arguments: str) -> ResponseFunctionToolCall:
    return ResponseFunctionToolCall(
        id=new_id("fc"),
        call_id=new_id("call"),
        type="function_call",
        name=name,
        arguments=arguments,
        status="completed",
    )


def response(response_id: str, output: list[TResponseOutputItem], status: Any) -> Response:
    return Response(
        id=response_id,
        object="response",
        created_at=0,
        model=MODEL_NAME,
        output=output,
        status=status,
        tool_choice="auto",
        tools=[],
        parallel_tool_calls=True,
        top_p=None,
    )


def _chunks(text: str) -> list[str]:
    """Word-sized deltas, as a real model streams tokens."""
    return re.findall(r"\S+\s*|\s+", text) or [text]


def stream_events(response_id: str, output: list[TResponseOutputItem]) -> Iterator[Any]:
    seq = 0

    def n() -> int:
        nonlocal seq
        seq += 1
        return seq - 1

    yield ResponseCreatedEvent(
        type="response.created",
        response=response(response_id, [], "in_progress"),
        sequence_number=n(),
    )
    for index, item in enumerate(output):
        if isinstance(item, ResponseFunctionToolCall):
            pending = item.model_copy(update={"arguments": "", "status": "in_progress"})
            yield ResponseOutputItemAddedEvent(
                type="response.output_item.added",
                item=pending,
                output_index=index,
                sequence_number=n(),
            )
            yield ResponseFunctionCallArgumentsDeltaEvent(
                type="response.function_call_arguments.delta",
                item_id=item.id or item.call_id,
                output_index=index,
                delta=item.arguments,
                sequence_number=n(),
            )
            yield ResponseFunctionCallArgumentsDoneEvent.model_validate(
                {
                    "type": "response.function_call_arguments.done",
                    "item_id": item.id or item.call_id,
                    "output_index": index,
                    "arguments": item.arguments,
                    "name": item.name,
                    "sequence_number": n(),
                }
            )
        elif isinstance(item, ResponseOutputMessage):
            text = item.content[0].text if item.content else ""  # type: ignore[union-attr]
            yield ResponseOutputItemAddedEvent(
                type="response.output_item.added",
                item=item.model_copy(update={"content": [], "status": "in_progress"}),
                output_index=index,
                sequence_number=n(),
            )
            empty = ResponseOutputText(type="output_text", text="", annotations=[], logprobs=[])
            yield ResponseContentPartAddedEvent(
                type="response.content_part.added",
                item_id=item.id,
                output_index=index,
                content_index=0,
                part=empty,
                sequence_number=n(),
            )
            for delta in _chunks(text):
                yield ResponseTextDeltaEvent(
                    type="response.output_text.delta",
                    item_id=item.id,
                    output_index=index,
                    content_index=0,
                    delta=delta,
                    logprobs=[],
                    sequence_number=n(),
                )
            yield ResponseTextDoneEvent(
                type="response.output_text.done",
                item_id=item.id,
                output_index=index,
                content_index=0,
                text=text,
                logprobs=[],
                sequence_number=n(),
            )
            yield ResponseContentPartDoneEvent(
                type="response.content_part.done",
                item_id=item.id,
                output_index=index,
                content_index=0,
                part=item.content[0],
                sequence_number=n(),
            )
        yield ResponseOutputItemDoneEvent(
            type="response.output_item.done", item=item, output_index=index, sequence_number=n()
        )
    yield ResponseCompletedEvent(
        type="response.completed",
        response=response(response_id, output, "completed"),
        sequence_number=n(),
    )
