"""Agent traces over OTLP/HTTP (``TASKSERVICE_OTLP_ENDPOINT``), with the ``otel`` extra.

Each SDK trace becomes an OpenTelemetry trace: a root span for the run, then one span per
SDK span, parented as in the SDK, with the same few attributes the database keeps. The
OpenTelemetry SDK batches and sends them from its own thread: the processor's callbacks
only start and end spans in memory.
"""

import threading
import time
from typing import Any, ClassVar

from agents.tracing import Span, Trace, TracingProcessor
from opentelemetry import trace as otel_trace
from opentelemetry.exporter.otlp.proto.http.trace_exporter import OTLPSpanExporter
from opentelemetry.sdk.resources import Resource
from opentelemetry.sdk.trace import TracerProvider
from opentelemetry.sdk.trace.export import BatchSpanProcessor, SpanExporter
from opentelemetry.trace import Status, StatusCode

from taskservice import __version__
from taskservice.observability.tracing import describe

MAX_OPEN = 10_000  # spans and traces held open at once (a run that never ended is dropped)


class OtlpProcessor(TracingProcessor):
    _shared: ClassVar[dict[str, "OtlpProcessor"]] = {}
    _shared_lock: ClassVar[threading.Lock] = threading.Lock()

    def __init__(self, exporter: SpanExporter) -> None:
        self.provider = TracerProvider(
            resource=Resource.create(
                {"service.name": "taskservice", "service.version": __version__}
            )
        )
        self.provider.add_span_processor(BatchSpanProcessor(exporter))
        self.tracer = self.provider.get_tracer("taskservice.agent")
        self._lock = threading.Lock()
        self._open: dict[str, Any] = {}  # SDK trace or span id -> OpenTelemetry span

    @classmethod
    def shared(cls, endpoint: str) -> "OtlpProcessor":
        """One per endpoint and process (each has a sending thread)."""
        with cls._shared_lock:
            if endpoint not in cls._shared:
                cls._shared[endpoint] = cls(OTLPSpanExporter(endpoint=endpoint))
            return cls._shared[endpoint]

    def _start(self, key: str, name: str, parent: Any, attributes: dict[str, Any]) -> None:
        context = otel_trace.set_span_in_context(parent) if parent is not None else None
        span = self.tracer.start_span(
            name, context=context, attributes=attributes, start_time=time.time_ns()
        )
        with self._lock:
            if len(self._open) < MAX_OPEN:
                self._open[key] = span

    def on_trace_start(self, trace: Trace) -> None:
        metadata = getattr(trace, "metadata", None) or {}
        attributes = {f"taskservice.{k}": str(v) for k, v in metadata.items()}
        self._start(trace.trace_id, trace.name, None, attributes)

    def on_trace_end(self, trace: Trace) -> None:
        with self._lock:
            span = self._open.pop(trace.trace_id, None)
        if span is not None:
            span.end(end_time=time.time_ns())

    def on_span_start(self, span: Span[Any]) -> None:
        with self._lock:
            parent = self._open.get(span.parent_id or span.trace_id)
        self._start(span.span_id, str(span.span_data.type), parent, {})

    def on_span_end(self, span: Span[Any]) -> None:
        with self._lock:
            otel_span = self._open.pop(span.span_id, None)
        if otel_span is None:
            return
        record = describe(span)
        named = record.name.startswith(f"{record.kind} ")  # "turn 2", not "turn turn 2"
        otel_span.update_name(record.name if named else f"{record.kind} {record.name}")
        otel_span.set_attribute("agent.span.kind", record.kind)
        otel_span.set_attribute("agent.span.name", record.name)
        for key, value in record.data.items():
            if isinstance(value, str | bool | int | float) or (
                isinstance(value, list) and all(isinstance(v, str) for v in value)
            ):
                otel_span.set_attribute(f"agent.{key}", value)
        if record.error is not None:
            otel_span.set_status(Status(StatusCode.ERROR, record.error))
        otel_span.end(end_time=time.time_ns())

    def shutdown(self) -> None:
        self.provider.shutdown()

    def force_flush(self) -> None:
        self.provider.force_flush()


def _attribute(value: Any) -> bool:
    """Whether OpenTelemetry takes ``value`` as an attribute (a scalar, or strings)."""
    if isinstance(value, list):
        return all(isinstance(v, str) for v in value)
    return isinstance(value, str | bool | int | float)
