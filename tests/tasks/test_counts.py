"""The per-owner counters behind list totals stay exact through every write."""

import asyncio
import random
from datetime import UTC, datetime
from typing import Any

from alembic import command
from sqlalchemy import func, select, text
from sqlalchemy.ext.asyncio import create_async_engine
from sqlmodel import col

from taskservice.db import DbSessionMaker
from taskservice.migrations import alembic_config
from taskservice.tasks.counts import TaskCount, rebuild
from taskservice.tasks.models import Task
from tests.conftest import ApiUser

NOW = datetime(2026, 1, 1, tzinfo=UTC)
STATUSES = ["todo", "in_progress", "blocked", "done"]
PRIORITIES = ["low", "medium", "high", "urgent"]


async def counters(db_sessions: DbSessionMaker) -> dict[tuple[int, str, str], int]:
    async with db_sessions() as db:
        rows = (await db.execute(select(TaskCount))).scalars().all()
    return {(r.owner_id, r.status, str(r.priority)): r.count for r in rows if r.count}


async def truth(db_sessions: DbSessionMaker) -> dict[tuple[int, str, str], int]:
    async with db_sessions() as db:
        rows = (
            await db.execute(
                select(
                    col(Task.owner_id), col(Task.status), col(Task.priority), func.count()
                ).group_by(col(Task.owner_id), col(Task.status), col(Task.priority))
            )
        ).all()
    return {(o, s, str(p)): n for o, s, p, n in rows}


class TestCounters:
    async def test_random_writes_keep_counters_exact(
        self, alice: ApiUser, bob: ApiUser, db_sessions: DbSessionMaker
    ) -> None:
        rng = random.Random(7)
        ids: dict[str, list[int]] = {"alice": [], "bob": []}
        for step in range(120):
            user = alice if rng.random() < 0.6 else bob
            mine = ids[user.name]
            action = (
                rng.choice(["create", "create", "patch", "put", "delete"]) if mine else "create"
            )
            fields = {"status": rng.choice(STATUSES), "priority": rng.choice(PRIORITIES)}
            if action == "create":
                body = (
                    await user.client.post("/tasks", json={"title": f"t{step}", **fields})
                ).json()
                mine.append(body["id"])
            elif action == "patch":
                task_id = rng.choice(mine)
                change = dict(rng.sample(sorted(fields.items()), rng.randint(0, 2)))
                assert (await user.client.patch(f"/tasks/{task_id}", json=change)).is_success
            elif action == "put":
                task_id = rng.choice(mine)
                assert (await user.client.put(f"/tasks/{task_id}", json={"title": "p"})).is_success
            else:
                task_id = mine.pop(rng.randrange(len(mine)))
                assert (await user.client.delete(f"/tasks/{task_id}")).status_code == 204

        assert await counters(db_sessions) == await truth(db_sessions)
        for status in [[], ["todo"], ["done", "blocked"]]:
            for priority in [[], ["urgent"], ["low", "high"]]:
                params: dict[str, Any] = {"status": status, "priority": priority, "limit": 100}
                listed = (await alice.client.get("/tasks", params=params)).json()
                # A text filter is counted by rows, not by the counters.
                searched = (await alice.client.get("/tasks", params={**params, "q": "t"})).json()
                expected = sum(
                    n
                    for (owner, s, p), n in (await truth(db_sessions)).items()
                    if owner == alice.id
                    and (not status or s in status)
                    and (not priority or p in priority)
                )
                assert listed["total"] == len(listed["items"]) == expected
                assert searched["total"] == len(searched["items"])

    async def test_concurrent_moves_in_opposite_directions(
        self, alice: ApiUser, db_sessions: DbSessionMaker
    ) -> None:
        todo = [
            (await alice.client.post("/tasks", json={"title": "a", "status": "todo"})).json()["id"]
            for _ in range(10)
        ]
        done = [
            (await alice.client.post("/tasks", json={"title": "b", "status": "done"})).json()["id"]
            for _ in range(10)
        ]

        responses = await asyncio.gather(
            *(alice.client.patch(f"/tasks/{i}", json={"status": "done"}) for i in todo),
            *(alice.client.patch(f"/tasks/{i}", json={"status": "todo"}) for i in done),
        )

        assert [r.status_code for r in responses] == [200] * 20
        assert await counters(db_sessions) == await truth(db_sessions)


class TestCountersMigration:
    async def test_the_migration_counts_existing_tasks(self, db_url: str) -> None:
        config = alembic_config(db_url)
        await asyncio.to_thread(command.downgrade, config, "e410a8ecae5d")
        engine = create_async_engine(db_url)
        try:
            async with engine.begin() as connection:
                await connection.execute(
                    text("INSERT INTO users (id, name, created_at) VALUES (1, 'u', :now)"),
                    {"now": NOW},
                )
                for i, (status, rank) in enumerate([("todo", 2), ("todo", 2), ("done", 4)]):
                    await connection.execute(
                        text(
                            "INSERT INTO tasks (id, owner_id, title, status, priority, tags, "
                            "created_at, updated_at, version) VALUES "
                            "(:id, 1, 't', :status, :rank, '[]', :now, :now, 1)"
                        ),
                        {"id": i + 1, "status": status, "rank": rank, "now": NOW},
                    )
            await asyncio.to_thread(command.upgrade, config, "head")
            async with engine.connect() as connection:
                rows = (
                    await connection.execute(
                        text(
                            "SELECT owner_id, status, priority, count FROM task_counts "
                            "ORDER BY status"
                        )
                    )
                ).all()
        finally:
            await engine.dispose()

        assert [tuple(r) for r in rows] == [(1, "done", 4, 1), (1, "todo", 2, 2)]


class TestRebuild:
    async def test_rebuild_recounts_tasks_written_around_the_repository(
        self, alice: ApiUser, bob: ApiUser, db_sessions: DbSessionMaker
    ) -> None:
        await alice.client.post("/tasks", json={"title": "kept", "status": "done"})
        async with db_sessions() as db, db.begin():
            for owner, status, rank in [(alice.id, "todo", 4), (bob.id, "todo", 4)] * 3:
                await db.execute(
                    text(
                        "INSERT INTO tasks (owner_id, title, title_folded, status, priority, "
                        "tags, created_at, updated_at, version) VALUES "
                        "(:owner, 't', 't', :status, :rank, '[]', :now, :now, 1)"
                    ),
                    {"owner": owner, "status": status, "rank": rank, "now": NOW},
                )
        stale = await counters(db_sessions)

        async with db_sessions() as db, db.begin():
            await rebuild(db)

        assert stale == {(alice.id, "done", "medium"): 1}
        assert await counters(db_sessions) == await truth(db_sessions)
        assert await counters(db_sessions) == {
            (alice.id, "done", "medium"): 1,
            (alice.id, "todo", "urgent"): 3,
            (bob.id, "todo", "urgent"): 3,
        }
        assert (await alice.client.get("/tasks")).json()["total"] == 4
