"""create_task, update_task, delete_task: the REST behaviour, over MCP."""

from typing import Any

from taskservice.tasks.schemas import TAG_PATTERN
from tests.conftest import ApiUser
from tests.mcp.conftest import Connect, field_errors, problem, structured, text

REPORT = {
    "title": "Write the quarterly report",
    "description": "Numbers from finance first.",
    "status": "todo",
    "priority": "high",
    "due_date": "2026-12-04",
    "tags": ["Work", "q4", "work"],
}


async def _rest_task(user: ApiUser, task_id: int) -> Any:
    response = await user.client.get(f"/tasks/{task_id}")
    assert response.status_code == 200
    return response.json()


async def _total(user: ApiUser) -> int:
    total: int = (await user.client.get("/tasks")).json()["total"]
    return total


class TestCreateTask:
    async def test_creates_the_task_rest_reads_back(self, connect: Connect, alice: ApiUser) -> None:
        async with connect(alice.key) as client:
            result = await client.call_tool("create_task", REPORT)
        task = structured(result)
        assert task == await _rest_task(alice, task["id"])
        assert (task["title"], task["tags"], task["version"]) == (
            "Write the quarterly report",
            ["work", "q4"],
            1,
        )
        assert text(result) == (
            'Created Task 1 "Write the quarterly report": todo, high priority, '
            "due 2026-12-04, tags work, q4 (version 1)."
        )

    async def test_only_the_title_is_required(self, connect: Connect, alice: ApiUser) -> None:
        async with connect(alice.key) as client:
            task = structured(await client.call_tool("create_task", {"title": "  Call mum "}))
        assert {k: task[k] for k in ("title", "description", "status", "priority", "tags")} == {
            "title": "Call mum",
            "description": None,
            "status": "todo",
            "priority": "medium",
            "tags": [],
        }

    async def test_invalid_values_get_the_messages_of_a_rest_422(
        self, connect: Connect, alice: ApiUser
    ) -> None:
        bad = {
            "title": "   ",
            "priority": "critical",
            "due_date": "04/12/2026",
            "tags": ["fine", "two words"],
        }
        async with connect(alice.key) as client:
            result = await client.call_tool("create_task", bad)
        rest = await alice.client.post("/tasks", json=bad)
        assert rest.status_code == 422
        assert field_errors(problem(result)) == field_errors(rest.json(), "body.")
        assert field_errors(problem(result)) == [
            ("title", "Value error, title must not be blank", "value_error"),
            ("priority", "Input should be 'low', 'medium', 'high' or 'urgent'", "enum"),
            ("due_date", "Value error, must be a calendar date written YYYY-MM-DD", "value_error"),
            ("tags.1", f"String should match pattern '{TAG_PATTERN}'", "string_pattern_mismatch"),
        ]
        assert {k: problem(result)[k] for k in ("type", "status", "detail")} == {
            "type": "urn:taskservice:problem:validation-failed",
            "status": 422,
            "detail": "The arguments did not pass validation; see `errors`.",
        }
        assert text(result).startswith(
            "Invalid arguments: title: Value error, title must not be blank; priority: "
        )
        assert await _total(alice) == 0

    async def test_unknown_and_missing_arguments_are_refused(
        self, connect: Connect, alice: ApiUser
    ) -> None:
        async with connect(alice.key) as client:
            result = await client.call_tool("create_task", {"owner_id": 2, "name": "x"})
        rest = await alice.client.post("/tasks", json={"owner_id": 2, "name": "x"})
        assert field_errors(problem(result)) == field_errors(rest.json(), "body.")
        assert field_errors(problem(result)) == [
            ("title", "Field required", "missing"),
            ("owner_id", "Extra inputs are not permitted", "extra_forbidden"),
            ("name", "Extra inputs are not permitted", "extra_forbidden"),
        ]
        assert text(result) == (
            "Invalid arguments: title: Field required; owner_id: Extra inputs are not "
            "permitted; name: Extra inputs are not permitted"
        )
        assert await _total(alice) == 0


class TestUpdateTask:
    async def test_only_the_fields_passed_change(self, connect: Connect, alice: ApiUser) -> None:
        async with connect(alice.key) as client:
            task_id = structured(await client.call_tool("create_task", REPORT))["id"]
            done = await client.call_tool("update_task", {"task_id": task_id, "status": "done"})
            task = structured(done)
            assert task == await _rest_task(alice, task_id)
            assert (task["status"], task["version"], task["due_date"], task["description"]) == (
                "done",
                2,
                "2026-12-04",
                "Numbers from finance first.",
            )
            assert task["completed_at"] is not None
            assert text(done) == (
                'Updated Task 1 "Write the quarterly report": done, high priority, '
                "due 2026-12-04, tags work, q4 (version 2)."
            )
            cleared = structured(
                await client.call_tool("update_task", {"task_id": task_id, "due_date": None})
            )
            assert (cleared["due_date"], cleared["description"], cleared["version"]) == (
                None,
                "Numbers from finance first.",
                3,
            )
            unchanged = structured(await client.call_tool("update_task", {"task_id": task_id}))
            assert unchanged == cleared

    async def test_text_is_taken_as_sent_and_lists_may_come_as_json(
        self, connect: Connect, alice: ApiUser
    ) -> None:
        async with connect(alice.key) as client:
            task_id = structured(await client.call_tool("create_task", REPORT))["id"]
            task = structured(
                await client.call_tool(
                    "update_task",
                    {"task_id": task_id, "description": "null", "tags": '["Home", "home"]'},
                )
            )
        assert (task["description"], task["tags"]) == ("null", ["home"])

    async def test_expected_version_guards_against_lost_updates(
        self, connect: Connect, alice: ApiUser
    ) -> None:
        async with connect(alice.key) as client:
            task_id = structured(await client.call_tool("create_task", REPORT))["id"]
            current = await client.call_tool(
                "update_task", {"task_id": task_id, "priority": "low", "expected_version": 1}
            )
            assert structured(current)["version"] == 2
            stale = await client.call_tool(
                "update_task", {"task_id": task_id, "priority": "urgent", "expected_version": 1}
            )
        detail = (
            f"Task {task_id} has changed since you read it (it is now at version 2); "
            "fetch it again and retry."
        )
        assert problem(stale) == {
            "type": "urn:taskservice:problem:version-mismatch",
            "title": "Precondition Failed",
            "status": 412,
            "detail": detail,
        }
        assert text(stale) == detail
        assert (await _rest_task(alice, task_id))["priority"] == "low"

    async def test_invalid_and_unknown_fields_change_nothing(
        self, connect: Connect, alice: ApiUser
    ) -> None:
        async with connect(alice.key) as client:
            task_id = structured(await client.call_tool("create_task", REPORT))["id"]
            patch = {"title": None, "status": "finished", "state": "done"}
            result = await client.call_tool("update_task", {"task_id": task_id, **patch})
        rest = await alice.client.patch(f"/tasks/{task_id}", json=patch)
        assert rest.status_code == 422
        assert field_errors(problem(result)) == field_errors(rest.json(), "body.")
        assert field_errors(problem(result)) == [
            ("title", "Input should be a valid string", "string_type"),
            ("status", "Input should be 'todo', 'in_progress', 'blocked' or 'done'", "enum"),
            ("state", "Extra inputs are not permitted", "extra_forbidden"),
        ]
        assert (await _rest_task(alice, task_id))["version"] == 1

    async def test_a_missing_task(self, connect: Connect, alice: ApiUser) -> None:
        async with connect(alice.key) as client:
            result = await client.call_tool("update_task", {"task_id": 7, "status": "done"})
        assert problem(result) == {
            "type": "urn:taskservice:problem:task-not-found",
            "title": "Not Found",
            "status": 404,
            "detail": "Task 7 does not exist.",
        }
        assert text(result) == "Task 7 does not exist."


class TestDeleteTask:
    async def test_deletes_and_returns_the_task_as_it_was(
        self, connect: Connect, alice: ApiUser
    ) -> None:
        async with connect(alice.key) as client:
            task = structured(await client.call_tool("create_task", REPORT))
            result = await client.call_tool("delete_task", {"task_id": task["id"]})
            assert structured(result) == {"deleted": task}
            assert text(result) == (
                'Deleted Task 1 "Write the quarterly report": todo, high priority, '
                "due 2026-12-04, tags work, q4 (version 1)."
            )
            again = await client.call_tool("delete_task", {"task_id": task["id"]})
            assert problem(again)["type"] == "urn:taskservice:problem:task-not-found"
        assert (await alice.client.get(f"/tasks/{task['id']}")).status_code == 404

    async def test_a_stale_expected_version_deletes_nothing(
        self, connect: Connect, alice: ApiUser
    ) -> None:
        async with connect(alice.key) as client:
            task_id = structured(await client.call_tool("create_task", REPORT))["id"]
            await client.call_tool("update_task", {"task_id": task_id, "status": "blocked"})
            stale = await client.call_tool(
                "delete_task", {"task_id": task_id, "expected_version": 1}
            )
            assert problem(stale)["status"] == 412
            assert await _total(alice) == 1
            current = await client.call_tool(
                "delete_task", {"task_id": task_id, "expected_version": 2}
            )
            assert structured(current)["deleted"]["status"] == "blocked"
        assert await _total(alice) == 0

    async def test_a_bad_id_gets_the_message_of_a_rest_422(
        self, connect: Connect, alice: ApiUser
    ) -> None:
        async with connect(alice.key) as client:
            result = await client.call_tool("delete_task", {"task_id": 0})
        rest = await alice.client.delete("/tasks/0")
        assert field_errors(problem(result)) == field_errors(rest.json(), "path.")
        assert field_errors(problem(result)) == [
            ("task_id", "Input should be greater than or equal to 1", "greater_than_equal")
        ]
