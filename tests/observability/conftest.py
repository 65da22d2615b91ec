"""Fixtures: log lines as ``serve`` writes them in JSON; a gated model; an MCP client."""

import io
import json
import logging
from collections.abc import Iterator
from typing import Any

import pytest

from taskservice.observability.logs import JsonFormatter, RequestContextFilter
from tests.agent.conftest import gated
from tests.mcp.conftest import connect

__all__ = ["connect", "gated", "json_lines", "parsed"]  # the agent's and MCP's fixtures too


@pytest.fixture
def json_lines() -> Iterator[io.StringIO]:
    """What the ``taskservice`` loggers write, formatted as ``serve`` does in JSON."""
    stream = io.StringIO()
    handler = logging.StreamHandler(stream)
    handler.setFormatter(JsonFormatter())
    handler.addFilter(RequestContextFilter())
    logger = logging.getLogger("taskservice")
    level = logger.level
    logger.addHandler(handler)
    logger.setLevel(logging.INFO)
    try:
        yield stream
    finally:
        logger.removeHandler(handler)
        logger.setLevel(level)


def parsed(stream: io.StringIO) -> list[dict[str, Any]]:
    return [json.loads(line) for line in stream.getvalue().splitlines()]
