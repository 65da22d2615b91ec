"""The Agents SDK end to end over real HTTP: handoff, function tool, streaming, errors.

Each test runs against both ``OpenAIResponsesModel`` and ``OpenAIChatCompletionsModel``.
Tracing is off and a loopback guard fails any test that tries to reach another host.
"""

import asyncio
import json
import socket
from collections.abc import AsyncIterator, Iterator, Sequence
from typing import Any

import openai
import pytest
from agents import (
    Agent,
    Model,
    ModelSettings,
    OpenAIChatCompletionsModel,
    OpenAIResponsesModel,
    Runner,
    function_tool,
    set_tracing_disabled,
)
from openai.types.responses import ResponseTextDeltaEvent

from tests.provider.fixture import FakeProvider, LoopbackGuard
from tests.provider.fixture import fake_provider as fake_provider  # the fixture, re-exported
from tests.provider.script import ErrorSpec, RecordedRequest, Step

pytestmark = pytest.mark.slow

MODEL = "gpt-test"
RUN_TIMEOUT = 30.0
QUESTION = "What is 2 + 3?"
HANDOFF_THEN_ADD: list[Step] = [
    {
        "tool_calls": [{"name": "transfer_to_calculator", "arguments": {}}],
        "expect_tool": "transfer_to_calculator",
    },
    {"tool_calls": [{"name": "add", "arguments": {"a": 2, "b": 3}}], "expect_tool": "add"},
    {"text": "The sum is {last_tool_output}"},
]


@function_tool
def add(a: int, b: int) -> int:
    """Add two integers.

    Args:
        a: The first addend.
        b: The second addend.
    """
    return a + b


def build_triage(model: Model, settings: ModelSettings | None = None) -> Agent[None]:
    settings = settings or ModelSettings()
    calculator = Agent[None](
        name="calculator",
        instructions="Add numbers with the add tool.",
        tools=[add],
        model=model,
        model_settings=settings,
    )
    return Agent[None](
        name="triage",
        instructions="Hand arithmetic to the calculator.",
        handoffs=[calculator],
        model=model,
        model_settings=settings,
    )


@pytest.fixture(autouse=True)
def offline(monkeypatch: pytest.MonkeyPatch) -> Iterator[LoopbackGuard]:
    set_tracing_disabled(True)
    guard = LoopbackGuard()
    guard.install(monkeypatch)
    yield guard
    assert guard.refused == []


@pytest.fixture(params=["responses", "chat"])
async def model(
    request: pytest.FixtureRequest, fake_provider: FakeProvider
) -> AsyncIterator[Model]:
    """A real model class over a real client with the client's default retries."""
    async with fake_provider.openai_client(max_retries=openai.DEFAULT_MAX_RETRIES) as client:
        if request.param == "responses":
            yield OpenAIResponsesModel(model=MODEL, openai_client=client)
        else:
            yield OpenAIChatCompletionsModel(model=MODEL, openai_client=client)


def declared_tools(body: dict[str, Any]) -> dict[str, dict[str, Any]]:
    """Tool name -> definition (name, parameters, strict), whichever API the body is for."""
    specs = [tool.get("function", tool) for tool in body.get("tools", [])]
    return {spec["name"]: spec for spec in specs}


def tool_outputs(body: dict[str, Any]) -> list[str]:
    """The tool results the client sent back, in order, whichever API the body is for."""
    items = body.get("input") or body.get("messages") or []
    return [
        item.get("output", item.get("content"))
        for item in items
        if item.get("type") == "function_call_output" or item.get("role") == "tool"
    ]


def assert_handoff_then_add_requests(recorded: Sequence[RecordedRequest]) -> None:
    first, second, third = (request["body"] for request in recorded)
    assert list(declared_tools(first)) == ["transfer_to_calculator"]
    handoff = declared_tools(first)["transfer_to_calculator"]
    assert (handoff["strict"], handoff["parameters"]["additionalProperties"]) == (True, False)
    add_tool = declared_tools(second)["add"]
    assert add_tool["strict"] is True
    assert add_tool["parameters"]["additionalProperties"] is False
    assert add_tool["parameters"]["required"] == ["a", "b"]
    assert set(add_tool["parameters"]["properties"]) == {"a", "b"}
    assert list(declared_tools(third)) == ["add"]
    assert tool_outputs(third) == [json.dumps({"assistant": "calculator"}), "5"]
    assert all(QUESTION in json.dumps(body) for body in (first, second, third))


class TestRunner:
    async def test_handoff_then_tool_then_answer(
        self, fake_provider: FakeProvider, model: Model
    ) -> None:
        await fake_provider.ascript(HANDOFF_THEN_ADD)
        async with asyncio.timeout(RUN_TIMEOUT):
            result = await Runner.run(build_triage(model), QUESTION)

        assert (result.final_output, result.last_agent.name) == ("The sum is 5", "calculator")
        recorded = await fake_provider.arequests()
        assert [r["body"].get("stream", False) for r in recorded] == [False] * 3
        assert_handoff_then_add_requests(recorded)

    async def test_streamed_run_yields_text_deltas(
        self, fake_provider: FakeProvider, model: Model
    ) -> None:
        await fake_provider.ascript(HANDOFF_THEN_ADD)
        deltas: list[str] = []
        items: list[str] = []
        async with asyncio.timeout(RUN_TIMEOUT):
            result = Runner.run_streamed(build_triage(model), QUESTION)
            async for event in result.stream_events():
                if event.type == "raw_response_event" and isinstance(
                    event.data, ResponseTextDeltaEvent
                ):
                    deltas.append(event.data.delta)
                elif event.type == "run_item_stream_event":
                    items.append(event.name)

        assert result.final_output == "The sum is 5"
        assert deltas == ["The ", "sum ", "is ", "5"]
        assert items == [
            "handoff_requested",
            "handoff_occured",
            "tool_called",
            "tool_output",
            "message_output_created",
        ]
        recorded = await fake_provider.arequests()
        assert [r["body"]["stream"] for r in recorded] == [True] * 3
        assert_handoff_then_add_requests(recorded)

    async def test_rate_limit_gets_only_the_client_retries(
        self, fake_provider: FakeProvider, model: Model
    ) -> None:
        """The runner adds no retries of its own unless ModelSettings.retry asks for them."""
        rate_limit: ErrorSpec = {
            "status": 429,
            "message": "slow down",
            "headers": {"retry-after-ms": "1"},
        }
        await fake_provider.ascript([{"error": rate_limit, "times": 3}])
        async with asyncio.timeout(RUN_TIMEOUT):
            with pytest.raises(openai.RateLimitError, match="slow down"):
                await Runner.run(build_triage(model), QUESTION)

        assert len(await fake_provider.arequests()) == 1 + openai.DEFAULT_MAX_RETRIES

    async def test_malformed_body_surfaces_as_json_decode_error(
        self, fake_provider: FakeProvider, model: Model
    ) -> None:
        await fake_provider.ascript([{"malformed": True}])
        async with asyncio.timeout(RUN_TIMEOUT):
            with pytest.raises(json.JSONDecodeError):
                await Runner.run(build_triage(model), QUESTION)


class TestChatCompletionsUsage:
    @pytest.mark.parametrize(("include_usage", "expected"), [(None, None), (True, True)])
    async def test_streamed_usage_is_only_requested_when_configured(
        self, fake_provider: FakeProvider, include_usage: bool | None, expected: bool | None
    ) -> None:
        """Off the official base URL the SDK sends no stream_options, so no token counts."""
        await fake_provider.ascript([{"text": "hi"}])
        settings = ModelSettings(include_usage=include_usage)
        async with (
            asyncio.timeout(RUN_TIMEOUT),
            fake_provider.openai_client() as client,
        ):
            model = OpenAIChatCompletionsModel(model=MODEL, openai_client=client)
            result = Runner.run_streamed(build_triage(model, settings), QUESTION)
            async for _ in result.stream_events():
                pass

        [recorded] = await fake_provider.arequests()
        assert recorded["body"].get("stream_options", {}).get("include_usage") is expected
        assert (result.context_wrapper.usage.total_tokens > 0) is bool(expected)


def test_loopback_guard_refuses_other_hosts(offline: LoopbackGuard) -> None:
    with pytest.raises(ConnectionRefusedError, match="not loopback"):
        socket.create_connection(("192.0.2.1", 443), timeout=1)
    assert offline.refused == [("192.0.2.1", 443)]
    offline.refused.clear()
