"""Stored agent traces: the tree of a round, who may read it, when it goes, and that
nothing is sent anywhere unless asked."""

import asyncio
from datetime import timedelta
from typing import Any

from agents.tracing import get_trace_provider
from agents.tracing.processors import default_processor
from fastapi import FastAPI
from sqlalchemy import func, select

from taskservice.agent.sessions import purge_expired_sessions
from taskservice.db import DbSessionMaker
from taskservice.observability.traces import AgentTraceSpan
from taskservice.observability.tracing import TEXT_LIMIT, TRACE_BUFFER
from tests.agent.conftest import use_model
from tests.conftest import ApiUser
from tests.observability.test_agent_metrics import ask, handoff_tool_reply


async def trace_of(user: ApiUser, run_id: str) -> dict[str, Any]:
    response = await user.client.get(f"/agent/runs/{run_id}/trace")
    assert response.status_code == 200, response.text
    body: dict[str, Any] = response.json()
    return body


def shape(span: dict[str, Any]) -> Any:
    """(kind, name) of a span, with its children's shapes."""
    children = [shape(child) for child in span["children"]]
    return (span["kind"], span["name"], children) if children else (span["kind"], span["name"])


def walk(span: dict[str, Any]) -> list[dict[str, Any]]:
    return [span, *(s for child in span["children"] for s in walk(child))]


async def stored_spans(db_sessions: DbSessionMaker) -> int:
    async with db_sessions() as db:
        return int(await db.scalar(select(func.count()).select_from(AgentTraceSpan)) or 0)


# The offline model's round for "add a task to buy milk": triage (its guardrail first)
# hands off to the planner, which calls create_task, then answers.
ROUND = [
    (
        "task",
        "taskservice agent",
        [
            (
                "agent",
                "triage",
                [
                    (
                        "turn",
                        "turn 1",
                        [
                            ("guardrail", "task_guardrail"),
                            ("generation", "offline"),
                            ("handoff", "triage → planner"),
                        ],
                    )
                ],
            ),
            (
                "agent",
                "planner",
                [
                    ("turn", "turn 2", [("generation", "offline"), ("function", "create_task")]),
                    ("turn", "turn 3", [("generation", "offline")]),
                ],
            ),
        ],
    )
]
# Streamed, the guardrail runs before the first turn rather than in it.
STREAMED_ROUND = [
    (
        "task",
        "taskservice agent",
        [
            (
                "agent",
                "triage",
                [
                    ("guardrail", "task_guardrail"),
                    (
                        "turn",
                        "turn 1",
                        [("generation", "offline"), ("handoff", "triage → planner")],
                    ),
                ],
            ),
            ROUND[0][2][1],
        ],
    )
]
SPANS_IN_ROUND = 12


class TestTraceTree:
    async def test_a_handoff_tool_reply_round(self, alice: ApiUser) -> None:
        body = await ask(alice, "add a task to buy milk")

        trace = await trace_of(alice, body["run_id"])

        assert trace["run_id"] == body["run_id"]
        (round_,) = trace["rounds"]
        assert [shape(span) for span in round_["spans"]] == ROUND
        spans = walk(round_["spans"][0])
        assert len(spans) == SPANS_IN_ROUND
        (call,) = [s for s in spans if s["kind"] == "function"]
        task_id = body["tool_calls"][0]["output"]["created"]["id"]
        assert call["data"] == {
            "arguments": '{"title":"buy milk","description":null,"priority":null,'
            '"due_date":null,"tags":null}',
            "output": f'{{"created":{{"id":{task_id},"title":"buy milk","status":"todo",'
            '"priority":"medium","due_date":null,"tags":[]}}',
            "outcome": "ok",
        }
        (handoff,) = [s for s in spans if s["kind"] == "handoff"]
        assert handoff["data"] == {"from": "triage", "to": "planner"}
        assert [s["data"] for s in spans if s["kind"] == "generation"] == [
            {"model": "offline", "input_tokens": 0, "output_tokens": 0}
        ] * 3
        assert [s["data"] for s in spans if s["kind"] == "guardrail"] == [{"triggered": False}]
        assert all(s["error"] is None for s in spans)

    async def test_the_same_round_streamed(self, alice: ApiUser) -> None:
        body = await ask(alice, "add a task to buy milk", stream=True)

        (round_,) = (await trace_of(alice, body["run_id"]))["rounds"]

        assert [shape(span) for span in round_["spans"]] == STREAMED_ROUND
        (call,) = [s for s in walk(round_["spans"][0]) if s["kind"] == "function"]
        assert (call["name"], call["data"]["outcome"]) == ("create_task", "ok")

    async def test_timings_nest(self, alice: ApiUser) -> None:
        body = await ask(alice, "add a task to buy milk")

        (round_,) = (await trace_of(alice, body["run_id"]))["rounds"]

        def check(span: dict[str, Any]) -> None:
            assert span["duration_ms"] >= 0
            assert span["ended_at"] >= span["started_at"]
            for child in span["children"]:
                assert span["started_at"] <= child["started_at"] <= child["ended_at"]
                assert child["ended_at"] <= span["ended_at"]
                check(child)

        for span in round_["spans"]:
            check(span)
        assert round_["started_at"] == round_["spans"][0]["started_at"]
        assert round_["ended_at"] == round_["spans"][0]["ended_at"]

    async def test_tokens_from_the_models_usage(self, app: FastAPI, alice: ApiUser) -> None:
        use_model(app, handoff_tool_reply())

        body = await ask(alice, "add a task to buy milk", stream=True)

        (round_,) = (await trace_of(alice, body["run_id"]))["rounds"]
        spans = walk(round_["spans"][0])
        assert [s["data"] for s in spans if s["kind"] == "generation"] == [
            {"model": "offline", "input_tokens": 100, "output_tokens": 5},
            {"model": "offline", "input_tokens": 120, "output_tokens": 20},
            {"model": "offline", "input_tokens": 150, "output_tokens": 3},
        ]

    async def test_a_tool_refusal_and_long_output_are_kept_short(self, alice: ApiUser) -> None:
        for i in range(12):
            await alice.client.post("/tasks", json={"title": f"a rather long task title {i}"})

        refused = await ask(alice, "mark task 999 as done")
        listed = await ask(alice, "list my tasks")

        (refusal,) = [
            s
            for s in walk((await trace_of(alice, refused["run_id"]))["rounds"][0]["spans"][0])
            if s["kind"] == "function"
        ]
        assert refusal["data"]["outcome"] == "error"
        assert refusal["data"]["output"] == '{"error":"Task 999 does not exist."}'
        (listing,) = [
            s
            for s in walk((await trace_of(alice, listed["run_id"]))["rounds"][0]["spans"][0])
            if s["kind"] == "function"
        ]
        assert len(listing["data"]["output"]) == TEXT_LIMIT
        assert listing["data"]["output"].endswith("…")

    async def test_a_run_paused_for_approval_has_a_round_per_resumption(
        self, alice: ApiUser
    ) -> None:
        task_id = (await alice.client.post("/tasks", json={"title": "old"})).json()["id"]
        paused = await ask(alice, f"delete task {task_id}")
        decision = {"id": paused["pending_approvals"][0]["id"], "approve": True}
        resumed = await alice.client.post(
            f"/agent/sessions/{paused['session_id']}/approvals", json={"decisions": [decision]}
        )

        trace = await trace_of(alice, paused["run_id"])

        assert resumed.json()["run_id"] == paused["run_id"]
        first, second = trace["rounds"]
        assert first["trace_id"] != second["trace_id"]
        assert first["ended_at"] <= second["started_at"]
        assert [
            (s["name"], s["data"]["outcome"])
            for s in walk(first["spans"][0])
            if s["kind"] == "function"
        ] == [("delete_task", "pending")]
        assert [
            (s["name"], s["data"]["outcome"])
            for s in walk(second["spans"][0])
            if s["kind"] == "function"
        ] == [("delete_task", "ok")]


class TestTraceAccess:
    async def test_another_users_run_or_none_is_404(self, alice: ApiUser, bob: ApiUser) -> None:
        body = await ask(alice, "add a task to buy milk")

        others = await bob.client.get(f"/agent/runs/{body['run_id']}/trace")
        missing = await alice.client.get("/agent/runs/0123456789abcdef/trace")
        invalid = await alice.client.get("/agent/runs/not%20an%20id/trace")

        assert (others.status_code, missing.status_code, invalid.status_code) == (404, 404, 422)
        assert others.json() == {
            **others.json(),
            "type": "urn:taskservice:problem:run-not-found",
        }


class TestTraceLifetime:
    async def test_spans_go_with_their_session(
        self, alice: ApiUser, db_sessions: DbSessionMaker
    ) -> None:
        kept = await ask(alice, "add a task to buy milk")
        deleted = await ask(alice, "add a task to buy bread")
        count = await stored_spans(db_sessions)

        assert (await alice.client.delete(f"/agent/sessions/{deleted['session_id']}")).status_code
        after_delete = await stored_spans(db_sessions)
        purged = await purge_expired_sessions(db_sessions, timedelta(seconds=-1))

        assert count == 2 * SPANS_IN_ROUND
        assert after_delete == SPANS_IN_ROUND
        assert (purged, await stored_spans(db_sessions)) == (1, 0)
        assert kept["session_id"] != deleted["session_id"]

    async def test_tracing_off_stores_nothing(
        self, app: FastAPI, alice: ApiUser, db_sessions: DbSessionMaker
    ) -> None:
        runs = use_model(app, app_model(app), tracing="off")

        body = await ask(alice, "add a task to buy milk")

        assert runs.run_settings.traces is None
        assert (await trace_of(alice, body["run_id"]))["rounds"] == []
        assert await stored_spans(db_sessions) == 0

    async def test_nothing_is_left_in_memory(self, alice: ApiUser) -> None:
        await asyncio.gather(*(ask(alice, f"add a task to buy thing {i}") for i in range(3)))

        assert TRACE_BUFFER.take("trace_none") == []
        assert len(TRACE_BUFFER._traces) == 0


class TestNothingLeaves:
    def test_by_default_only_our_processor_runs(self, app: FastAPI) -> None:
        processors = get_trace_provider()._multi_processor._processors  # type: ignore[attr-defined]

        assert list(processors) == [TRACE_BUFFER]
        assert default_processor() not in processors

    def test_openai_adds_the_sdks_exporter(self, app: FastAPI) -> None:
        use_model(app, app_model(app), tracing="openai")

        processors = get_trace_provider()._multi_processor._processors  # type: ignore[attr-defined]

        assert list(processors) == [default_processor(), TRACE_BUFFER]
        use_model(app, app_model(app), tracing="db")


def app_model(app: FastAPI) -> Any:
    from taskservice.resources import resources_of

    return resources_of(app).agent_runs.model.inner
