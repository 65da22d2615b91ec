"""Two keys, two users: over MCP a user reaches only the tasks of the key they send."""

import pytest
from mcp.shared.exceptions import MCPError

from tests.conftest import ApiUser
from tests.mcp.conftest import Connect, problem, structured


class TestIsolation:
    async def test_another_users_task_is_indistinguishable_from_a_missing_one(
        self, connect: Connect, alice: ApiUser, bob: ApiUser
    ) -> None:
        async with connect(alice.key) as client:
            task = structured(await client.call_tool("create_task", {"title": "Alice's secret"}))
        task_id = task["id"]
        missing = f"Task {task_id} does not exist."
        async with connect(bob.key) as client:
            listed = structured(await client.call_tool("list_tasks", {"q": "secret"}))
            assert (listed["items"], listed["total"]) == ([], 0)
            calls = [
                ("get_task", {"task_id": task_id}),
                ("update_task", {"task_id": task_id, "title": "Bob's now"}),
                ("delete_task", {"task_id": task_id}),
                ("task_history", {"task_id": task_id}),
            ]
            for name, arguments in calls:
                assert problem(await client.call_tool(name, arguments))["detail"] == missing, name
            assert structured(await client.call_tool("summary", {}))["total"] == 0
            assert (await client.list_resources()).resources == []
            with pytest.raises(MCPError, match=f"Unknown resource: task://{task_id}"):
                await client.read_resource(f"task://{task_id}")
            mine = structured(await client.call_tool("create_task", {"title": "Bob's own"}))

        async with connect(alice.key) as client:
            assert structured(await client.call_tool("get_task", {"task_id": task_id})) == task
            history = structured(await client.call_tool("task_history", {"task_id": task_id}))
            assert [event["action"] for event in history["events"]] == ["created"]
            listed = structured(await client.call_tool("list_tasks", {}))
            assert [t["title"] for t in listed["items"]] == ["Alice's secret"]
            other = await client.call_tool("get_task", {"task_id": mine["id"]})
            assert problem(other)["detail"] == f"Task {mine['id']} does not exist."
        assert [t["title"] for t in (await bob.client.get("/tasks")).json()["items"]] == [
            "Bob's own"
        ]
