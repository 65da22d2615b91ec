"""The Agents SDK's tracing, on, with processors of our own; nothing leaves by default.

``TASKSERVICE_TRACING``:

- ``db`` (the default): :data:`TRACE_BUFFER` keeps the spans of each run's trace in
  memory while it runs, and the run's owner stores them when the run ends
  (``observability/traces.py``), read back at ``GET /agent/runs/{id}/trace``. The SDK's
  own processor, which exports to OpenAI, is replaced: nothing is sent anywhere.
- ``openai``: the same, and the SDK's exporter to OpenAI's traces beside it.
- ``off``: no tracing (``RunConfig(tracing_disabled=True)``, which starves every
  processor).

``TASKSERVICE_OTLP_ENDPOINT`` adds an OTLP exporter (``observability/otlp.py``).

Processors are called synchronously from the SDK, on the event loop: the buffer only
copies a few fields of a span into memory. It never writes to the database itself (a
run's tool calls are its units of work, and a processor runs inside them); the run does,
once, at its end, in a transaction of its own.
"""

import json
import logging
import threading
from collections import OrderedDict
from dataclasses import dataclass, field
from datetime import UTC, datetime
from typing import Any

from agents import set_trace_processors, set_tracing_disabled
from agents.tracing import Span, Trace, TracingProcessor
from agents.tracing.processors import default_processor

from taskservice.config import Settings

logger = logging.getLogger("taskservice.tracing")

TEXT_LIMIT = 500  # characters of a tool call's arguments and output kept in a trace


@dataclass(frozen=True)
class SpanRecord:
    """What is kept of a span: kind, name, timing, error, and a few chosen fields
    (never a model's input or output: those are the conversation, kept in its history)."""

    span_id: str
    parent_id: str | None
    kind: str
    name: str
    started_at: datetime
    ended_at: datetime | None
    error: str | None
    data: dict[str, Any] = field(default_factory=dict)


def _time(iso: str | None) -> datetime | None:
    return datetime.fromisoformat(iso) if iso else None


def _clip(value: Any) -> str | None:
    if value is None:
        return None
    text = value if isinstance(value, str) else json.dumps(value, default=str)
    return text if len(text) <= TEXT_LIMIT else text[: TEXT_LIMIT - 1] + "…"


def _tokens(usage: Any) -> dict[str, int]:
    """Input and output tokens from a usage dict or object, in either API's words."""
    found: dict[str, int] = {}
    for key, names in (
        ("input_tokens", ("input_tokens", "prompt_tokens")),
        ("output_tokens", ("output_tokens", "completion_tokens")),
    ):
        for name in names:
            value = usage.get(name) if isinstance(usage, dict) else getattr(usage, name, None)
            if isinstance(value, int):
                found[key] = value
                break
    return found


def _tool_outcome(output: Any, failed: bool) -> str:
    """``error`` for a failed call or one whose output is ``{"error": ...}`` (how our
    tools refuse: no such task, an invalid value); ``pending`` for a call with no output,
    which waits for the user's approval (if approved, it runs in the next round); else
    ``ok``."""
    if failed:
        return "error"
    if output is None:
        return "pending"
    try:
        decoded = json.loads(output) if isinstance(output, str) else output
    except ValueError:
        return "ok"
    return "error" if isinstance(decoded, dict) and "error" in decoded else "ok"


def describe(span: Span[Any], *, ended: bool = True) -> SpanRecord:
    data = span.span_data
    kind = str(data.type)
    name = kind
    fields: dict[str, Any] = {}
    match kind:
        case "agent":
            name = data.name
            fields = {"tools": data.tools or [], "handoffs": data.handoffs or []}
        case "handoff":
            name = f"{data.from_agent} → {data.to_agent}"
            fields = {"from": data.from_agent, "to": data.to_agent}
        case "guardrail":
            name = data.name
            fields = {"triggered": bool(data.triggered)}
        case "function":
            name = data.name
            fields = {
                "arguments": _clip(data.input),
                "output": _clip(data.output),
                "outcome": _tool_outcome(data.output, span.error is not None),
            }
        case "generation":
            name = data.model or "model"
            fields = {"model": data.model, **_tokens(data.usage or {})}
        case "response":
            response = data.response
            model = getattr(response, "model", None)
            name = model or "model"
            usage = data.usage or getattr(response, "usage", None) or {}
            fields = {"model": model, **_tokens(usage)}
        case "task" | "custom":
            name = data.name
            if getattr(data, "usage", None):
                fields = _tokens(data.usage)
        case "turn":
            name = f"turn {data.turn}"
            fields = {"agent": data.agent_name, **_tokens(data.usage or {})}
    error = span.error
    return SpanRecord(
        span_id=span.span_id,
        parent_id=span.parent_id,
        kind=kind[:32],
        name=str(name)[:200],
        started_at=_time(span.started_at) or datetime.now(UTC),
        ended_at=_time(span.ended_at) if ended else None,
        error=str(error.get("message") or "error")[:500] if error else None,
        data=fields,
    )


@dataclass
class _Buffered:
    open: dict[str, Span[Any]] = field(default_factory=dict)
    done: list[SpanRecord] = field(default_factory=list)


class TraceBuffer(TracingProcessor):
    """Holds the spans of our runs' traces (those whose metadata names a run) until the
    run takes them at its end. Bounded: at most ``max_traces`` traces (the oldest go
    first: a run that never ended) of at most ``max_spans`` spans each."""

    def __init__(self, *, max_traces: int = 1000, max_spans: int = 2000) -> None:
        self.max_traces = max_traces
        self.max_spans = max_spans
        self._lock = threading.Lock()
        self._traces: OrderedDict[str, _Buffered] = OrderedDict()

    def on_trace_start(self, trace: Trace) -> None:
        metadata = getattr(trace, "metadata", None) or {}
        if "run_id" not in metadata:
            return
        with self._lock:
            self._traces[trace.trace_id] = _Buffered()
            while len(self._traces) > self.max_traces:
                self._traces.popitem(last=False)

    def on_trace_end(self, trace: Trace) -> None:
        """Kept until its run takes it."""

    def on_span_start(self, span: Span[Any]) -> None:
        with self._lock:
            buffered = self._traces.get(span.trace_id)
            if buffered is not None and len(buffered.open) < self.max_spans:
                buffered.open[span.span_id] = span

    def on_span_end(self, span: Span[Any]) -> None:
        with self._lock:
            buffered = self._traces.get(span.trace_id)
            if buffered is None:
                return
            buffered.open.pop(span.span_id, None)
            if len(buffered.done) < self.max_spans:
                buffered.done.append(describe(span))

    def take(self, trace_id: str) -> list[SpanRecord]:
        """The trace's spans, once: those ended, and those still open (unfinished: the
        run was stopped under them). Spans that end later are dropped."""
        with self._lock:
            buffered = self._traces.pop(trace_id, None)
        if buffered is None:
            return []
        unfinished = [describe(span, ended=False) for span in buffered.open.values()]
        return [*buffered.done, *unfinished]

    def shutdown(self) -> None:
        with self._lock:
            self._traces.clear()

    def force_flush(self) -> None:
        """Nothing to flush: runs store their own traces."""


TRACE_BUFFER = TraceBuffer()


def configure_tracing(settings: Settings) -> TraceBuffer | None:
    """Set the SDK's tracing for these settings (it is process-wide); the buffer that
    runs take their traces from, or None with tracing off."""
    if settings.tracing == "off":
        set_tracing_disabled(True)
        set_trace_processors([])
        return None
    processors: list[TracingProcessor] = [TRACE_BUFFER]
    if settings.tracing == "openai":
        processors.insert(0, default_processor())
    if settings.otlp_endpoint:
        from taskservice.observability.otlp import OtlpProcessor

        processors.append(OtlpProcessor.shared(settings.otlp_endpoint))
    set_trace_processors(processors)
    set_tracing_disabled(False)
    return TRACE_BUFFER
