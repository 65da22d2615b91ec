"""Every run has bounds: tool calls per run (refused in advance when a model asks for too
many at once) and tool calls running at once."""

import asyncio
from typing import Any

import pytest
from agents.testing import ModelStep, ScriptedModel, function_call
from fastapi import FastAPI

from taskservice.agent.offline.model import OfflineModel
from taskservice.agent.runs.control import RunControl, ToolBudgetExceeded
from taskservice.resources import resources_of
from tests.agent.conftest import GatedCreates, checked_out, use_model
from tests.conftest import ApiUser


def add_many(count: int) -> str:
    return "add tasks: " + "; ".join(f"item {n}" for n in range(count))


def create(title: str, call_id: str) -> Any:
    arguments = {
        "title": title,
        "description": None,
        "priority": None,
        "due_date": None,
        "tags": None,
    }
    return function_call("create_task", arguments, call_id=call_id)


async def total(user: ApiUser) -> int:
    count: int = (await user.client.get("/tasks")).json()["total"]
    return count


class TestToolCallsPerRun:
    async def test_a_request_for_more_than_the_limit_is_refused_before_anything_is_done(
        self, alice: ApiUser
    ) -> None:
        response = await alice.client.post("/agent", json={"message": add_many(51)})

        assert response.status_code == 422
        problem = response.json()
        assert (problem["type"], problem["detail"]) == (
            "urn:taskservice:problem:agent-tool-limit",
            "This request needs 51 more tool calls, and one request may make at most 50 "
            "(0 already made). Ask for fewer changes at once.",
        )
        assert await total(alice) == 0
        run = (await alice.client.get(f"/agent/runs/{problem['run_id']}")).json()
        assert (run["status"], run["outcome"], run["tool_calls"]) == ("failed", "tool_limit", [])
        session = (await alice.client.get(f"/agent/sessions/{problem['session_id']}")).json()
        assert session["messages"][-1]["content"] == (
            "(This request reached its limit of tool calls and was stopped. Nothing was changed.)"
        )

    async def test_exactly_the_limit_is_done(self, app: FastAPI, alice: ApiUser) -> None:
        use_model(app, OfflineModel(), agent_max_tool_calls=5)

        done = await alice.client.post("/agent", json={"message": add_many(5)})
        refused = await alice.client.post("/agent", json={"message": add_many(6)})

        assert (done.status_code, refused.status_code) == (200, 422)
        assert await total(alice) == 5

    async def test_a_later_batch_that_does_not_fit_stops_the_run_with_what_was_done(
        self, app: FastAPI, alice: ApiUser
    ) -> None:
        model = ScriptedModel(
            [
                ModelStep(output=[function_call("transfer_to_planner", {}, call_id="h1")]),
                ModelStep(output=[create("one", "c1"), create("two", "c2")]),
                ModelStep(output=[create("three", "c3"), create("four", "c4")]),
                ModelStep(output=[create("five", "c5"), create("six", "c6")]),
            ]
        )
        use_model(app, model, agent_max_tool_calls=5)

        response = await alice.client.post("/agent", json={"message": "add six tasks"})

        assert response.status_code == 422
        assert response.json()["detail"] == (
            "This request needs 2 more tool calls, and one request may make at most 5 "
            "(4 already made). Ask for fewer changes at once."
        )
        titles = sorted(t["title"] for t in (await alice.client.get("/tasks")).json()["items"])
        assert titles == ["four", "one", "three", "two"]
        run = (await alice.client.get(f"/agent/runs/{response.json()['run_id']}")).json()
        # Calls of one batch run at once, so they are recorded in the order they finish.
        assert sorted(c["id"] for c in run["tool_calls"]) == ["c1", "c2", "c3", "c4"]
        session = (await alice.client.get(f"/agent/sessions/{run['session_id']}")).json()
        note = session["messages"][-1]["content"]
        assert note.startswith(
            "(This request reached its limit of tool calls and was stopped. Done before it "
            "stopped: created task #"
        )
        outputs = [m["call_id"] for m in session["messages"] if m["type"] == "tool_output"]
        assert sorted(outputs) == ["c1", "c2", "c3", "c4"]


class TestToolCallsAtOnce:
    async def test_one_run_runs_at_most_the_configured_number_of_calls_at_once(
        self, app: FastAPI, alice: ApiUser, monkeypatch: pytest.MonkeyPatch
    ) -> None:
        gated_creates = GatedCreates(monkeypatch, before_writing=True)
        use_model(app, OfflineModel(), agent_max_parallel_tools=2)
        asking = asyncio.create_task(alice.client.post("/agent", json={"message": add_many(6)}))
        expected = 2
        await gated_creates.until_entered(expected)
        for _ in range(20):  # let anything unbounded pile in
            await asyncio.sleep(0.01)
        inside = gated_creates.inside
        gated_creates.gate.set()
        response = await asking
        in_use = checked_out(app)

        assert response.status_code == 200
        assert inside == expected
        assert gated_creates.most_inside == expected
        assert (await total(alice), in_use) == (6, 0)

    async def test_the_default_bound_leaves_the_pool_to_others(self, app: FastAPI) -> None:
        settings = resources_of(app).settings
        assert (settings.agent_max_parallel_tools, settings.agent_max_tool_calls) == (4, 50)


class TestRunControl:
    def test_a_batch_is_refused_whole_when_it_does_not_fit(self) -> None:
        control = RunControl(max_tool_calls=3, max_parallel=1, used=1)

        control.check_budget(2)
        with pytest.raises(ToolBudgetExceeded) as refused:
            control.check_budget(3)

        assert (refused.value.requested, refused.value.used, refused.value.limit) == (3, 1, 3)

    def test_calls_are_admitted_until_the_budget_is_spent_or_the_run_stops(self) -> None:
        spent = RunControl(max_tool_calls=2, max_parallel=1)
        stopping = RunControl(max_tool_calls=2, max_parallel=1)
        stopping.stopping = True

        assert [spent.admit(), spent.admit(), spent.admit()] == [True, True, False]
        assert (spent.used, stopping.admit(), stopping.used) == (2, False, 0)
