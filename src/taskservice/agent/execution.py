"""Executing an admitted run: to one reply, or as a stream of server-sent events."""

import asyncio
import logging
from collections.abc import AsyncIterator
from typing import Any

from agents import (
    AgentUpdatedStreamEvent,
    HandoffOutputItem,
    InputGuardrailTripwireTriggered,
    RawResponsesStreamEvent,
    RunItemStreamEvent,
    Runner,
    RunState,
    ToolCallItem,
    ToolCallOutputItem,
)
from fastapi.sse import ServerSentEvent

from taskservice.agent.results import approval, decode_output, handoff, tool_call
from taskservice.agent.schemas import AgentReply
from taskservice.agent.service import AgentService, OpenRun, translate
from taskservice.agent.triage import triage
from taskservice.errors import AppError, app_error_body, problem_body
from taskservice.middleware import request_id_var

logger = logging.getLogger("taskservice.agent")

RunInput = str | RunState[Any, Any]


def _start(service: AgentService, run: OpenRun, run_input: RunInput, *, streamed: bool) -> Any:
    kwargs: dict[str, Any] = {
        "session": run.memory,
        "max_turns": service.settings.agent_max_turns,
        "run_config": service.run_config,
    }
    if not isinstance(run_input, RunState):
        kwargs["context"] = run.context
    if streamed:
        return Runner.run_streamed(triage, run_input, **kwargs)
    return Runner.run(triage, run_input, **kwargs)


async def run_to_reply(service: AgentService, run: OpenRun, run_input: RunInput) -> AgentReply:
    try:
        async with asyncio.timeout_at(run.deadline):
            result = await _start(service, run, run_input, streamed=False)
    except InputGuardrailTripwireTriggered as exc:
        return run.refused(exc)
    except Exception as exc:
        problem = translate(exc, service.settings)
        if problem is None:
            raise
        logger.warning("agent run failed: %s: %s", type(exc).__name__, problem.detail)
        raise problem from exc
    return await run.finish(result)


def _sse(event: str, data: dict[str, Any]) -> ServerSentEvent:
    return ServerSentEvent(event=event, data=data)


def _translate_event(event: Any, agent: str) -> ServerSentEvent | None:
    if isinstance(event, AgentUpdatedStreamEvent):
        return _sse("agent_updated", {"agent": event.new_agent.name})
    if isinstance(event, RawResponsesStreamEvent):
        if getattr(event.data, "type", None) == "response.output_text.delta":
            return _sse("text_delta", {"agent": agent, "delta": event.data.delta})  # type: ignore[union-attr]
        return None
    if isinstance(event, RunItemStreamEvent):
        item = event.item
        if event.name == "handoff_occured" and isinstance(item, HandoffOutputItem):
            return _sse("handoff", handoff(item).model_dump(by_alias=True))
        if event.name == "tool_called" and isinstance(item, ToolCallItem):
            return _sse("tool_called", tool_call(item).model_dump(exclude={"output"}))
        if event.name == "tool_output" and isinstance(item, ToolCallOutputItem):
            raw = item.raw_item
            call_id = raw.get("call_id") if isinstance(raw, dict) else getattr(raw, "call_id", "")
            return _sse(
                "tool_output",
                {"id": call_id, "agent": agent, "output": decode_output(item.output)},
            )
    return None


async def stream_run(
    service: AgentService, run: OpenRun, run_input: RunInput
) -> AsyncIterator[ServerSentEvent]:
    """The run as events, ending with exactly one ``done`` or ``error``.

    A client that goes away cancels this generator: the run is cancelled with it,
    its turn is not saved, and its slot is released.
    """
    result = _start(service, run, run_input, streamed=True)
    agent = triage.name
    try:
        events = result.stream_events().__aiter__()
        while True:
            try:
                async with asyncio.timeout_at(run.deadline):
                    event = await anext(events)
            except StopAsyncIteration:
                break
            if isinstance(event, AgentUpdatedStreamEvent):
                agent = event.new_agent.name
            translated = _translate_event(event, agent)
            if translated is not None:
                yield translated
        for item in result.interruptions:
            yield _sse("approval_required", approval(item).model_dump())
        reply = await run.finish(result)
        yield _sse("done", reply.model_dump(mode="json", by_alias=True))
    except InputGuardrailTripwireTriggered as exc:
        yield _sse("done", run.refused(exc).model_dump(mode="json", by_alias=True))
    except Exception as exc:
        problem = translate(exc, service.settings)
        if problem is None:
            logger.exception("agent stream failed")
            body = problem_body(
                status=500,
                slug="internal-error",
                detail="An unexpected error occurred. Quote the request id when reporting it.",
            )
        else:
            body = app_error_body(problem)
        body["instance"] = "/agent/stream"
        body["request_id"] = request_id_var.get()
        body["session_id"] = run.session_id
        yield _sse("error", body)
    finally:
        result.cancel()
        await run.close()


__all__ = ["AppError", "run_to_reply", "stream_run"]
