"""However a run ends (a client that leaves, its timeout, a cancel, a failure), nothing is
left behind: the next write by anyone succeeds at once, and the session's history says
what the run did and how it ended."""

import asyncio
from typing import Any

import pytest
from fastapi import FastAPI
from sqlalchemy import func, select
from sqlmodel import col

from taskservice.agent.offline.model import OfflineModel
from taskservice.agent.runs.records import AgentRun, AgentToolCall
from taskservice.config import Settings
from taskservice.db import DbSessionMaker
from taskservice.tasks.models import Task
from tests.agent.conftest import (
    GatedCreates,
    GatedModel,
    StreamClient,
    stopping,
    use_model,
    wait_until,
)
from tests.conftest import ApiUser

MANY = 30
ADD_MANY = "add tasks: " + "; ".join(f"item {n}" for n in range(MANY))


@pytest.fixture
def settings(db_url: str) -> Settings:
    # A leaked write lock must fail a test quickly, not after SQLite's default 30 s.
    return Settings(
        database_url=db_url, db_pool_size=5, db_max_overflow=30, sqlite_busy_timeout_ms=2000
    )


async def run_rows(db_sessions: DbSessionMaker) -> list[AgentRun]:
    async with db_sessions() as db:
        return list(
            (await db.execute(select(AgentRun).order_by(col(AgentRun.started_at)))).scalars()
        )


async def count(db_sessions: DbSessionMaker, model: Any, *where: Any) -> int:
    async with db_sessions() as db:
        return int(await db.scalar(select(func.count()).select_from(model).where(*where)) or 0)


async def session_messages(user: ApiUser, session_id: str) -> list[dict[str, Any]]:
    response = await user.client.get(f"/agent/sessions/{session_id}")
    assert response.status_code == 200, response.text
    messages: list[dict[str, Any]] = response.json()["messages"]
    return messages


async def assert_history_honest(
    user: ApiUser, db_sessions: DbSessionMaker, run: AgentRun
) -> list[dict[str, Any]]:
    """Every task that exists was made by a recorded tool call, and the session's history
    holds exactly those calls with their outputs."""
    messages = await session_messages(user, run.session_id)
    created = [
        m for m in messages if m["type"] == "tool_output" and '"created"' in (m["output"] or "")
    ]
    recorded_ok = await count(
        db_sessions,
        AgentToolCall,
        AgentToolCall.run_id == run.id,
        col(AgentToolCall.ok).is_(True),
        AgentToolCall.name == "create_task",
    )
    tasks = await count(db_sessions, Task, Task.owner_id == user.id)
    assert len(created) == recorded_ok == tasks
    return messages


class TestClientLeaves:
    @pytest.mark.parametrize("leave_after", [1, 2, 3, 4, 6, 9, 14, 22, 35, 50, 70])
    async def test_writes_succeed_at_once_and_the_history_is_honest(
        self, app: FastAPI, alice: ApiUser, db_sessions: DbSessionMaker, leave_after: int
    ) -> None:
        events = await StreamClient(app, alice.key).post(
            {"message": ADD_MANY}, leave_after=leave_after
        )

        # The app is done with the request: the next write by anyone goes through.
        written = await alice.client.post("/tasks", json={"title": "written after"})
        assert written.status_code == 201, written.text
        (run,) = await run_rows(db_sessions)
        assert run.id == events[0][1]["run_id"]
        assert len(events) >= leave_after
        finished = "done" in [name for name, _ in events]
        assert (run.status, run.outcome) == (
            ("completed", "completed") if finished else ("cancelled", "cancelled")
        )
        await alice.client.delete(f"/tasks/{written.json()['id']}")
        messages = await assert_history_honest(alice, db_sessions, run)
        assert messages[0] == {
            "type": "message",
            "role": "user",
            "content": ADD_MANY,
            "name": None,
            "arguments": None,
            "call_id": None,
            "output": None,
        }
        if not finished:
            assert messages[-1]["content"].startswith("(This request was cancelled before")
        # The session takes the next run at once.
        again = await alice.client.post(
            "/agent", json={"message": "list my tasks", "session_id": run.session_id}
        )
        assert again.status_code == 200, again.text

    async def test_leaving_while_a_tool_call_runs_rolls_it_back(
        self,
        app: FastAPI,
        alice: ApiUser,
        bob: ApiUser,
        db_sessions: DbSessionMaker,
        gated_creates: GatedCreates,
    ) -> None:
        runs = use_model(app, OfflineModel())
        streaming = asyncio.create_task(
            StreamClient(app, alice.key).post(
                {"message": "add a task to buy milk"},
                leave_when=lambda: gated_creates.until_entered(1),
            )
        )
        # The create is inside its transaction (on SQLite holding the write lock) when
        # the client leaves; it finishes its statements, then rolls back.
        await wait_until(lambda: stopping(runs))
        gated_creates.gate.set()
        events = await streaming

        assert (gated_creates.entered, gated_creates.cancelled) == (1, 0)
        assert (await bob.client.post("/tasks", json={"title": "bob's"})).status_code == 201
        assert (await alice.client.get("/tasks")).json()["total"] == 0
        (run,) = await run_rows(db_sessions)
        assert (run.status, run.outcome, run.detail) == (
            "cancelled",
            "cancelled",
            "The client went away.",
        )
        assert await count(db_sessions, AgentToolCall, AgentToolCall.run_id == run.id) == 0
        assert [name for name, _ in events][-1] == "tool_called"
        messages = await session_messages(alice, run.session_id)
        assert [m["content"] for m in messages] == [
            "add a task to buy milk",
            "(This request was cancelled before it finished. Nothing was changed.)",
        ]

    async def test_leaving_is_logged_at_info_with_the_run_id(
        self,
        app: FastAPI,
        alice: ApiUser,
        db_sessions: DbSessionMaker,
        caplog: pytest.LogCaptureFixture,
    ) -> None:
        model = GatedModel()
        use_model(app, model)
        caplog.set_level("INFO", logger="taskservice")

        await StreamClient(app, alice.key).post(
            {"message": "list my tasks"}, leave_when=lambda: model.until_entered(1)
        )

        (run,) = await run_rows(db_sessions)
        records = [r for r in caplog.records if r.name.startswith("taskservice")]
        leaving, ended, access = records
        assert (leaving.levelname, leaving.getMessage()) == (
            "INFO",
            f"client went away; run {run.id} stops",
        )
        fields = vars(ended)
        assert (ended.levelname, fields["run_id"], fields["outcome"], fields["turns"]) == (
            "INFO",
            run.id,
            "cancelled",
            0,
        )
        assert (access.name, vars(access)["status"]) == ("taskservice.access", 200)
        assert all(r.exc_info is None for r in records)


class TestTimeout:
    async def test_an_over_time_run_is_504_and_the_next_write_succeeds(
        self, app: FastAPI, alice: ApiUser, bob: ApiUser, db_sessions: DbSessionMaker
    ) -> None:
        use_model(app, GatedModel(), agent_timeout_s=0.3)

        response = await alice.client.post("/agent", json={"message": "add a task to buy milk"})

        assert response.status_code == 504
        problem = response.json()
        assert (problem["type"], problem["detail"]) == (
            "urn:taskservice:problem:agent-timeout",
            "The agent did not finish within 0.3 s.",
        )
        (run,) = await run_rows(db_sessions)
        assert (problem["run_id"], problem["session_id"]) == (run.id, run.session_id)
        assert (run.status, run.outcome) == ("timed_out", "timed_out")
        assert (await bob.client.post("/tasks", json={"title": "x"})).status_code == 201
        messages = await session_messages(alice, run.session_id)
        assert [m["content"] for m in messages] == [
            "add a task to buy milk",
            "(This request ran out of time before it finished. Nothing was changed.)",
        ]

    async def test_a_tool_call_in_flight_at_the_deadline_is_rolled_back(
        self,
        app: FastAPI,
        alice: ApiUser,
        bob: ApiUser,
        db_sessions: DbSessionMaker,
        gated_creates: GatedCreates,
    ) -> None:
        runs = use_model(app, OfflineModel(), agent_timeout_s=0.5)
        asking = asyncio.create_task(
            alice.client.post("/agent", json={"message": "add a task to buy milk"})
        )
        await wait_until(lambda: stopping(runs))
        gated_creates.gate.set()
        response = await asking

        assert response.status_code == 504
        assert (gated_creates.entered, gated_creates.cancelled) == (1, 0)
        assert (await bob.client.post("/tasks", json={"title": "x"})).status_code == 201
        assert (await alice.client.get("/tasks")).json()["total"] == 0
        (run,) = await run_rows(db_sessions)
        assert (run.status, run.outcome) == ("timed_out", "timed_out")
        assert await count(db_sessions, AgentToolCall, AgentToolCall.run_id == run.id) == 0

    async def test_the_stream_ends_with_one_504_error_event(
        self, app: FastAPI, alice: ApiUser, db_sessions: DbSessionMaker
    ) -> None:
        use_model(app, GatedModel(), agent_timeout_s=0.3)

        events = await StreamClient(app, alice.key).post({"message": "list my tasks"})

        (run,) = await run_rows(db_sessions)
        assert [name for name, _ in events] == ["run_started", "agent_updated", "error"]
        assert (events[-1][1]["status"], events[-1][1]["run_id"]) == (504, run.id)
        assert run.status == "timed_out"
