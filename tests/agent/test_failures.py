"""Limits and failures: 409 busy session, 429 per user, 504, 502, too many turns."""

import asyncio
from typing import Any

import httpx2
import openai
from agents.testing import ModelStep, ScriptedModel, function_call
from fastapi import FastAPI

from taskservice.agent.offline.model import OfflineModel
from tests.agent.conftest import GatedModel, checked_out, use_model
from tests.conftest import ApiUser


def provider_error(status: int) -> openai.APIStatusError:
    response = httpx2.Response(status, request=httpx2.Request("POST", "http://provider/v1"))
    error_type = openai.RateLimitError if status == 429 else openai.InternalServerError
    return error_type("provider says no", response=response, body=None)


async def history_of(user: ApiUser, session_id: str) -> list[dict[str, Any]]:
    response = await user.client.get(f"/agent/sessions/{session_id}")
    messages: list[dict[str, Any]] = response.json()["messages"]
    return messages


class TestAdmission:
    async def test_a_fourth_concurrent_run_gets_429_with_retry_after(
        self, alice: ApiUser, gated: GatedModel
    ) -> None:
        running = [
            asyncio.create_task(alice.client.post("/agent", json={"message": "list my tasks"}))
            for _ in range(3)
        ]
        await gated.until_entered(3)

        refused = await alice.client.post("/agent", json={"message": "list my tasks"})

        assert refused.status_code == 429
        assert refused.headers["retry-after"] == "2"
        assert refused.json()["type"] == "urn:taskservice:problem:too-many-agent-runs"
        gated.gate.set()
        assert [r.status_code for r in await asyncio.gather(*running)] == [200, 200, 200]
        again = await alice.client.post("/agent", json={"message": "list my tasks"})
        assert again.status_code == 200

    async def test_the_limit_is_per_user(
        self, alice: ApiUser, bob: ApiUser, gated: GatedModel
    ) -> None:
        running = [
            asyncio.create_task(alice.client.post("/agent", json={"message": "list my tasks"}))
            for _ in range(3)
        ]
        await gated.until_entered(3)

        bobs = asyncio.create_task(bob.client.post("/agent", json={"message": "list my tasks"}))
        await gated.until_entered(4)
        gated.gate.set()

        assert (await bobs).status_code == 200
        assert [r.status_code for r in await asyncio.gather(*running)] == [200, 200, 200]

    async def test_second_request_on_a_busy_session_is_409(
        self, alice: ApiUser, gated: GatedModel
    ) -> None:
        gated.gate.set()
        first = await alice.client.post("/agent", json={"message": "list my tasks"})
        session_id = first.json()["session_id"]
        gated.gate.clear()
        body = {"message": "list my tasks", "session_id": session_id}
        running = asyncio.create_task(alice.client.post("/agent", json=body))
        await gated.until_entered(4)

        busy = await alice.client.post("/agent", json=body)
        deleting = await alice.client.delete(f"/agent/sessions/{session_id}")

        assert busy.status_code == 409
        assert busy.json()["type"] == "urn:taskservice:problem:session-busy"
        assert deleting.status_code == 409
        gated.gate.set()
        assert (await running).status_code == 200
        messages = await history_of(alice, session_id)
        assert [m["content"] for m in messages if m["role"] == "user"] == ["list my tasks"] * 2


class TestFailures:
    async def test_slow_model_is_504_and_the_history_notes_it(
        self, app: FastAPI, alice: ApiUser
    ) -> None:
        first = await alice.client.post("/agent", json={"message": "list my tasks"})
        session_id = first.json()["session_id"]
        before = await history_of(alice, session_id)
        slow = GatedModel()  # never opened
        use_model(app, slow, agent_timeout_s=0.2)

        response = await alice.client.post(
            "/agent", json={"message": "show task 1", "session_id": session_id}
        )

        assert response.status_code == 504
        assert response.json()["type"] == "urn:taskservice:problem:agent-timeout"
        assert response.json()["detail"] == "The agent did not finish within 0.2 s."
        after = await history_of(alice, session_id)
        assert after[: len(before)] == before
        assert [m["content"] for m in after[len(before) :]] == [
            "show task 1",
            "(This request ran out of time before it finished. Nothing was changed.)",
        ]
        assert (await alice.client.get("/healthz")).status_code == 200
        # The slot was released: the session takes the next run.
        slow.gate.set()
        use_model(app, OfflineModel())
        again = await alice.client.post(
            "/agent", json={"message": "list my tasks", "session_id": session_id}
        )
        assert again.status_code == 200

    async def test_failing_provider_is_502_and_the_history_notes_it(
        self, app: FastAPI, alice: ApiUser
    ) -> None:
        first = await alice.client.post("/agent", json={"message": "list my tasks"})
        session_id = first.json()["session_id"]
        before = await history_of(alice, session_id)
        use_model(app, ScriptedModel([provider_error(500)]))

        response = await alice.client.post(
            "/agent", json={"message": "list my tasks", "session_id": session_id}
        )

        assert response.status_code == 502
        assert response.json()["type"] == "urn:taskservice:problem:model-provider-error"
        assert response.json()["detail"] == "The model provider answered 500; try again later."
        after = await history_of(alice, session_id)
        assert after[: len(before)] == before
        assert [m["content"] for m in after[len(before) :]] == [
            "list my tasks",
            "(This request stopped because the model provider failed. Nothing was changed.)",
        ]

    async def test_provider_rate_limit_is_502(self, app: FastAPI, alice: ApiUser) -> None:
        use_model(app, ScriptedModel([provider_error(429)]))

        response = await alice.client.post("/agent", json={"message": "list my tasks"})

        assert response.status_code == 502
        assert response.json()["detail"] == "The model provider answered 429; try again later."

    async def test_too_many_turns_is_a_clear_problem(self, app: FastAPI, alice: ApiUser) -> None:
        # A model that keeps calling a tool and never answers.
        looping = ScriptedModel(
            [ModelStep(output=[function_call("transfer_to_reporter", {}, call_id="h1")])]
            + [
                ModelStep(output=[function_call("count_tasks", {"status": None}, call_id=f"c{i}")])
                for i in range(5)
            ]
        )
        use_model(app, looping, agent_max_turns=3)

        response = await alice.client.post("/agent", json={"message": "how many tasks?"})

        assert response.status_code == 422
        assert response.json()["type"] == "urn:taskservice:problem:agent-max-turns"
        assert response.json()["detail"] == (
            "The agent needed more than 3 steps; ask for less at once or rephrase."
        )


class TestResources:
    async def test_no_database_connection_is_held_while_the_model_thinks(
        self, app: FastAPI, alice: ApiUser, gated: GatedModel
    ) -> None:
        running = [
            asyncio.create_task(alice.client.post("/agent", json={"message": "list my tasks"})),
            asyncio.create_task(
                alice.client.post("/agent/stream", json={"message": "list my tasks"})
            ),
        ]
        await gated.until_entered(2)

        in_use = checked_out(app)

        gated.gate.set()
        assert [r.status_code for r in await asyncio.gather(*running)] == [200, 200]
        assert in_use == 0

    async def test_a_slow_model_does_not_hold_up_other_users(
        self, alice: ApiUser, bob: ApiUser, gated: GatedModel
    ) -> None:
        running = asyncio.create_task(
            alice.client.post("/agent", json={"message": "add a task to buy milk"})
        )
        await gated.until_entered(1)

        created = await bob.client.post("/tasks", json={"title": "bob's"})
        listed = await bob.client.get("/tasks")

        assert not running.done()
        assert (created.status_code, listed.json()["total"]) == (201, 1)
        gated.gate.set()
        assert (await running).status_code == 200
