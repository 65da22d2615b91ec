"""The fake provider's wire format, as the official ``openai`` client parses it."""

import json

import pytest
from openai.types.chat import ChatCompletionChunk
from openai.types.responses import (
    ResponseCompletedEvent,
    ResponseFunctionCallArgumentsDeltaEvent,
    ResponseFunctionCallArgumentsDoneEvent,
    ResponseFunctionToolCall,
    ResponseStreamEvent,
    ResponseTextDeltaEvent,
    ToolParam,
)

from tests.provider.fixture import FakeProvider
from tests.provider.fixture import fake_provider as fake_provider  # the fixture, re-exported
from tests.provider.script import ToolCallSpec

pytestmark = pytest.mark.slow

MODEL = "gpt-test"
ADD: ToolCallSpec = {"name": "add", "arguments": {"a": 2, "b": 3}}
LOOKUP: ToolCallSpec = {"name": "lookup", "arguments": '{"key": "x"}'}
TEXT_EVENTS = [
    "response.output_item.added",
    "response.content_part.added",
    *["response.output_text.delta"] * 4,
    "response.output_text.done",
    "response.content_part.done",
    "response.output_item.done",
]


class TestResponsesApi:
    async def test_text_reply_fills_the_last_user_message(
        self, fake_provider: FakeProvider
    ) -> None:
        await fake_provider.ascript([{"text": "You said: {last_user_message}"}])
        async with fake_provider.openai_client() as client:
            response = await client.responses.create(model=MODEL, input="hello there")

        assert response.output_text == "You said: hello there"
        assert response.status == "completed"
        assert response.usage is not None
        assert response.usage.total_tokens == (
            response.usage.input_tokens + response.usage.output_tokens
        )

    async def test_tool_calls_are_function_call_items_with_unique_ids(
        self, fake_provider: FakeProvider
    ) -> None:
        await fake_provider.ascript([{"tool_calls": [ADD, LOOKUP]}])
        async with fake_provider.openai_client() as client:
            response = await client.responses.create(model=MODEL, input="go")

        calls = [item for item in response.output if isinstance(item, ResponseFunctionToolCall)]
        assert [(c.name, json.loads(c.arguments)) for c in calls] == [
            ("add", {"a": 2, "b": 3}),
            ("lookup", {"key": "x"}),
        ]
        assert len({c.call_id for c in calls}) == 2
        assert len({c.id for c in calls}) == 2

    async def test_streamed_text_is_the_full_event_sequence(
        self, fake_provider: FakeProvider
    ) -> None:
        await fake_provider.ascript([{"text": "The sum is 5"}])
        async with fake_provider.openai_client() as client:
            stream = await client.responses.create(model=MODEL, input="add", stream=True)
            events: list[ResponseStreamEvent] = [event async for event in stream]

        assert [e.type for e in events] == [
            "response.created",
            "response.in_progress",
            *TEXT_EVENTS,
            "response.completed",
        ]
        assert [e.sequence_number for e in events] == list(range(len(events)))
        deltas = [e.delta for e in events if isinstance(e, ResponseTextDeltaEvent)]
        assert deltas == ["The ", "sum ", "is ", "5"]
        completed = events[-1]
        assert isinstance(completed, ResponseCompletedEvent)
        assert completed.response.output_text == "The sum is 5"
        assert completed.response.usage is not None

    async def test_streamed_tool_call_arguments_come_in_fragments(
        self, fake_provider: FakeProvider
    ) -> None:
        await fake_provider.ascript([{"text": "Adding.", "tool_calls": [ADD]}])
        async with fake_provider.openai_client() as client:
            stream = await client.responses.create(model=MODEL, input="add", stream=True)
            events: list[ResponseStreamEvent] = [event async for event in stream]

        fragments = [
            e.delta for e in events if isinstance(e, ResponseFunctionCallArgumentsDeltaEvent)
        ]
        done = [e for e in events if isinstance(e, ResponseFunctionCallArgumentsDoneEvent)]
        assert len(fragments) > 1
        assert json.loads("".join(fragments)) == {"a": 2, "b": 3}
        assert [(e.arguments, e.output_index) for e in done] == [("".join(fragments), 1)]
        completed = events[-1]
        assert isinstance(completed, ResponseCompletedEvent)
        assert [item.type for item in completed.response.output] == ["message", "function_call"]

    async def test_request_is_recorded_without_the_api_key(
        self, fake_provider: FakeProvider
    ) -> None:
        await fake_provider.ascript([{"text": "ok"}])
        tools: list[ToolParam] = [
            {"type": "function", "name": "add", "parameters": {}, "strict": True}
        ]
        async with fake_provider.openai_client() as client:
            await client.responses.create(model=MODEL, input="hi", tools=tools)

        [recorded] = await fake_provider.arequests()
        assert recorded["path"] == "/v1/responses"
        assert recorded["body"] == {"model": MODEL, "input": "hi", "tools": tools}
        assert recorded["has_authorization"] is True
        assert "authorization" not in recorded["headers"]
        assert recorded["headers"]["x-stainless-retry-count"] == "0"
        assert recorded["headers"]["user-agent"].startswith("AsyncOpenAI/Python")


class TestChatCompletions:
    async def test_text_reply_fills_the_last_tool_output(self, fake_provider: FakeProvider) -> None:
        await fake_provider.ascript([{"text": "The sum is {last_tool_output}"}])
        async with fake_provider.openai_client() as client:
            completion = await client.chat.completions.create(
                model=MODEL,
                messages=[
                    {"role": "user", "content": "2 + 3?"},
                    {"role": "tool", "tool_call_id": "call_1", "content": "5"},
                ],
            )

        [choice] = completion.choices
        assert (choice.message.content, choice.finish_reason) == ("The sum is 5", "stop")
        assert completion.usage is not None

    async def test_tool_calls_finish_with_tool_calls(self, fake_provider: FakeProvider) -> None:
        await fake_provider.ascript([{"tool_calls": [ADD, LOOKUP]}])
        async with fake_provider.openai_client() as client:
            completion = await client.chat.completions.create(
                model=MODEL, messages=[{"role": "user", "content": "go"}]
            )

        [choice] = completion.choices
        assert choice.finish_reason == "tool_calls"
        calls = choice.message.tool_calls or []
        assert [(c.function.name, c.function.arguments) for c in calls if c.type == "function"] == [
            ("add", '{"a": 2, "b": 3}'),
            ("lookup", '{"key": "x"}'),
        ]
        assert len({c.id for c in calls}) == 2

    async def test_streamed_text_ends_with_a_usage_chunk_when_asked(
        self, fake_provider: FakeProvider
    ) -> None:
        await fake_provider.ascript([{"text": "The sum is 5"}])
        async with fake_provider.openai_client() as client:
            stream = await client.chat.completions.create(
                model=MODEL,
                messages=[{"role": "user", "content": "add"}],
                stream=True,
                stream_options={"include_usage": True},
            )
            chunks: list[ChatCompletionChunk] = [chunk async for chunk in stream]

        texts = [c.choices[0].delta.content for c in chunks[:-1] if c.choices[0].delta.content]
        assert texts == ["The ", "sum ", "is ", "5"]
        assert chunks[-2].choices[0].finish_reason == "stop"
        assert (chunks[-1].choices, chunks[-1].usage is not None) == ([], True)
        assert all(c.usage is None for c in chunks[:-1])

    async def test_streamed_tool_calls_accumulate_by_index(
        self, fake_provider: FakeProvider
    ) -> None:
        await fake_provider.ascript([{"tool_calls": [ADD, LOOKUP]}])
        async with fake_provider.openai_client() as client:
            stream = await client.chat.completions.create(
                model=MODEL, messages=[{"role": "user", "content": "go"}], stream=True
            )
            chunks: list[ChatCompletionChunk] = [chunk async for chunk in stream]

        calls: dict[int, dict[str, str]] = {}
        for chunk in chunks:
            for delta in chunk.choices[0].delta.tool_calls or []:
                call = calls.setdefault(delta.index, {"id": "", "name": "", "arguments": ""})
                call["id"] += delta.id or ""
                if delta.function is not None:
                    call["name"] += delta.function.name or ""
                    call["arguments"] += delta.function.arguments or ""
        assert [(c["name"], json.loads(c["arguments"])) for c in calls.values()] == [
            ("add", {"a": 2, "b": 3}),
            ("lookup", {"key": "x"}),
        ]
        assert all(c["id"].startswith("call_") for c in calls.values())
        assert chunks[-1].choices[0].finish_reason == "tool_calls"
        assert all(c.usage is None for c in chunks)
