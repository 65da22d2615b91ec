"""/mcp itself: the handshake, the tools it lists, its bearer auth and its host check."""

from collections.abc import AsyncIterator
from contextlib import asynccontextmanager
from typing import Any

import httpx2
import pytest
from fastapi import FastAPI
from mcp import Client
from mcp.client.streamable_http import streamable_http_client
from mcp.shared.exceptions import MCPError

from taskservice import __version__
from taskservice.app import create_app
from taskservice.auth.repository import UserRepository
from taskservice.config import LOCAL_HOSTS, Settings
from taskservice.db import DbSessionMaker
from taskservice.mcp.server import INSTRUCTIONS
from taskservice.resources import resources_of
from tests.conftest import ApiUser, serving_lifespan
from tests.mcp.conftest import BASE_URL, Connect, http_client, text

LIST_TOOLS = {"jsonrpc": "2.0", "id": 1, "method": "tools/list", "params": {}}
ACCEPT = {"Accept": "application/json, text/event-stream"}
# A handshake-era request: with the protocol version header, any request is served
# without a session (the endpoint is stateless).
LEGACY = {**ACCEPT, "Mcp-Protocol-Version": "2025-11-25"}


class TestInitialize:
    async def test_the_handshake_names_the_server_and_what_it_offers(
        self, connect: Connect, alice: ApiUser
    ) -> None:
        async with connect(alice.key, mode="legacy") as client:
            result = client.session.initialize_result
            assert result is not None
            assert result.protocol_version == "2025-11-25"
            assert (result.server_info.name, result.server_info.version) == (
                "taskservice",
                __version__,
            )
            assert result.instructions == INSTRUCTIONS
            assert result.capabilities.tools is not None
            assert result.capabilities.resources is not None

    async def test_a_2026_client_discovers_the_server_without_a_handshake(
        self, connect: Connect, alice: ApiUser
    ) -> None:
        async with connect(alice.key) as client:
            assert client.session.initialize_result is None
            assert client.protocol_version == "2026-07-28"
            assert client.server_info is not None
            assert client.server_info.name == "taskservice"
            assert client.instructions == INSTRUCTIONS


class TestListTools:
    async def test_the_seven_tools_with_their_hints(self, connect: Connect, alice: ApiUser) -> None:
        async with connect(alice.key) as client:
            tools = (await client.list_tools()).tools
        hints = {
            tool.name: (
                tool.title,
                tool.annotations.read_only_hint if tool.annotations else None,
                tool.annotations.destructive_hint if tool.annotations else None,
                tool.annotations.idempotent_hint if tool.annotations else None,
                tool.annotations.open_world_hint if tool.annotations else None,
            )
            for tool in tools
        }
        assert hints == {
            "list_tasks": ("List tasks", True, False, True, False),
            "get_task": ("Get a task", True, False, True, False),
            "create_task": ("Create a task", False, False, False, False),
            "update_task": ("Update a task", False, True, True, False),
            "delete_task": ("Delete a task", False, True, True, False),
            "task_history": ("Task history", True, False, True, False),
            "summary": ("Summary", True, False, True, False),
        }

    async def test_every_argument_is_described_and_unknown_ones_are_refused(
        self, connect: Connect, alice: ApiUser
    ) -> None:
        async with connect(alice.key, mode="legacy") as client:
            tools = {tool.name: tool for tool in (await client.list_tools()).tools}
        arguments = {name: list(tool.input_schema["properties"]) for name, tool in tools.items()}
        assert arguments == {
            "list_tasks": [
                *("status", "priority", "tag", "q", "due_before", "due_after", "overdue"),
                *("sort", "limit", "cursor"),
            ],
            "get_task": ["task_id"],
            "create_task": ["title", "description", "status", "priority", "due_date", "tags"],
            "update_task": [
                *("task_id", "title", "description", "status", "priority", "due_date", "tags"),
                "expected_version",
            ],
            "delete_task": ["task_id", "expected_version"],
            "task_history": ["task_id"],
            "summary": [],
        }
        for name, tool in tools.items():
            schema = tool.input_schema
            assert schema["additionalProperties"] is False, name
            properties = schema["properties"]
            assert [arg for arg, spec in properties.items() if not _described(spec)] == [], name
            assert tool.description, name
        examples = {name: tool.input_schema.get("examples") for name, tool in tools.items()}
        assert examples["get_task"] == [{"task_id": 42}]
        assert examples["update_task"] == [
            {"task_id": 42, "status": "done"},
            {"task_id": 42, "due_date": None, "tags": ["home"], "expected_version": 3},
        ]
        assert examples["create_task"] == [
            {
                "title": "Write the quarterly report",
                "description": "Numbers from finance first.",
                "status": "todo",
                "priority": "high",
                "due_date": "2026-12-04",
                "tags": ["work", "q4"],
            }
        ]
        assert examples["list_tasks"] == [{"status": ["todo", "in_progress"], "sort": "due_date"}]
        assert tools["update_task"].input_schema["required"] == ["task_id"]

    async def test_results_are_declared_as_the_rest_models(
        self, connect: Connect, alice: ApiUser
    ) -> None:
        async with connect(alice.key) as client:
            tools = {tool.name: tool for tool in (await client.list_tools()).tools}
        outputs = {
            name: sorted((tool.output_schema or {}).get("properties", {}))
            for name, tool in tools.items()
        }
        task_fields = sorted(
            [
                *("id", "title", "description", "status", "priority", "due_date", "tags"),
                *("created_at", "updated_at", "completed_at", "version"),
            ]
        )
        assert outputs == {
            "list_tasks": ["items", "next_cursor", "total", "total_exact"],
            "get_task": task_fields,
            "create_task": task_fields,
            "update_task": task_fields,
            "delete_task": ["deleted"],
            "task_history": ["events", "task_id"],
            "summary": ["counts", "due_soon", "next_due", "overdue", "timezone", "today", "total"],
        }


def _described(spec: dict[str, Any]) -> bool:
    if spec.get("description"):
        return True
    return any(branch.get("description") for branch in spec.get("anyOf", []))


class TestAuth:
    async def test_no_key_is_401_with_www_authenticate(self, app: FastAPI) -> None:
        async with http_client(app, None) as http:
            response = await http.post("/mcp", json=LIST_TOOLS, headers=LEGACY)
        assert response.status_code == 401
        assert response.headers["www-authenticate"] == (
            'Bearer error="invalid_token", error_description="Authentication required"'
        )
        assert response.json() == {
            "error": "invalid_token",
            "error_description": "Authentication required",
        }

    @pytest.mark.parametrize(
        "authorization", ["Bearer ts_not-a-key", "Bearer ", "Basic dXNlcjpwYXNz", "ts_bare"]
    )
    async def test_a_bad_key_is_401(self, app: FastAPI, authorization: str) -> None:
        async with http_client(app, None) as http:
            response = await http.post(
                "/mcp", json=LIST_TOOLS, headers={**LEGACY, "Authorization": authorization}
            )
        assert response.status_code == 401
        assert response.headers["www-authenticate"].startswith('Bearer error="invalid_token"')

    async def test_the_sdk_client_cannot_connect_without_a_key(self, app: FastAPI) -> None:
        statuses: list[int] = []

        async def record(response: httpx2.Response) -> None:
            statuses.append(response.status_code)

        http = http_client(app, None)
        http.event_hooks["response"].append(record)
        with pytest.raises(BaseExceptionGroup) as raised:
            async with (
                http,
                Client(streamable_http_client(f"{BASE_URL}/mcp", http_client=http), mode="legacy"),
            ):
                pass
        assert raised.group_contains(MCPError, match="Server returned an error response")
        assert statuses == [401]

    async def test_a_revoked_key_stops_working_when_the_shared_cache_forgets_it(
        self, app: FastAPI, alice: ApiUser, db_sessions: DbSessionMaker
    ) -> None:
        async with http_client(app, alice.key) as http:
            assert (await http.post("/mcp", json=LIST_TOOLS, headers=LEGACY)).status_code == 200
            async with db_sessions() as db, db.begin():
                assert await UserRepository(db).revoke("alice") == 1
            # Verified a moment ago: this worker trusts the key for auth_cache_ttl_s,
            # over MCP exactly as over REST (one cache).
            assert (await http.post("/mcp", json=LIST_TOOLS, headers=LEGACY)).status_code == 200
            assert (await alice.client.get("/tasks")).status_code == 200
            resources_of(app).verified_keys.clear()
            assert (await http.post("/mcp", json=LIST_TOOLS, headers=LEGACY)).status_code == 401
            assert (await alice.client.get("/tasks")).status_code == 401


@asynccontextmanager
async def _app_with(settings: Settings, **changes: Any) -> AsyncIterator[FastAPI]:
    app = create_app(settings.model_copy(update=changes))
    async with serving_lifespan(app):
        yield app


async def _status(app: FastAPI, key: str, host: str, origin: str | None = None) -> int:
    headers = {**LEGACY, **({"Origin": origin} if origin else {})}
    async with http_client(app, key, host=host) as http:
        return (await http.post("/mcp", json=LIST_TOOLS, headers=headers)).status_code


class TestHostCheck:
    async def test_by_default_only_local_names_are_answered(
        self, app: FastAPI, alice: ApiUser
    ) -> None:
        for host in ("localhost", "localhost:8000", "127.0.0.1", "127.0.0.1:8000", "[::1]:80"):
            assert await _status(app, alice.key, host) == 200, host
        assert await _status(app, alice.key, "tasks.example.com") == 421
        assert await _status(app, alice.key, "localhost", origin="https://evil.example") == 403
        assert await _status(app, alice.key, "localhost", origin="http://localhost:3000") == 200

    async def test_listed_hosts_are_answered_behind_a_proxy(
        self, settings: Settings, alice: ApiUser
    ) -> None:
        hosts = ["tasks.example.com", "internal:*"]
        async with _app_with(settings, mcp_allowed_hosts=hosts) as app:
            assert await _status(app, alice.key, "tasks.example.com") == 200
            assert await _status(app, alice.key, "internal:9000") == 200
            assert await _status(app, alice.key, "localhost") == 421
            assert await _status(app, alice.key, "tasks.example.com:8443") == 421

    async def test_a_star_leaves_host_checking_to_the_proxy(
        self, settings: Settings, alice: ApiUser
    ) -> None:
        async with _app_with(settings, mcp_allowed_hosts=["*"]) as app:
            assert await _status(app, alice.key, "anything.example") == 200
            assert await _status(app, "ts_wrong", "anything.example") == 401

    def test_the_setting_is_a_comma_separated_list(self, monkeypatch: pytest.MonkeyPatch) -> None:
        monkeypatch.setenv("TASKSERVICE_MCP_ALLOWED_HOSTS", " tasks.example.com, internal:* ,")
        assert Settings().mcp_allowed_hosts == ["tasks.example.com", "internal:*"]
        monkeypatch.delenv("TASKSERVICE_MCP_ALLOWED_HOSTS")
        assert Settings().mcp_allowed_hosts == LOCAL_HOSTS


class TestTransport:
    async def test_responses_are_json_and_carry_a_request_id(
        self, app: FastAPI, alice: ApiUser
    ) -> None:
        async with http_client(app, alice.key) as http:
            response = await http.post(
                "/mcp", json=LIST_TOOLS, headers={**LEGACY, "X-Request-ID": "mcp-test-1"}
            )
        assert response.status_code == 200
        assert response.headers["content-type"] == "application/json"
        assert response.headers["x-request-id"] == "mcp-test-1"
        assert "mcp-session-id" not in response.headers
        assert len(response.json()["result"]["tools"]) == 7

    async def test_the_path_with_a_slash_redirects_to_it(
        self, app: FastAPI, alice: ApiUser
    ) -> None:
        async with http_client(app, alice.key) as http:
            response = await http.post("/mcp/", json=LIST_TOOLS, headers=LEGACY)
        assert response.status_code == 307
        assert response.headers["location"] == "http://localhost/mcp"

    async def test_a_body_over_the_limit_is_413(self, app: FastAPI, alice: ApiUser) -> None:
        limit = resources_of(app).settings.max_body_bytes
        body = b'{"jsonrpc":"2.0","id":1,"method":"tools/list","params":{"x":"' + b"a" * limit
        async with http_client(app, alice.key) as http:
            headers = {**LEGACY, "Content-Type": "application/json"}
            response = await http.post("/mcp", content=body + b'"}}', headers=headers)
        assert response.status_code == 413
        assert response.headers["content-type"] == "application/problem+json"

    async def test_a_chunked_body_over_the_limit_is_413(self, app: FastAPI, alice: ApiUser) -> None:
        limit = resources_of(app).settings.max_body_bytes

        async def chunks() -> AsyncIterator[bytes]:
            yield b'{"jsonrpc":"2.0","id":1,"method":"tools/list","params":{"x":"'
            for _ in range(limit // 10_000 + 1):
                yield b"a" * 10_000
            yield b'"}}'

        async with http_client(app, alice.key) as http:
            headers = {**LEGACY, "Content-Type": "application/json"}
            response = await http.post("/mcp", content=chunks(), headers=headers)
        assert response.status_code == 413
        assert response.headers["content-type"] == "application/problem+json"
        assert response.json()["detail"] == f"The request body is larger than {limit} bytes."

    async def test_an_unknown_tool_is_a_tool_error(self, connect: Connect, alice: ApiUser) -> None:
        async with connect(alice.key) as client:
            result = await client.call_tool("delete_everything", {})
        assert result.is_error is True
        assert text(result) == "Unknown tool: delete_everything"
