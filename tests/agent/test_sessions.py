"""Sessions: multi-turn context, listing, reading, deleting, expiry, ownership."""

from datetime import timedelta
from pathlib import Path

import httpx
from fastapi import FastAPI
from sqlalchemy import func, select, update

from taskservice.agent.history import SDK_ITEMS
from taskservice.agent.offline.answers import WHICH_TASK
from taskservice.agent.sessions import AgentSession, purge_expired_sessions
from taskservice.app import create_app
from taskservice.config import Settings
from taskservice.db import DbSessionMaker, utcnow
from taskservice.resources import resources_of
from tests.agent.helpers import ask, calls, seed, task
from tests.conftest import ApiUser


class TestMultiTurn:
    async def test_it_refers_to_the_task_of_the_previous_turn(self, alice: ApiUser) -> None:
        await seed(alice)
        first = await ask(alice, "show task 8")

        second = await ask(alice, "mark it as done", session_id=first["session_id"])

        assert second["session_id"] == first["session_id"]
        assert calls(second) == [("set_status", {"task_id": 8, "status": "done"})]
        assert (await task(alice, 8))["status"] == "done"

    async def test_which_one_is_answered_in_the_next_turn(self, alice: ApiUser) -> None:
        await seed(alice)
        await alice.client.post("/tasks", json={"title": "Buy milk"})
        first = await ask(alice, "rename 'buy milk' to buy oat milk")

        second = await ask(alice, "#10", session_id=first["session_id"])

        assert "Which one?" in first["reply"]
        assert calls(second) == [("rename_task", {"task_id": 10, "title": "buy oat milk"})]
        assert (await task(alice, 10))["title"] == "buy oat milk"
        assert (await task(alice, 1))["title"] == "buy milk"

    async def test_without_the_session_there_is_no_context(self, alice: ApiUser) -> None:
        await seed(alice)
        await ask(alice, "show task 8")

        fresh = await ask(alice, "mark it as done")

        assert fresh["tool_calls"] == []
        assert fresh["reply"] == WHICH_TASK

    async def test_focus_task_is_what_this_means(self, alice: ApiUser) -> None:
        await seed(alice)

        response = await alice.client.post(
            "/agent", json={"message": "mark this as done", "task_id": 6}
        )
        follow_up = await ask(alice, "start it", session_id=response.json()["session_id"])

        assert calls(response.json()) == [("set_status", {"task_id": 6, "status": "done"})]
        assert calls(follow_up) == [("set_status", {"task_id": 6, "status": "in_progress"})]

    async def test_focus_on_another_users_task_is_404(self, alice: ApiUser, bob: ApiUser) -> None:
        theirs = (await bob.client.post("/tasks", json={"title": "bob's"})).json()

        response = await alice.client.post(
            "/agent", json={"message": "help me finish this", "task_id": theirs["id"]}
        )

        assert response.status_code == 404
        assert response.json()["detail"] == f"Task {theirs['id']} does not exist."
        assert (await alice.client.get("/agent/sessions")).json() == []


class TestSessionEndpoints:
    async def test_list_is_newest_first_and_per_user(self, alice: ApiUser, bob: ApiUser) -> None:
        first = await ask(alice, "list my tasks")
        second = await ask(alice, "what is overdue?")
        await ask(bob, "list my tasks")
        await ask(alice, "how many tasks are done?", session_id=first["session_id"])

        listed = (await alice.client.get("/agent/sessions")).json()

        assert [s["id"] for s in listed] == [first["session_id"], second["session_id"]]
        assert [s["title"] for s in listed] == ["list my tasks", "what is overdue?"]
        assert all(s["pending_approvals"] == 0 for s in listed)

    async def test_detail_has_the_messages_in_order(self, alice: ApiUser) -> None:
        await seed(alice)
        first = await ask(alice, "show task 3")
        await ask(alice, "start it", session_id=first["session_id"])

        detail = (await alice.client.get(f"/agent/sessions/{first['session_id']}")).json()

        messages = detail["messages"]
        assert [(m["role"], m["type"]) for m in messages if m["type"] == "message"] == [
            ("user", "message"),
            ("assistant", "message"),
            ("user", "message"),
            ("assistant", "message"),
        ]
        texts = [m["content"] for m in messages if m["type"] == "message"]
        assert texts[0] == "show task 3"
        assert texts[2] == "start it"
        assert texts[3] == "Marked task #3 'pay invoice' as in progress."
        tool_names = [m["name"] for m in messages if m["type"] == "tool_call"]
        assert tool_names == [
            "transfer_to_reporter",
            "show_task",
            "transfer_to_editor",
            "set_status",
        ]
        assert detail["approvals"] == []

    async def test_delete_then_404(self, alice: ApiUser, db_sessions: DbSessionMaker) -> None:
        session_id = (await ask(alice, "list my tasks"))["session_id"]

        deleted = await alice.client.delete(f"/agent/sessions/{session_id}")
        again = await alice.client.delete(f"/agent/sessions/{session_id}")

        assert deleted.status_code == 204
        assert again.status_code == 404
        assert (await alice.client.get(f"/agent/sessions/{session_id}")).status_code == 404
        async with db_sessions() as db:
            left = await db.scalar(
                select(func.count())
                .select_from(SDK_ITEMS)
                .where(SDK_ITEMS.c.session_id == session_id)
            )
        assert left == 0

    async def test_another_users_session_is_404_everywhere(
        self, alice: ApiUser, bob: ApiUser
    ) -> None:
        session_id = (await ask(alice, "list my tasks"))["session_id"]

        reads = await bob.client.get(f"/agent/sessions/{session_id}")
        continues = await bob.client.post(
            "/agent", json={"message": "list my tasks", "session_id": session_id}
        )
        streams = await bob.client.post(
            "/agent/stream", json={"message": "list my tasks", "session_id": session_id}
        )
        deletes = await bob.client.delete(f"/agent/sessions/{session_id}")

        assert [r.status_code for r in (reads, continues, streams, deletes)] == [404] * 4
        assert streams.headers["content-type"] == "application/problem+json"
        assert (await alice.client.get(f"/agent/sessions/{session_id}")).status_code == 200

    async def test_unknown_session_is_404(self, alice: ApiUser) -> None:
        response = await alice.client.post(
            "/agent", json={"message": "list my tasks", "session_id": "nope"}
        )
        assert response.status_code == 404
        assert response.json()["detail"] == "Agent session 'nope' does not exist."


class TestExpiry:
    async def test_idle_session_expires(self, alice: ApiUser, db_sessions: DbSessionMaker) -> None:
        session_id = (await ask(alice, "list my tasks"))["session_id"]
        async with db_sessions() as db, db.begin():
            await db.execute(
                update(AgentSession).values(updated_at=utcnow() - timedelta(hours=169))
            )

        response = await alice.client.post(
            "/agent", json={"message": "list my tasks", "session_id": session_id}
        )
        purged = await purge_expired_sessions(db_sessions, timedelta(hours=168))

        assert response.status_code == 404
        assert (await alice.client.get("/agent/sessions")).json() == []
        assert purged == 1

    async def test_ttl_is_configurable(self, app: FastAPI, alice: ApiUser) -> None:
        session_id = (await ask(alice, "list my tasks"))["session_id"]

        listed = (await alice.client.get("/agent/sessions")).json()

        assert listed[0]["id"] == session_id
        assert resources_of(app).agent_runs.session_ttl == timedelta(hours=168)


class TestRestart:
    async def test_history_survives_a_restart(self, settings: Settings, tmp_path: Path) -> None:
        from taskservice.auth.repository import UserRepository

        async def client_for(app: FastAPI, key: str) -> httpx.AsyncClient:
            return httpx.AsyncClient(
                transport=httpx.ASGITransport(app=app),
                base_url="http://test",
                headers={"Authorization": f"Bearer {key}"},
            )

        first_app = create_app(settings)
        async with first_app.router.lifespan_context(first_app):
            async with resources_of(first_app).db_sessions() as db, db.begin():
                _, key = await UserRepository(db).create("carol")
            async with await client_for(first_app, key) as client:
                await client.post("/tasks", json={"title": "persist me"})
                first = (await client.post("/agent", json={"message": "show task 1"})).json()

        second_app = create_app(settings)
        async with (
            second_app.router.lifespan_context(second_app),
            await client_for(second_app, key) as client,
        ):
            second = await client.post(
                "/agent",
                json={"message": "mark it as done", "session_id": first["session_id"]},
            )
            assert second.status_code == 200
            assert calls(second.json()) == [("set_status", {"task_id": 1, "status": "done"})]


class TestBadInput:
    async def test_nul_and_malformed_ids_are_422_not_500(self, alice: ApiUser) -> None:
        nul = await alice.client.post("/agent", json={"message": "list\x00 my tasks"})
        bad_id = await alice.client.post(
            "/agent", json={"message": "list my tasks", "session_id": "../etc"}
        )
        bad_path = await alice.client.get("/agent/sessions/a%20b")

        assert [r.status_code for r in (nul, bad_id, bad_path)] == [422, 422, 422]
        assert [e["field"] for e in nul.json()["errors"]] == ["body.message"]
        assert (await alice.client.get("/agent/sessions")).json() == []
