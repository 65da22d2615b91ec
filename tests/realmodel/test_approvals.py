"""Deleting needs approval, across two HTTP requests: the run pauses, is stored, and the
provider is called again with the tool's output once the user decides."""

import json
from typing import Any

import httpx
import pytest

from tests.provider.fixture import FakeProvider
from tests.provider.script import Step
from tests.realmodel.harness import RealService, call_ids, compact, handoff_step, transcript

pytestmark = pytest.mark.slow

REJECTED = {"error": "the user did not approve this; nothing was done"}


def view_of(task: dict[str, Any]) -> dict[str, Any]:
    return {k: task[k] for k in ("id", "title", "status", "priority", "due_date", "tags")}


def ask_to_delete(fake: FakeProvider, user: httpx.Client, task_id: int) -> dict[str, Any]:
    """Run 1: triage -> editor -> delete_task, which stops for approval."""
    steps: list[Step] = [
        handoff_step("editor"),
        {
            "tool_calls": [{"name": "delete_task", "arguments": {"task_id": task_id}}],
            "expect_tool": "delete_task",
        },
        {"text": "Result: {last_tool_output}"},
    ]
    fake.script(steps)
    response = user.post("/agent", json={"message": "delete the old report task"})
    assert response.status_code == 200
    body: dict[str, Any] = response.json()
    [pending] = body["pending_approvals"]
    assert body == {
        "run_id": body["run_id"],
        "session_id": body["session_id"],
        "status": "waiting_approval",
        "reply": f"Delete task #{task_id} 'Old report'? Approve or reject it at "
        f"POST /agent/sessions/{body['session_id']}/approvals.",
        "agent": "editor",
        "handoffs": [{"from": "triage", "to": "editor"}],
        "tool_calls": [],
        "pending_approvals": [
            {
                "id": pending["id"],
                "tool": "delete_task",
                "agent": "editor",
                "arguments": {"task_id": task_id},
                "description": f"Delete task #{task_id} 'Old report'?",
            }
        ],
    }
    assert pending["id"].startswith("call_")
    assert len(fake.requests()) == 2
    assert user.get(f"/tasks/{task_id}").status_code == 200
    session = user.get(f"/agent/sessions/{body['session_id']}").json()
    assert (session["pending_approvals"], session["approvals"]) == (1, [pending])
    return body


def decide(user: httpx.Client, run: dict[str, Any], *, approve: bool) -> httpx.Response:
    [pending] = run["pending_approvals"]
    return user.post(
        f"/agent/sessions/{run['session_id']}/approvals",
        json={"decisions": [{"id": pending["id"], "approve": approve}]},
    )


class TestApprovals:
    def test_approved_delete_runs_and_the_provider_gets_its_output(
        self, service: RealService, fake: FakeProvider, user: httpx.Client
    ) -> None:
        task = user.post("/tasks", json={"title": "Old report"}).json()
        run = ask_to_delete(fake, user, task["id"])

        response = decide(user, run, approve=True)

        assert response.status_code == 200
        output = compact({"deleted": view_of(task)})
        call_id = run["pending_approvals"][0]["id"]
        requests = fake.requests()
        assert len(requests) == 3
        assert transcript(requests[2])[-2:] == [
            ("call", f"delete_task {json.dumps({'task_id': task['id']})}"),
            ("output", output),
        ]
        assert call_ids(requests[2])[-1] == call_id
        body = response.json()
        assert body == {
            "run_id": run["run_id"],
            "session_id": run["session_id"],
            "status": "completed",
            "reply": f"Result: {output}",
            "agent": "editor",
            # The resumed run is the same run: its reply covers the handoff of request 1.
            "handoffs": [{"from": "triage", "to": "editor"}],
            "tool_calls": [
                {
                    "id": call_id,
                    "agent": "editor",
                    "name": "delete_task",
                    "arguments": {"task_id": task["id"]},
                    "output": {"deleted": view_of(task)},
                }
            ],
            "pending_approvals": [],
        }
        assert user.get(f"/tasks/{task['id']}").status_code == 404
        session = user.get(f"/agent/sessions/{run['session_id']}").json()
        assert (session["pending_approvals"], session["approvals"]) == (0, [])

    def test_rejected_delete_keeps_the_task(
        self, service: RealService, fake: FakeProvider, user: httpx.Client
    ) -> None:
        task = user.post("/tasks", json={"title": "Old report"}).json()
        run = ask_to_delete(fake, user, task["id"])

        response = decide(user, run, approve=False)

        assert response.status_code == 200
        requests = fake.requests()
        assert len(requests) == 3
        assert transcript(requests[2])[-1] == ("output", compact(REJECTED))
        assert response.json()["reply"] == f"Result: {compact(REJECTED)}"
        assert user.get(f"/tasks/{task['id']}").json() == task
        # The decision is spent: deciding again is a conflict, and calls nobody.
        again = decide(user, run, approve=True)
        assert again.status_code == 409
        assert len(fake.requests()) == 3
        assert user.get(f"/tasks/{task['id']}").status_code == 200
