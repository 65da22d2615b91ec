"""The engine: SQLite in WAL mode with a busy timeout; concurrent writers queue."""

import asyncio

import pytest
from fastapi import FastAPI
from sqlalchemy import text

from taskservice.resources import resources_of
from tests.conftest import ApiUser


class TestEngine:
    @pytest.mark.parametrize("db_backend", ["sqlite"], indirect=True)
    async def test_sqlite_pragmas_survive_the_agents_session_store(
        self, app: FastAPI, alice: ApiUser
    ) -> None:
        # The Agents SDK's SQLAlchemySession sets its own busy_timeout on our engine.
        assert (await alice.client.post("/agent", json={"message": "list my tasks"})).is_success
        await resources_of(app).engine.dispose()

        async with resources_of(app).engine.connect() as connection:
            journal = (await connection.execute(text("PRAGMA journal_mode"))).scalar()
            busy = (await connection.execute(text("PRAGMA busy_timeout"))).scalar()
            fks = (await connection.execute(text("PRAGMA foreign_keys"))).scalar()

        assert (journal, busy, fks) == ("wal", 30000, 1)

    async def test_concurrent_writers_all_succeed(self, alice: ApiUser) -> None:
        responses = await asyncio.gather(
            *(alice.client.post("/tasks", json={"title": f"t{i}"}) for i in range(60))
        )

        assert [r.status_code for r in responses] == [201] * 60
        listing = await alice.client.get("/tasks", params={"limit": 100})
        assert listing.json()["total"] == 60

    async def test_concurrent_patches_of_one_task_queue_and_all_apply(self, alice: ApiUser) -> None:
        task = (await alice.client.post("/tasks", json={"title": "hot"})).json()

        responses = await asyncio.gather(
            *(
                alice.client.patch(f"/tasks/{task['id']}", json={"title": f"v{i}"})
                for i in range(20)
            )
        )

        assert [r.status_code for r in responses] == [200] * 20
        final = (await alice.client.get(f"/tasks/{task['id']}")).json()
        assert final["version"] == 21
        assert sorted(r.json()["version"] for r in responses) == list(range(2, 22))
