"""MCP tool calls, measured: by tool and outcome, and how long each took."""

from collections.abc import Iterable

from taskservice.observability import metrics

UNKNOWN_TOOL = "unknown"  # a name the client made up stays out of the labels


class McpMeter:
    def __init__(self, *, enabled: bool, tools: Iterable[str]) -> None:
        self.enabled = enabled
        self.tools = frozenset(tools)

    def call(self, tool: str, outcome: str, seconds: float) -> None:
        if not self.enabled:
            return
        label = tool if tool in self.tools else UNKNOWN_TOOL
        metrics.MCP_TOOL_CALLS.labels(label, outcome).inc()
        metrics.MCP_TOOL_DURATION.labels(label).observe(seconds)
