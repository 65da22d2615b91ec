"""Every metric the service exports, defined once, and the text of ``GET /metrics``.

Labels are bounded sets chosen by the code, never by a client: a route is its template
(``/tasks/{task_id}``, or ``<unmatched>``), a method one of the HTTP verbs (else
``OTHER``), a tool one of the tools the service has (else ``unknown``). No user id, no
task text, no raw path.

With ``taskservice serve`` every worker writes its values to files in
``PROMETHEUS_MULTIPROC_DIR`` (prometheus-client's multiprocess mode, see
``observability/workers.py``) and any worker answers a scrape with the sum over all of
them; gauges count live workers only (``livesum``). Without that directory (tests,
an app served by another server) the values are this process's own.
"""

import os

from prometheus_client import (
    REGISTRY,
    CollectorRegistry,
    Counter,
    Gauge,
    Histogram,
    disable_created_metrics,
    generate_latest,
)
from prometheus_client.multiprocess import MultiProcessCollector

from taskservice.observability.workers import MULTIPROC_DIR_ENV, forget_dead_workers

# The classic text format (legacy names, underscores), which every Prometheus reads; it
# is what prometheus-client's own HTTP handler answers a scraper that asks for nothing.
CONTENT_TYPE = "text/plain; version=0.0.4; charset=utf-8"

# No `_created` series beside each counter and histogram: noise to a dashboard.
disable_created_metrics()  # type: ignore[no-untyped-call]

_LATENCY = (0.005, 0.01, 0.025, 0.05, 0.1, 0.25, 0.5, 1.0, 2.5, 5.0, 10.0, 30.0, 60.0)
_RUN_SECONDS = (0.05, 0.1, 0.25, 0.5, 1.0, 2.5, 5.0, 10.0, 20.0, 30.0, 60.0, 120.0)

# -- HTTP -----------------------------------------------------------------------------

HTTP_REQUESTS = Counter(
    "taskservice_http_requests",
    "HTTP requests answered, by method, route template and status.",
    ["method", "route", "status"],
)
HTTP_DURATION = Histogram(
    "taskservice_http_request_duration_seconds",
    "Time from a request's arrival to the end of its response (a stream: its whole length).",
    ["method", "route"],
    buckets=_LATENCY,
)
HTTP_IN_FLIGHT = Gauge(
    "taskservice_http_requests_in_flight",
    "HTTP requests being answered now.",
    multiprocess_mode="livesum",
)

# -- the database pool ------------------------------------------------------------------

DB_POOL_SIZE = Gauge(
    "taskservice_db_pool_size",
    "Connections each worker's pool keeps open (TASKSERVICE_DB_POOL_SIZE), summed.",
    multiprocess_mode="livesum",
)
DB_POOL_MAX_OVERFLOW = Gauge(
    "taskservice_db_pool_max_overflow",
    "Extra connections each pool may open under load (TASKSERVICE_DB_MAX_OVERFLOW), summed.",
    multiprocess_mode="livesum",
)
DB_CHECKED_OUT = Gauge(
    "taskservice_db_connections_checked_out",
    "Connections in use now.",
    multiprocess_mode="livesum",
)
DB_WAITING = Gauge(
    "taskservice_db_connections_waiting",
    "Requests waiting now for a connection (the pool and its overflow are all in use).",
    multiprocess_mode="livesum",
)
DB_WAIT = Histogram(
    "taskservice_db_connection_wait_seconds",
    "How long a request that had to wait for a connection waited.",
    buckets=_LATENCY,
)

# -- the agent --------------------------------------------------------------------------

AGENT_RUNS = Counter(
    "taskservice_agent_runs",
    "Agent runs ended, by outcome (a run paused for approvals ends as waiting_approval; "
    "resumed, it ends again).",
    ["outcome"],
)
AGENT_RUN_DURATION = Histogram(
    "taskservice_agent_run_duration_seconds",
    "How long an agent run took, from admission to its recorded end, by outcome.",
    ["outcome"],
    buckets=_RUN_SECONDS,
)
AGENT_RUNS_IN_FLIGHT = Gauge(
    "taskservice_agent_runs_in_flight",
    "Agent runs running now.",
    multiprocess_mode="livesum",
)
AGENT_MODEL_CALLS = Counter(
    "taskservice_agent_model_calls",
    "Calls to the model, by model and outcome: ok, error (the provider failed), cancelled "
    "(the run stopped meanwhile).",
    ["model", "outcome"],
)
AGENT_MODEL_DURATION = Histogram(
    "taskservice_agent_model_call_duration_seconds",
    "How long a model call took (a streamed one: until its last event), by model.",
    ["model"],
    buckets=_LATENCY,
)
AGENT_TOKENS = Counter(
    "taskservice_agent_tokens",
    "Tokens the model read (input) and wrote (output), as the Agents SDK's usage reports.",
    ["model", "direction"],
)
AGENT_TOOL_CALLS = Counter(
    "taskservice_agent_tool_calls",
    "Tool calls of agent runs, by tool and outcome: ok; error (the tool refused: no such "
    "task, an invalid value or invalid arguments); stopped (not run: the run was "
    "stopping or out of budget); failed (the database failed).",
    ["tool", "outcome"],
)
AGENT_APPROVALS = Counter(
    "taskservice_agent_approvals",
    "Decisions on tool calls that waited for the user's approval.",
    ["decision"],
)

# -- MCP ----------------------------------------------------------------------------------

MCP_TOOL_CALLS = Counter(
    "taskservice_mcp_tool_calls",
    "MCP tool calls, by tool and outcome: ok; error (a result with isError: no such task, "
    "a stale version, invalid arguments); failed (an exception).",
    ["tool", "outcome"],
)
MCP_TOOL_DURATION = Histogram(
    "taskservice_mcp_tool_call_duration_seconds",
    "How long an MCP tool call took, by tool.",
    ["tool"],
    buckets=_LATENCY,
)


def render() -> bytes:
    """The Prometheus text exposition: of every worker, or of this process alone."""
    directory = os.environ.get(MULTIPROC_DIR_ENV)
    if not directory:
        return generate_latest(REGISTRY)
    forget_dead_workers(directory)
    registry = CollectorRegistry()
    MultiProcessCollector(registry, path=directory)  # type: ignore[no-untyped-call]
    return generate_latest(registry)
