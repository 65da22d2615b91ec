"""An MCP client for the app: the SDK's client over HTTP, in process (httpx2's ASGI
transport), with an API key as its bearer token."""

from collections.abc import AsyncIterator, Callable
from contextlib import AbstractAsyncContextManager, asynccontextmanager
from typing import Any

import httpx2
import pytest
from fastapi import FastAPI
from mcp import Client
from mcp.client.streamable_http import streamable_http_client
from mcp_types import CallToolResult, Implementation

BASE_URL = "http://localhost"

Connect = Callable[..., AbstractAsyncContextManager[Client]]


def http_client(app: FastAPI, key: str | None, host: str = "localhost") -> httpx2.AsyncClient:
    headers = {"Authorization": f"Bearer {key}"} if key is not None else {}
    return httpx2.AsyncClient(
        transport=httpx2.ASGITransport(app=app), base_url=f"http://{host}", headers=headers
    )


@pytest.fixture
def connect(app: FastAPI) -> Connect:
    """``async with connect(key, mode=..., name=...) as client``: ``mode`` is the SDK's
    (``auto`` speaks the 2026-07-28 protocol, ``legacy`` the initialize handshake);
    ``name`` is the clientInfo name the client sends."""

    @asynccontextmanager
    async def connected(
        key: str | None, *, mode: str = "auto", name: str | None = None
    ) -> AsyncIterator[Client]:
        info = Implementation(name=name, version="1.0") if name is not None else None
        async with (
            http_client(app, key) as http,
            Client(
                streamable_http_client(f"{BASE_URL}/mcp", http_client=http),
                mode=mode,
                client_info=info,
            ) as client,
        ):
            yield client

    return connected


def structured(result: CallToolResult) -> Any:
    """A successful result's structured content."""
    assert result.is_error is False, result.content
    return result.structured_content


def problem(result: CallToolResult) -> Any:
    """A tool error result's problem (its structured content)."""
    assert result.is_error is True, result.content
    return result.structured_content


def text(result: CallToolResult) -> str:
    (content,) = result.content
    assert content.type == "text"
    return content.text


def field_errors(problem: dict[str, Any], prefix: str = "") -> list[tuple[str, str, str]]:
    """(field, message, type) of each error in a problem, ``prefix`` taken off the field
    (REST says ``body.title`` or ``query.limit`` where a tool says ``title``, ``limit``)."""
    return [
        (error["field"].removeprefix(prefix), error["message"], error["type"])
        for error in problem["errors"]
    ]
