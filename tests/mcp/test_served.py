"""/mcp on a real `taskservice serve` process, over TCP: the SDK's own client, the Agents
SDK's MCPServerStreamableHttp, and two worker processes answering one client."""

import asyncio
from pathlib import Path
from typing import Any

import httpx
import httpx2
from agents import Agent, RunConfig, Runner
from agents.mcp import MCPServerStreamableHttp
from agents.testing import ScriptedModel, assistant_message, function_call
from mcp import Client
from mcp.client.streamable_http import streamable_http_client
from mcp_types import Implementation

from tests.mcp.conftest import structured, text
from tests.process import admin_key, serving


def _client(base_url: str, key: str, *, mode: str = "auto", name: str = "pytest") -> Client:
    """A client whose every request opens a new connection, so that with several worker
    processes the kernel hands requests to any of them."""
    http = httpx2.AsyncClient(
        headers={"Authorization": f"Bearer {key}"},
        limits=httpx2.Limits(max_keepalive_connections=0),
        timeout=30,
    )
    return Client(
        streamable_http_client(f"{base_url}/mcp", http_client=http),
        mode=mode,
        client_info=Implementation(name=name, version="1.0"),
    )


async def _sdk_client_round(base_url: str, key: str) -> None:
    async with _client(base_url, key, mode="legacy", name="served") as client:
        assert client.session.initialize_result is not None
        assert len((await client.list_tools()).tools) == 7
        created = await client.call_tool("create_task", {"title": "over tcp", "tags": ["Net"]})
        assert structured(created)["tags"] == ["net"]
    async with _client(base_url, key, name="served") as client:
        assert client.protocol_version == "2026-07-28"
        listed = structured(await client.call_tool("list_tasks", {"tag": "net"}))
        assert [task["title"] for task in listed["items"]] == ["over tcp"]
        history = structured(await client.call_tool("task_history", {"task_id": 1}))
        assert [event["actor"] for event in history["events"]] == ["mcp"]
        updated = await client.call_tool("update_task", {"task_id": 1, "status": "done"})
        assert structured(updated)["status"] == "done"
        history = structured(await client.call_tool("task_history", {"task_id": 1}))
        assert [event["actor"] for event in history["events"]] == ["mcp", "mcp:served"]


async def _agents_sdk_round(base_url: str, key: str) -> None:
    server = MCPServerStreamableHttp(
        params={"url": f"{base_url}/mcp", "headers": {"Authorization": f"Bearer {key}"}},
        name="tasks",
        cache_tools_list=True,
    )
    async with server:
        tools = await server.list_tools()
        assert sorted(tool.name for tool in tools) == [
            "create_task",
            "delete_task",
            "get_task",
            "list_tasks",
            "summary",
            "task_history",
            "update_task",
        ]
        direct = await server.call_tool("get_task", {"task_id": 1})
        assert direct.is_error is False
        assert direct.structured_content is not None
        assert direct.structured_content["title"] == "over tcp"

        model = ScriptedModel(
            [
                [function_call("create_task", {"title": "From an agent"}, call_id="call-1")],
                [assistant_message("Added it.")],
            ]
        )
        agent = Agent(name="assistant", model=model, mcp_servers=[server])
        result = await Runner.run(
            agent, "add 'From an agent'", run_config=RunConfig(tracing_disabled=True)
        )
        assert result.final_output == "Added it."
        first_call = model.first_call
        assert first_call is not None
        assert len(first_call.tools) == 7
        # The model reads the tool's text result (the SDK's default for MCP tools).
        outputs = [item for item in result.new_items if item.type == "tool_call_output_item"]
        assert [item.output for item in outputs] == [
            {
                "type": "text",
                "text": 'Created Task 2 "From an agent": todo, medium priority (version 1).',
            }
        ]


class TestServed:
    def test_one_process_over_tcp(self, db_url: str, tmp_path: Path) -> None:
        log = tmp_path / "serve.log"
        with serving(db_url, log=log) as (base_url, _):
            key = admin_key(log)
            response = httpx.post(f"{base_url}/mcp", json={}, timeout=10)
            assert response.status_code == 401
            assert response.headers["www-authenticate"].startswith("Bearer ")
            asyncio.run(_sdk_client_round(base_url, key))
            asyncio.run(_agents_sdk_round(base_url, key))
            tasks = httpx.get(
                f"{base_url}/tasks", headers={"Authorization": f"Bearer {key}"}, timeout=10
            ).json()
            assert sorted(task["title"] for task in tasks["items"]) == [
                "From an agent",
                "over tcp",
            ]

    def test_two_workers_answer_any_request(self, db_url: str, tmp_path: Path) -> None:
        log = tmp_path / "serve.log"
        with serving(db_url, "--workers", "2", log=log) as (base_url, _):
            key = admin_key(log)

            async def one_client(n: int) -> list[int]:
                # A handshake on one connection, then calls on others: a server that
                # kept sessions per worker would lose this client half the time.
                async with _client(base_url, key, mode="legacy") as client:
                    created = [
                        await client.call_tool("create_task", {"title": f"c{n} t{i}"})
                        for i in range(5)
                    ]
                    return [structured(result)["id"] for result in created]

            async def run() -> tuple[list[list[int]], Any, str]:
                ids = await asyncio.gather(*(one_client(n) for n in range(4)))
                async with _client(base_url, key) as client:
                    page = await client.call_tool("list_tasks", {"limit": 100})
                    summary = await client.call_tool("summary", {})
                return ids, structured(page), text(summary)

            ids, page, summary = asyncio.run(run())
        assert sorted(i for batch in ids for i in batch) == list(range(1, 21))
        assert page["total"] == 20
        assert sorted(task["title"] for task in page["items"]) == sorted(
            f"c{n} t{i}" for n in range(4) for i in range(5)
        )
        assert summary.startswith("20 tasks (20 todo, 0 in_progress, 0 blocked, 0 done);")
