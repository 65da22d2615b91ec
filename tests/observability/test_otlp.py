"""OTLP export (the ``otel`` extra): a run's trace reaches a collector over HTTP."""

import threading
from collections.abc import Iterator
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from typing import Any

import pytest
from fastapi import FastAPI
from opentelemetry.proto.collector.trace.v1.trace_service_pb2 import ExportTraceServiceRequest

from taskservice.observability.otlp import OtlpProcessor
from taskservice.resources import resources_of
from tests.agent.conftest import use_model
from tests.conftest import ApiUser
from tests.observability.test_agent_metrics import ask


class Collector:
    """An OTLP/HTTP trace receiver on a free port, keeping what it is sent."""

    def __init__(self) -> None:
        self.requests: list[ExportTraceServiceRequest] = []
        received = self.requests

        class Handler(BaseHTTPRequestHandler):
            def do_POST(self) -> None:
                body = self.rfile.read(int(self.headers["Content-Length"]))
                request = ExportTraceServiceRequest()
                request.ParseFromString(body)
                received.append(request)
                self.send_response(200)
                self.send_header("Content-Type", "application/x-protobuf")
                self.send_header("Content-Length", "0")
                self.end_headers()

            def log_message(self, *args: Any) -> None:
                pass

        self.server = ThreadingHTTPServer(("127.0.0.1", 0), Handler)
        self.url = f"http://127.0.0.1:{self.server.server_address[1]}/v1/traces"

    def spans(self) -> list[Any]:
        return [
            span
            for request in self.requests
            for resource in request.resource_spans
            for scope in resource.scope_spans
            for span in scope.spans
        ]


@pytest.fixture
def collector() -> Iterator[Collector]:
    started = Collector()
    thread = threading.Thread(target=started.server.serve_forever, daemon=True)
    thread.start()
    try:
        yield started
    finally:
        processor = OtlpProcessor._shared.pop(started.url, None)
        if processor is not None:
            processor.shutdown()
        started.server.shutdown()
        started.server.server_close()


def attributes(span: Any) -> dict[str, Any]:
    found = {}
    for kv in span.attributes:
        value = kv.value
        found[kv.key] = (
            value.string_value
            if value.HasField("string_value")
            else value.int_value
            if value.HasField("int_value")
            else value.bool_value
            if value.HasField("bool_value")
            else [v.string_value for v in value.array_value.values]
        )
    return found


class TestOtlpExport:
    async def test_a_runs_spans_reach_the_collector(
        self, app: FastAPI, alice: ApiUser, collector: Collector
    ) -> None:
        runs = resources_of(app).agent_runs
        use_model(app, runs.model.inner, otlp_endpoint=collector.url)

        body = await ask(alice, "add a task to buy milk")
        OtlpProcessor.shared(collector.url).force_flush()

        spans = collector.spans()
        by_name = {span.name: span for span in spans}
        root = by_name["taskservice agent"]
        assert attributes(root) == {
            "taskservice.run_id": body["run_id"],
            "taskservice.session_id": body["session_id"],
        }
        assert sorted(span.name for span in spans) == sorted(
            [
                "taskservice agent",
                "task taskservice agent",
                "agent triage",
                "agent planner",
                "turn 1",
                "turn 2",
                "turn 3",
                "guardrail task_guardrail",
                "generation offline",
                "generation offline",
                "generation offline",
                "handoff triage → planner",
                "function create_task",
            ]
        )
        assert {span.trace_id for span in spans} == {root.trace_id}
        call = by_name["function create_task"]
        assert attributes(call)["agent.outcome"] == "ok"
        assert attributes(call)["agent.span.kind"] == "function"
        assert call.parent_span_id == by_name["turn 2"].span_id
        resource = collector.requests[0].resource_spans[0].resource
        assert {kv.key: kv.value.string_value for kv in resource.attributes}["service.name"] == (
            "taskservice"
        )
