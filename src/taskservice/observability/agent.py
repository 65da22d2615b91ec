"""The agent, measured: runs by outcome and duration, model calls, tokens, tool calls,
approvals; and each run's figures for its log line.

:class:`AgentMeter` is made once by ``AgentRuns`` (a no-op with metrics off) and reached by
a run through its settings. :class:`MeteredModel` wraps the model the agents run on.
"""

import asyncio
import time
from collections.abc import AsyncIterator, Iterable
from dataclasses import dataclass, field
from typing import Any

from agents import OpenAIChatCompletionsModel, OpenAIResponsesModel
from agents.agent_output import AgentOutputSchemaBase
from agents.handoffs import Handoff
from agents.items import ModelResponse, TResponseInputItem
from agents.model_settings import ModelSettings
from agents.models.interface import Model, ModelTracing
from agents.tool import Tool
from agents.tracing import Span, SpanError, generation_span
from agents.tracing.span_data import GenerationSpanData
from agents.usage import Usage
from openai.types.responses.response_prompt_param import ResponsePromptParam

from taskservice.agent.runs.records import Outcome
from taskservice.observability import metrics

TOOL_OUTCOMES = ("ok", "error", "stopped", "failed")
DECISIONS = ("approved", "rejected")


@dataclass
class RunStats:
    """What one run (one round of it: a resumed run counts afresh) did, for its log line."""

    started: float = field(default_factory=time.perf_counter)
    turns: int = 0
    input_tokens: int = 0
    output_tokens: int = 0
    calls_seen: set[str] = field(default_factory=set)

    @property
    def seconds(self) -> float:
        return time.perf_counter() - self.started

    def model_answered(self, usage: Usage) -> None:
        self.turns += 1
        self.input_tokens += usage.input_tokens
        self.output_tokens += usage.output_tokens


class AgentMeter:
    def __init__(self, *, enabled: bool, model: str) -> None:
        self.enabled = enabled
        self.model = model
        if enabled:  # every outcome and decision present from the start (rate() needs it)
            for outcome in Outcome:
                metrics.AGENT_RUNS.labels(outcome.value)
            for decision in DECISIONS:
                metrics.AGENT_APPROVALS.labels(decision)

    def run_started(self) -> None:
        if self.enabled:
            metrics.AGENT_RUNS_IN_FLIGHT.inc()

    def run_left(self) -> None:
        if self.enabled:
            metrics.AGENT_RUNS_IN_FLIGHT.dec()

    def run_ended(self, outcome: Outcome, seconds: float | None = None, count: int = 1) -> None:
        """``count`` runs ended so; ``seconds`` is known for a run its owner ended."""
        if not self.enabled or count <= 0:
            return
        metrics.AGENT_RUNS.labels(outcome.value).inc(count)
        if seconds is not None:
            metrics.AGENT_RUN_DURATION.labels(outcome.value).observe(seconds)

    def model_answered(self, usage: Usage) -> None:
        if self.enabled:
            metrics.AGENT_TOKENS.labels(self.model, "input").inc(usage.input_tokens)
            metrics.AGENT_TOKENS.labels(self.model, "output").inc(usage.output_tokens)

    def tool_call(self, tool: str, outcome: str) -> None:
        if self.enabled:
            metrics.AGENT_TOOL_CALLS.labels(tool, outcome).inc()

    def approvals(self, approved: Iterable[bool]) -> None:
        if self.enabled:
            for approve in approved:
                metrics.AGENT_APPROVALS.labels("approved" if approve else "rejected").inc()

    def model_call(self, outcome: str, seconds: float) -> None:
        if self.enabled:
            metrics.AGENT_MODEL_CALLS.labels(self.model, outcome).inc()
            metrics.AGENT_MODEL_DURATION.labels(self.model).observe(seconds)


class MeteredModel(Model):
    """The agents' model, its calls counted and timed.

    The OpenAI models trace their own calls (a response or generation span); a model
    that does not (the offline one, a test's scripted one) gets a generation span here,
    with the model's name and the call's token usage, so every trace shows its model
    calls.
    """

    def __init__(self, inner: Model, meter: AgentMeter, *, traces_itself: bool) -> None:
        self.inner = inner
        self.meter = meter
        self.traces_itself = traces_itself

    def _span(self, tracing: ModelTracing) -> Span[GenerationSpanData] | None:
        if self.traces_itself or tracing.is_disabled():
            return None
        span = generation_span(model=self.meter.model)
        span.start()
        return span

    def _ended(
        self,
        span: Span[GenerationSpanData] | None,
        started: float,
        usage: Usage | None,
        failure: BaseException | None,
    ) -> None:
        outcome = "ok"
        if isinstance(failure, asyncio.CancelledError | GeneratorExit):
            outcome = "cancelled"  # the run stopped meanwhile
        elif failure is not None:
            outcome = "error"
        self.meter.model_call(outcome, time.perf_counter() - started)
        if span is None:
            return
        if usage is not None:
            span.span_data.usage = {
                "input_tokens": usage.input_tokens,
                "output_tokens": usage.output_tokens,
            }
        if failure is not None:
            span.set_error(SpanError(message=type(failure).__name__, data=None))
        span.finish()

    async def get_response(
        self,
        system_instructions: str | None,
        input: str | list[TResponseInputItem],
        model_settings: ModelSettings,
        tools: list[Tool],
        output_schema: AgentOutputSchemaBase | None,
        handoffs: list[Handoff[Any, Any]],
        tracing: ModelTracing,
        *,
        previous_response_id: str | None,
        conversation_id: str | None,
        prompt: ResponsePromptParam | None,
    ) -> ModelResponse:
        span, started = self._span(tracing), time.perf_counter()
        try:
            response = await self.inner.get_response(
                system_instructions,
                input,
                model_settings,
                tools,
                output_schema,
                handoffs,
                tracing,
                previous_response_id=previous_response_id,
                conversation_id=conversation_id,
                prompt=prompt,
            )
        except BaseException as failure:
            self._ended(span, started, None, failure)
            raise
        self._ended(span, started, response.usage, None)
        return response

    async def stream_response(
        self,
        system_instructions: str | None,
        input: str | list[TResponseInputItem],
        model_settings: ModelSettings,
        tools: list[Tool],
        output_schema: AgentOutputSchemaBase | None,
        handoffs: list[Handoff[Any, Any]],
        tracing: ModelTracing,
        *,
        previous_response_id: str | None,
        conversation_id: str | None,
        prompt: ResponsePromptParam | None,
    ) -> AsyncIterator[Any]:
        span, started = self._span(tracing), time.perf_counter()
        usage: Usage | None = None
        try:
            async for event in self.inner.stream_response(
                system_instructions,
                input,
                model_settings,
                tools,
                output_schema,
                handoffs,
                tracing,
                previous_response_id=previous_response_id,
                conversation_id=conversation_id,
                prompt=prompt,
            ):
                if getattr(event, "type", None) == "response.completed":
                    usage = _usage_of(getattr(event, "response", None))
                yield event
        except GeneratorExit as left:  # the consumer stopped reading: done, or stopped
            self._ended(span, started, usage, None if usage is not None else left)
            raise
        except BaseException as failure:
            self._ended(span, started, usage, failure)
            raise
        self._ended(span, started, usage, None)

    def get_retry_advice(self, request: Any) -> Any:
        return self.inner.get_retry_advice(request)

    async def _cleanup_on_run_end(self, owner: object) -> None:
        await self.inner._cleanup_on_run_end(owner)

    async def close(self) -> None:
        await self.inner.close()


def traces_itself(model: Model) -> bool:
    """Whether the model makes its own spans (the OpenAI ones do)."""
    return isinstance(model, OpenAIResponsesModel | OpenAIChatCompletionsModel)


def _usage_of(response: Any) -> Usage:
    usage = getattr(response, "usage", None)
    return Usage(
        requests=1,
        input_tokens=int(getattr(usage, "input_tokens", 0) or 0),
        output_tokens=int(getattr(usage, "output_tokens", 0) or 0),
    )
