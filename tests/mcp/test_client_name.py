"""The history actor of a change made over MCP: ``mcp``, plus the client's name when the
client sends it with the call (2026-07-28 clients stamp clientInfo on every request; a
handshake client sends it only in ``initialize``, which a stateless server cannot carry
over to later calls)."""

import pytest

from tests.conftest import ApiUser
from tests.mcp.conftest import Connect, structured


async def _actor_of_a_new_task(connect: Connect, key: str, mode: str, name: str | None) -> str:
    async with connect(key, mode=mode, name=name) as client:
        task_id = structured(await client.call_tool("create_task", {"title": "t"}))["id"]
        history = structured(await client.call_tool("task_history", {"task_id": task_id}))
    actor: str = history["events"][0]["actor"]
    return actor


@pytest.mark.parametrize(
    ("mode", "name", "actor"),
    [
        ("auto", "claude-desktop", "mcp:claude-desktop"),
        ("auto", "  My IDE\n\x07 ", "mcp:My IDE"),
        ("auto", "x" * 100, "mcp:" + "x" * 64),
        ("auto", " \t", "mcp"),
        ("auto", None, "mcp:mcp"),  # the SDK's default clientInfo name
        ("legacy", "claude-desktop", "mcp"),
    ],
)
async def test_the_actor_names_the_client_when_the_call_does(
    connect: Connect, alice: ApiUser, mode: str, name: str | None, actor: str
) -> None:
    assert await _actor_of_a_new_task(connect, alice.key, mode, name) == actor


async def test_rest_changes_stay_api(connect: Connect, alice: ApiUser) -> None:
    created = (await alice.client.post("/tasks", json={"title": "t"})).json()
    history = (await alice.client.get(f"/tasks/{created['id']}/history")).json()
    assert [event["actor"] for event in history] == ["api"]
