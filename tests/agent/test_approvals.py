"""Deleting needs approval: the run stops, is stored, and a later request resumes it."""

from typing import Any

import pytest
from sqlalchemy import select

from taskservice.agent.sessions import AgentSession
from taskservice.db import DbSessionMaker
from tests.conftest import ApiUser


async def seed(user: ApiUser, *titles: str) -> list[int]:
    ids = []
    for title in titles:
        response = await user.client.post("/tasks", json={"title": title})
        ids.append(response.json()["id"])
    return ids


async def ask(user: ApiUser, message: str, session_id: str | None = None) -> dict[str, Any]:
    response = await user.client.post("/agent", json={"message": message, "session_id": session_id})
    assert response.status_code == 200, response.text
    body: dict[str, Any] = response.json()
    return body


async def decide(
    user: ApiUser, session_id: str, decisions: list[dict[str, Any]]
) -> tuple[int, dict[str, Any]]:
    response = await user.client.post(
        f"/agent/sessions/{session_id}/approvals", json={"decisions": decisions}
    )
    return response.status_code, response.json()


class TestDeleteApproval:
    async def test_delete_waits_for_approval_and_changes_nothing(self, alice: ApiUser) -> None:
        (task_id,) = await seed(alice, "old report")

        body = await ask(alice, f"delete task {task_id}")

        assert body["agent"] == "editor"
        assert body["status"] == "waiting_approval"
        assert body["reply"] == (
            f"Delete task #{task_id} 'old report'? Approve or reject it at "
            f"POST /agent/sessions/{body['session_id']}/approvals."
        )
        assert body["tool_calls"] == []
        assert [
            (p["tool"], p["agent"], p["arguments"], p["description"])
            for p in body["pending_approvals"]
        ] == [
            ("delete_task", "editor", {"task_id": task_id}, f"Delete task #{task_id} 'old report'?")
        ]
        assert (await alice.client.get(f"/tasks/{task_id}")).status_code == 200
        session = (await alice.client.get(f"/agent/sessions/{body['session_id']}")).json()
        assert session["approvals"] == body["pending_approvals"]
        assert session["pending_approvals"] == 1

    async def test_approve_resumes_the_stored_run_and_deletes(self, alice: ApiUser) -> None:
        (task_id,) = await seed(alice, "old report")
        asked = await ask(alice, f"delete task {task_id}")
        approval_id = asked["pending_approvals"][0]["id"]

        status, body = await decide(
            alice, asked["session_id"], [{"id": approval_id, "approve": True}]
        )

        assert status == 200
        assert (body["session_id"], body["run_id"]) == (asked["session_id"], asked["run_id"])
        assert (body["status"], body["pending_approvals"]) == ("completed", [])
        assert body["agent"] == "editor"
        assert body["reply"] == f"Deleted task #{task_id} 'old report'."
        deletes = [c for c in body["tool_calls"] if c["name"] == "delete_task"]
        assert [(c["id"], c["output"]["deleted"]["id"]) for c in deletes] == [
            (approval_id, task_id)
        ]
        assert (await alice.client.get(f"/tasks/{task_id}")).status_code == 404

    async def test_reject_keeps_the_task(self, alice: ApiUser) -> None:
        (task_id,) = await seed(alice, "keep me")
        asked = await ask(alice, f"delete task {task_id}")
        approval_id = asked["pending_approvals"][0]["id"]

        status, body = await decide(
            alice, asked["session_id"], [{"id": approval_id, "approve": False}]
        )

        assert status == 200
        assert body["pending_approvals"] == []
        assert "did not approve" in body["reply"]
        assert (await alice.client.get(f"/tasks/{task_id}")).status_code == 200

    async def test_decided_approval_cannot_be_decided_again(self, alice: ApiUser) -> None:
        (task_id,) = await seed(alice, "x")
        asked = await ask(alice, f"delete task {task_id}")
        decision = [{"id": asked["pending_approvals"][0]["id"], "approve": True}]
        await decide(alice, asked["session_id"], decision)

        status, body = await decide(alice, asked["session_id"], decision)

        assert status == 409
        assert body["type"] == "urn:taskservice:problem:approval-not-pending"

    async def test_unknown_approval_is_409_and_keeps_the_pending_one(self, alice: ApiUser) -> None:
        (task_id,) = await seed(alice, "x")
        asked = await ask(alice, f"delete task {task_id}")

        status, body = await decide(
            alice, asked["session_id"], [{"id": "call_nope", "approve": True}]
        )

        assert status == 409
        assert body["detail"] == "Approval 'call_nope' is unknown or already decided."
        session = (await alice.client.get(f"/agent/sessions/{asked['session_id']}")).json()
        assert session["pending_approvals"] == 1
        assert (await alice.client.get(f"/tasks/{task_id}")).status_code == 200

    async def test_session_without_pending_approvals_is_409(self, alice: ApiUser) -> None:
        asked = await ask(alice, "list my tasks")

        status, _ = await decide(alice, asked["session_id"], [{"id": "call_x", "approve": True}])

        assert status == 409

    async def test_new_message_while_approvals_wait_is_409(self, alice: ApiUser) -> None:
        (task_id,) = await seed(alice, "x")
        asked = await ask(alice, f"delete task {task_id}")

        response = await alice.client.post(
            "/agent", json={"message": "list my tasks", "session_id": asked["session_id"]}
        )

        assert response.status_code == 409
        assert response.json()["type"] == "urn:taskservice:problem:approvals-pending"

    async def test_other_users_session_is_404(self, alice: ApiUser, bob: ApiUser) -> None:
        (task_id,) = await seed(alice, "x")
        asked = await ask(alice, f"delete task {task_id}")
        decision = [{"id": asked["pending_approvals"][0]["id"], "approve": True}]

        status, _ = await decide(bob, asked["session_id"], decision)

        assert status == 404
        assert (await alice.client.get(f"/tasks/{task_id}")).status_code == 200

    async def test_pending_run_state_is_stored_server_side(
        self, alice: ApiUser, db_sessions: DbSessionMaker
    ) -> None:
        (task_id,) = await seed(alice, "x")
        asked = await ask(alice, f"delete task {task_id}")

        async with db_sessions() as db:
            conversation = (
                await db.execute(select(AgentSession).where(AgentSession.id == asked["session_id"]))
            ).scalar_one()
        assert conversation.pending_state is not None
        assert '"delete_task"' in conversation.pending_state
        assert alice.key not in conversation.pending_state


class TestStrictDecisions:
    @pytest.mark.parametrize("approve", ["yes", "true", 1, 0, None, [True], {"v": True}])
    async def test_approve_is_a_json_boolean_and_nothing_else(
        self, alice: ApiUser, approve: Any
    ) -> None:
        (task_id,) = await seed(alice, "keep me")
        asked = await ask(alice, f"delete task {task_id}")
        approval_id = asked["pending_approvals"][0]["id"]

        status, body = await decide(
            alice, asked["session_id"], [{"id": approval_id, "approve": approve}]
        )

        assert status == 422
        assert [e["field"] for e in body["errors"]] == ["body.decisions.0.approve"]
        await assert_still_pending(alice, asked, task_id)

    async def test_a_duplicate_id_is_422_and_nothing_is_decided(self, alice: ApiUser) -> None:
        (task_id,) = await seed(alice, "keep me")
        asked = await ask(alice, f"delete task {task_id}")
        approval_id = asked["pending_approvals"][0]["id"]

        status, body = await decide(
            alice,
            asked["session_id"],
            [{"id": approval_id, "approve": False}, {"id": approval_id, "approve": True}],
        )

        assert status == 422
        assert [(e["field"], e["message"]) for e in body["errors"]] == [
            ("body", f"Value error, approval '{approval_id}' is decided more than once")
        ]
        await assert_still_pending(alice, asked, task_id)


async def assert_still_pending(user: ApiUser, asked: dict[str, Any], task_id: int) -> None:
    session = (await user.client.get(f"/agent/sessions/{asked['session_id']}")).json()
    assert session["approvals"] == asked["pending_approvals"]
    assert (await user.client.get(f"/tasks/{task_id}")).status_code == 200
    run = (await user.client.get(f"/agent/runs/{asked['run_id']}")).json()
    assert run["status"] == "waiting_approval"


class TestStreamedApproval:
    async def test_a_call_waiting_for_approval_is_announced_only_as_approval_required(
        self, alice: ApiUser
    ) -> None:
        from tests.agent.helpers import stream

        (task_id,) = await seed(alice, "streamed")
        events = await stream(alice, {"message": f"delete task {task_id}"})

        names = [name for name, _ in events]
        assert "tool_called" not in names
        assert names[-2:] == ["approval_required", "done"]
        required = events[-2][1]
        assert (required["tool"], required["arguments"], required["description"]) == (
            "delete_task",
            {"task_id": task_id},
            f"Delete task #{task_id} 'streamed'?",
        )
        assert required["run_id"] == events[-1][1]["run_id"]

    async def test_a_streamed_run_is_resumed_by_a_later_request(self, alice: ApiUser) -> None:
        from tests.agent.helpers import stream

        (task_id,) = await seed(alice, "streamed")
        events = await stream(alice, {"message": f"delete task {task_id}"})
        done = events[-1][1]
        decision = [{"id": done["pending_approvals"][0]["id"], "approve": True}]

        status, body = await decide(alice, done["session_id"], decision)

        assert status == 200
        assert body["reply"] == f"Deleted task #{task_id} 'streamed'."
        assert (await alice.client.get(f"/tasks/{task_id}")).status_code == 404
