"""Runs as resources: GET /agent/runs/{id} and POST /agent/runs/{id}/cancel."""

import asyncio
from typing import Any

from fastapi import FastAPI

from taskservice.agent.offline.model import OfflineModel
from taskservice.agent.runs.lifecycle import AgentRuns
from tests.agent.conftest import (
    GatedCreates,
    GatedModel,
    StreamClient,
    stopping,
    use_model,
    wait_until,
)
from tests.conftest import ApiUser


async def run_of(user: ApiUser, run_id: str) -> dict[str, Any]:
    response = await user.client.get(f"/agent/runs/{run_id}")
    assert response.status_code == 200, response.text
    body: dict[str, Any] = response.json()
    return body


async def only_run_id(runs: AgentRuns) -> str:
    await wait_until(lambda: _one_active(runs))
    (run_id,) = runs.active
    return run_id


async def _one_active(runs: AgentRuns) -> bool:
    return len(runs.active) == 1


async def messages_of(user: ApiUser, session_id: str) -> list[str | None]:
    body = (await user.client.get(f"/agent/sessions/{session_id}")).json()
    return [m["content"] or m["name"] or m["output"] for m in body["messages"]]


class TestGetRun:
    async def test_a_completed_run_with_its_tool_calls_and_timing(self, alice: ApiUser) -> None:
        reply = (
            await alice.client.post("/agent", json={"message": "add a task to buy milk"})
        ).json()

        run = await run_of(alice, reply["run_id"])

        assert (run["id"], run["session_id"], run["status"], run["outcome"]) == (
            reply["run_id"],
            reply["session_id"],
            "completed",
            "completed",
        )
        assert (run["detail"], run["stop_requested"]) == (None, None)
        assert [(c["agent"], c["name"], c["ok"]) for c in run["tool_calls"]] == [
            ("planner", "create_task", True)
        ]
        call = run["tool_calls"][0]
        assert call["id"] == reply["tool_calls"][0]["id"]
        assert call["output"] == reply["tool_calls"][0]["output"]
        assert call["arguments"]["title"] == "buy milk"
        assert run["ended_at"] >= run["started_at"]
        assert run["duration_ms"] >= 0

    async def test_a_failed_tool_call_is_listed_as_not_ok(self, alice: ApiUser) -> None:
        reply = (await alice.client.post("/agent", json={"message": "mark task 7 as done"})).json()

        run = await run_of(alice, reply["run_id"])

        assert [(c["name"], c["ok"], c["output"]) for c in run["tool_calls"]] == [
            ("set_status", False, {"error": "Task 7 does not exist."})
        ]

    async def test_another_users_run_is_404_and_cannot_be_cancelled(
        self, alice: ApiUser, bob: ApiUser
    ) -> None:
        reply = (await alice.client.post("/agent", json={"message": "list my tasks"})).json()

        seen = await bob.client.get(f"/agent/runs/{reply['run_id']}")
        cancelled = await bob.client.post(f"/agent/runs/{reply['run_id']}/cancel")

        assert (seen.status_code, cancelled.status_code) == (404, 404)
        assert seen.json()["type"] == "urn:taskservice:problem:run-not-found"
        assert seen.json()["detail"] == f"Agent run {reply['run_id']!r} does not exist."

    async def test_unknown_and_malformed_ids(self, alice: ApiUser) -> None:
        unknown = await alice.client.get("/agent/runs/0123456789abcdef")
        malformed = await alice.client.get("/agent/runs/not%20an%20id")
        bad_mode = await alice.client.post("/agent/runs/0123456789abcdef/cancel?mode=later")

        assert (unknown.status_code, malformed.status_code, bad_mode.status_code) == (
            404,
            422,
            422,
        )


class TestCancel:
    async def test_a_run_thinking_is_cancelled_at_once(self, app: FastAPI, alice: ApiUser) -> None:
        runs = use_model(app, GatedModel())
        asking = asyncio.create_task(
            alice.client.post("/agent", json={"message": "add a task to buy milk"})
        )
        run_id = await only_run_id(runs)

        cancelled = await alice.client.post(f"/agent/runs/{run_id}/cancel")
        answer = await asking

        assert cancelled.status_code == 200
        assert (cancelled.json()["status"], cancelled.json()["stop_requested"]) == (
            "cancelled",
            "after_tool_call",
        )
        assert answer.status_code == 409
        assert (answer.json()["type"], answer.json()["detail"], answer.json()["run_id"]) == (
            "urn:taskservice:problem:run-cancelled",
            "The run was cancelled at your request.",
            run_id,
        )
        assert await messages_of(alice, answer.json()["session_id"]) == [
            "add a task to buy milk",
            "(This request was cancelled before it finished. Nothing was changed.)",
        ]

    async def test_after_tool_call_lets_the_call_in_flight_finish(
        self, app: FastAPI, alice: ApiUser, gated_creates: GatedCreates
    ) -> None:
        runs = use_model(app, OfflineModel())
        asking = asyncio.create_task(
            alice.client.post("/agent", json={"message": "add tasks: milk; eggs; bread"})
        )
        # The calls have started (on SQLite the other two queue for the write lock).
        await gated_creates.until_entered(1)
        run_id = await only_run_id(runs)

        cancelling = asyncio.create_task(alice.client.post(f"/agent/runs/{run_id}/cancel"))
        await wait_until(lambda: stopping(runs))
        gated_creates.gate.set()
        cancelled, answer = await cancelling, await asking

        assert cancelled.json()["status"] == "cancelled"
        assert [c["ok"] for c in cancelled.json()["tool_calls"]] == [True, True, True]
        assert answer.status_code == 409
        assert (await alice.client.get("/tasks")).json()["total"] == 3
        note = str((await messages_of(alice, answer.json()["session_id"]))[-1])
        prefix = "(This request was cancelled before it finished. Done before it stopped: "
        assert note.startswith(prefix)
        assert note.endswith(".)")
        tasks = (await alice.client.get("/tasks")).json()["items"]
        # On PostgreSQL the three calls run at once, so their order is the commits'.
        assert sorted(note[len(prefix) : -2].split("; ")) == sorted(
            f"created task #{t['id']} '{t['title']}'" for t in tasks
        )

    async def test_immediate_rolls_back_the_call_in_flight(
        self, app: FastAPI, alice: ApiUser, gated_creates: GatedCreates
    ) -> None:
        runs = use_model(app, OfflineModel())
        asking = asyncio.create_task(
            alice.client.post("/agent", json={"message": "add a task to buy milk"})
        )
        await gated_creates.until_entered(1)
        run_id = await only_run_id(runs)

        cancelling = asyncio.create_task(
            alice.client.post(f"/agent/runs/{run_id}/cancel", params={"mode": "immediate"})
        )
        await wait_until(lambda: stopping(runs))
        gated_creates.gate.set()
        cancelled, answer = await cancelling, await asking

        assert (cancelled.json()["status"], cancelled.json()["stop_requested"]) == (
            "cancelled",
            "immediate",
        )
        assert cancelled.json()["tool_calls"] == []
        assert answer.status_code == 409
        assert (await alice.client.get("/tasks")).json()["total"] == 0

    async def test_a_streamed_run_ends_with_a_cancelled_error_event(
        self, app: FastAPI, alice: ApiUser
    ) -> None:
        model = GatedModel()
        runs = use_model(app, model)

        async def cancel_then_release() -> None:
            run_id = await only_run_id(runs)
            response = await alice.client.post(f"/agent/runs/{run_id}/cancel")
            assert response.json()["status"] == "cancelled"

        canceller = asyncio.create_task(cancel_then_release())
        events = await StreamClient(app, alice.key).post({"message": "list my tasks"})
        await canceller

        assert [name for name, _ in events] == ["run_started", "agent_updated", "error"]
        assert (events[-1][1]["status"], events[-1][1]["type"]) == (
            409,
            "urn:taskservice:problem:run-cancelled",
        )

    async def test_a_run_waiting_for_approval_is_cancelled_and_nothing_is_deleted(
        self, alice: ApiUser
    ) -> None:
        await alice.client.post("/tasks", json={"title": "keep me"})
        asked = (await alice.client.post("/agent", json={"message": "delete task 1"})).json()

        cancelled = await alice.client.post(f"/agent/runs/{asked['run_id']}/cancel")

        assert (cancelled.status_code, cancelled.json()["status"]) == (200, "cancelled")
        assert (await alice.client.get("/tasks/1")).status_code == 200
        session = (await alice.client.get(f"/agent/sessions/{asked['session_id']}")).json()
        assert (session["pending_approvals"], session["approvals"]) == (0, [])
        assert session["messages"][-1]["content"] == (
            "(The calls waiting for your approval were cancelled; nothing was done.)"
        )
        decided = await alice.client.post(
            f"/agent/sessions/{asked['session_id']}/approvals",
            json={"decisions": [{"id": asked["pending_approvals"][0]["id"], "approve": True}]},
        )
        assert decided.status_code == 409
        again = await alice.client.post(
            "/agent", json={"message": "list my tasks", "session_id": asked["session_id"]}
        )
        assert again.status_code == 200

    async def test_an_ended_run_is_409(self, alice: ApiUser) -> None:
        reply = (await alice.client.post("/agent", json={"message": "list my tasks"})).json()

        response = await alice.client.post(f"/agent/runs/{reply['run_id']}/cancel")

        assert response.status_code == 409
        assert response.json()["detail"] == (
            f"Run {reply['run_id']!r} has already ended (completed); nothing to cancel."
        )
