"""A whole agent round on a real provider: handoff, function call, tool output, reply;
over POST /agent, over POST /agent/stream, and across two turns of one session."""

import json
from typing import Any

import httpx
import pytest

from tests.provider.fixture import FakeProvider
from tests.provider.script import split_words
from tests.realmodel.harness import (
    MODEL,
    PATHS,
    RealService,
    call_ids,
    compact,
    create_steps,
    parse_sse,
    transcript,
)

pytestmark = pytest.mark.slow

ARGS = {
    "title": "Write report",
    "description": None,
    "priority": "high",
    "due_date": "2026-12-04",
    "tags": ["work"],
}
MESSAGE = "add a task to write the report, high priority, due 2026-12-04, tag work"


def created_view(client: httpx.Client) -> dict[str, Any]:
    """The one task the user has, as the tools show it; checks it is what ARGS asked for."""
    listed = client.get("/tasks").json()
    assert listed["total"] == 1
    [task] = listed["items"]
    view = {key: task[key] for key in ("id", "title", "status", "priority", "due_date", "tags")}
    asked = {k: v for k, v in ARGS.items() if k != "description"}
    assert view == {**asked, "id": task["id"], "status": "todo"}
    assert task["description"] is None
    return view


def round_transcript(message: str, view: dict[str, Any]) -> list[tuple[str, str]]:
    """What the provider's last request of a create round carries."""
    return [
        ("user", message),
        ("call", "transfer_to_planner {}"),
        ("output", '{"assistant": "planner"}'),
        ("call", f"create_task {json.dumps(ARGS)}"),
        ("output", compact({"created": view})),
    ]


class TestAgentRound:
    def test_handoff_function_call_and_final_reply(
        self, service: RealService, fake: FakeProvider, user: httpx.Client
    ) -> None:
        fake.script(create_steps(ARGS))

        response = user.post("/agent", json={"message": MESSAGE})

        assert response.status_code == 200
        view = created_view(user)
        requests = fake.requests()
        assert [(r["path"], r["body"]["model"], r["body"].get("stream")) for r in requests] == [
            (PATHS[service.api], MODEL, None)
        ] * 3
        assert transcript(requests[2]) == round_transcript(MESSAGE, view)
        body = response.json()
        assert body == {
            "run_id": body["run_id"],
            "session_id": body["session_id"],
            "status": "completed",
            "reply": "Created: " + compact({"created": view}),
            "agent": "planner",
            "handoffs": [{"from": "triage", "to": "planner"}],
            "tool_calls": [
                {
                    "id": call_ids(requests[2])[1],
                    "agent": "planner",
                    "name": "create_task",
                    "arguments": ARGS,
                    "output": {"created": view},
                }
            ],
            "pending_approvals": [],
        }
        assert user.get(f"/tasks/{view['id']}").json()["title"] == "Write report"

    def test_streamed_round_sends_text_deltas_before_done(
        self, service: RealService, fake: FakeProvider, user: httpx.Client
    ) -> None:
        fake.script(create_steps(ARGS))

        with user.stream("POST", "/agent/stream", json={"message": MESSAGE}) as response:
            assert response.status_code == 200
            assert response.headers["content-type"].startswith("text/event-stream")
            events = parse_sse(response.read().decode())

        view = created_view(user)
        requests = fake.requests()
        assert [r["body"].get("stream") for r in requests] == [True] * 3
        call_id = call_ids(requests[2])[1]
        reply = "Created: " + compact({"created": view})
        deltas = [data["delta"] for name, data in events if name == "text_delta"]
        assert deltas == split_words(reply)
        assert len(deltas) == 3
        assert [name for name, _ in events] == [
            "run_started",
            "agent_updated",
            "handoff",
            "agent_updated",
            "tool_called",
            "tool_output",
            *["text_delta"] * len(deltas),
            "done",
        ]
        run_id = events[-1][1]["run_id"]
        assert [data for name, data in events[:6]] == [
            {"run_id": run_id, "session_id": events[-1][1]["session_id"]},
            {"agent": "triage", "run_id": run_id},
            {"from": "triage", "to": "planner", "run_id": run_id},
            {"agent": "planner", "run_id": run_id},
            {
                "id": call_id,
                "agent": "planner",
                "name": "create_task",
                "arguments": ARGS,
                "run_id": run_id,
            },
            {"id": call_id, "agent": "planner", "output": {"created": view}, "run_id": run_id},
        ]
        done = events[-1][1]
        assert "".join(deltas) == done["reply"] == reply
        assert done == {
            "run_id": done["run_id"],
            "session_id": done["session_id"],
            "status": "completed",
            "reply": reply,
            "agent": "planner",
            "handoffs": [{"from": "triage", "to": "planner"}],
            "tool_calls": [
                {
                    "id": call_id,
                    "agent": "planner",
                    "name": "create_task",
                    "arguments": ARGS,
                    "output": {"created": view},
                }
            ],
            "pending_approvals": [],
        }


class TestSession:
    def test_second_turn_sends_the_first_turns_history(
        self, service: RealService, fake: FakeProvider, user: httpx.Client
    ) -> None:
        fake.script([*create_steps(ARGS), {"text": "You asked: {last_user_message}"}])
        first = user.post("/agent", json={"message": MESSAGE}).json()

        second = user.post(
            "/agent", json={"message": "list my tasks", "session_id": first["session_id"]}
        )

        assert second.status_code == 200
        assert second.json() == {
            "run_id": second.json()["run_id"],
            "session_id": first["session_id"],
            "status": "completed",
            "reply": "You asked: list my tasks",
            "agent": "triage",
            "handoffs": [],
            "tool_calls": [],
            "pending_approvals": [],
        }
        view = created_view(user)
        requests = fake.requests()
        assert len(requests) == 4
        assert transcript(requests[3]) == [
            *round_transcript(MESSAGE, view),
            ("assistant", first["reply"]),
            ("user", "list my tasks"),
        ]
        assert first["reply"] == "Created: " + compact({"created": view})
        # A new session starts from nothing.
        fake.script([{"text": "Fresh."}])
        assert user.post("/agent", json={"message": "list my tasks"}).json()["reply"] == "Fresh."
        assert transcript(fake.requests()[4]) == [("user", "list my tasks")]
