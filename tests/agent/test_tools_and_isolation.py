"""The tools: the same repository and validation as REST, no way to another user's tasks,
failures as tool output; and the agents' public description."""

from typing import Any

import pytest
from agents.testing import ModelStep, ScriptedModel, assistant_message, function_call
from fastapi import FastAPI

from taskservice.agent.triage import AGENTS
from tests.agent.conftest import use_model
from tests.agent.helpers import ask, calls, seed
from tests.conftest import ApiUser


def scripted(*steps: list[Any]) -> ScriptedModel:
    return ScriptedModel([ModelStep(output=step) for step in steps])


class TestIsolation:
    async def test_another_users_task_ids_are_invisible_to_the_agent(
        self, alice: ApiUser, bob: ApiUser
    ) -> None:
        await seed(bob)

        for message in ("show task 3", "mark task 3 as done", "rename task 2 to mine"):
            answer = await ask(alice, message)
            assert [c["output"] for c in answer["tool_calls"]] == [
                {"error": f"Task {calls(answer)[0][1]['task_id']} does not exist."}
            ]
        listed = await ask(alice, "list my tasks")
        searched = await ask(alice, "search for invoice")

        assert listed["tool_calls"][0]["output"] == {
            "total": 0,
            "tasks": [],
            "more": False,
            "next_cursor": None,
        }
        assert searched["tool_calls"][0]["output"]["total"] == 0
        untouched = (await bob.client.get("/tasks/3")).json()
        assert (untouched["status"], untouched["version"]) == ("todo", 1)
        assert (await bob.client.get("/tasks/2")).json()["title"] == "write report"

    async def test_delete_of_another_users_task_finds_nothing_even_if_approved(
        self, alice: ApiUser, bob: ApiUser
    ) -> None:
        await seed(bob)
        asked = await ask(alice, "delete task 9")
        decision = [{"id": asked["pending_approvals"][0]["id"], "approve": True}]

        resumed = await alice.client.post(
            f"/agent/sessions/{asked['session_id']}/approvals", json={"decisions": decision}
        )

        assert resumed.json()["tool_calls"][-1]["output"] == {"error": "Task 9 does not exist."}
        assert (await bob.client.get("/tasks/9")).status_code == 200

    def test_no_tool_takes_a_user_or_owner(self) -> None:
        for agent in AGENTS:
            for tool in agent.tools:
                schema = tool.params_json_schema  # type: ignore[union-attr]
                assert schema["additionalProperties"] is False
                assert tool.strict_json_schema is True  # type: ignore[union-attr]
                assert not {"user", "user_id", "owner", "owner_id"} & set(schema["properties"])


class TestToolFailures:
    async def test_invalid_arguments_go_back_to_the_model(
        self, app: FastAPI, alice: ApiUser
    ) -> None:
        model = scripted(
            [function_call("transfer_to_planner", {}, call_id="h")],
            [function_call("create_task", {"title": 5}, call_id="c1")],
            [assistant_message("Sorry, that did not work.")],
        )
        use_model(app, model)

        answer = await ask(alice, "add a task to do something")

        assert answer["reply"] == "Sorry, that did not work."
        output = answer["tool_calls"][0]["output"]
        assert output["error"] == (
            "invalid arguments: Invalid JSON input for tool create_task. create_task takes "
            '{title: string, description: string | null, priority: "low" | "medium" | "high" '
            '| "urgent" | null, due_date: string | null, tags: list[string] | null}, every '
            "field present (null where optional)."
        )
        assert (await alice.client.get("/tasks")).json()["total"] == 0
        sent_back = model.last_call.input[-1]  # type: ignore[union-attr]
        assert sent_back["type"] == "function_call_output"
        assert sent_back["call_id"] == "c1"

    async def test_values_are_validated_like_rest(self, app: FastAPI, alice: ApiUser) -> None:
        use_model(
            app,
            scripted(
                [function_call("transfer_to_planner", {}, call_id="h")],
                [
                    function_call(
                        "create_task",
                        {
                            "title": "   ",
                            "description": None,
                            "priority": None,
                            "due_date": "2026-02-30",
                            "tags": ["two words"],
                        },
                        call_id="c1",
                    )
                ],
                [assistant_message("Could not create it.")],
            ),
        )

        answer = await ask(alice, "add a task")

        error = answer["tool_calls"][0]["output"]["error"]
        assert error.startswith(
            "invalid value: title: Value error, title must not be blank; "
            "due_date: Value error, day is out of range for month; "
            "tags.0: String should match pattern"
        )
        assert (await alice.client.get("/tasks")).json()["total"] == 0

    async def test_an_unexpected_failure_is_reported_without_internals(
        self, app: FastAPI, alice: ApiUser, monkeypatch: pytest.MonkeyPatch
    ) -> None:
        from taskservice.tasks.repository import TaskRepository

        async def broken(self: TaskRepository, *args: Any, **kwargs: Any) -> Any:
            raise RuntimeError("SELECT secret FROM somewhere")

        monkeypatch.setattr(TaskRepository, "count_by_status", broken)

        answer = await ask(alice, "how many tasks are done?")

        assert answer["tool_calls"][0]["output"] == {
            "error": "the tool failed unexpectedly; nothing was changed"
        }
        assert "SELECT" not in str(answer)


class TestAgentsEndpoint:
    async def test_describes_agents_tools_and_handoffs(self, alice: ApiUser) -> None:
        response = await alice.client.get("/agents")

        assert response.status_code == 200
        agents = {a["name"]: a for a in response.json()}
        assert list(agents) == ["triage", "planner", "editor", "reporter"]
        assert agents["triage"]["tools"] == []
        assert agents["triage"]["handoffs"] == ["planner", "editor", "reporter"]
        for name in ("planner", "editor", "reporter"):
            assert agents[name]["handoffs"] == ["triage"]
            assert agents[name]["role"]
        assert [t["name"] for t in agents["planner"]["tools"]] == ["create_task"]
        assert [(t["name"], t["needs_approval"]) for t in agents["editor"]["tools"]] == [
            ("find_tasks", False),
            ("set_status", False),
            ("set_priority", False),
            ("set_due_date", False),
            ("clear_due_date", False),
            ("set_description", False),
            ("rename_task", False),
            ("add_tags", False),
            ("remove_tags", False),
            ("update_tasks", False),
            ("delete_task", True),
            ("delete_tasks", True),
            ("undo_last_change", True),
            ("show_task", False),
            ("list_tasks", False),
        ]
        assert [t["name"] for t in agents["reporter"]["tools"]] == [
            "list_tasks",
            "find_tasks",
            "show_task",
            "count_tasks",
            "status_summary",
            "next_tasks",
        ]
        assert all(t["description"] for a in agents.values() for t in a["tools"])

    async def test_needs_a_key(self, client) -> None:  # type: ignore[no-untyped-def]
        assert (await client.get("/agents")).status_code == 401
