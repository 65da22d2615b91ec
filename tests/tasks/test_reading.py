"""Reads outside a unit of work: on a connection of their own, in autocommit mode on
PostgreSQL (no BEGIN and COMMIT around a lone SELECT); inside one, on its session."""

import pytest
from sqlalchemy import text
from sqlalchemy.exc import InvalidRequestError
from sqlalchemy.ext.asyncio import AsyncConnection, AsyncSession

from taskservice.db import DbSessionMaker, reading, without_waiting_for_the_disk
from taskservice.tasks.listing import SortOrder, TaskFilters
from taskservice.tasks.repository import TaskNotFound, TaskRepository
from taskservice.tasks.schemas import TaskCreate, TaskRead
from tests.conftest import ApiUser


class TestReading:
    async def test_outside_a_unit_of_work_a_read_begins_no_transaction(
        self, db_sessions: DbSessionMaker
    ) -> None:
        async with db_sessions() as db:
            async with reading(db) as reader:
                assert isinstance(reader, AsyncConnection)
                assert (await reader.execute(text("SELECT 1"))).scalar() == 1
                raw = (await reader.get_raw_connection()).driver_connection
                assert raw is not None
                # asyncpg: no BEGIN was sent; sqlite3: none is open (reads take none)
                in_transaction = (
                    raw.is_in_transaction()
                    if hasattr(raw, "is_in_transaction")
                    else raw._conn.in_transaction
                )

            assert (in_transaction, db.in_transaction()) == (False, False)

    async def test_inside_a_unit_of_work_a_read_sees_its_writes(
        self, db_sessions: DbSessionMaker, alice: ApiUser
    ) -> None:
        async with db_sessions() as db, db.begin():
            tasks = TaskRepository(db, alice.id)
            created = await tasks.create(TaskCreate(title="not committed yet"))
            assert created.id is not None

            async with reading(db) as reader:
                assert reader is db
            read = await tasks.read(created.id)
            listed = await tasks.list_tasks(TaskFilters(), SortOrder.parse(None), limit=10)
            await db.rollback()

        assert (read.title, [t.title for t in listed.items], listed.total) == (
            "not committed yet",
            ["not committed yet"],
            1,
        )

    async def test_read_returns_the_read_model_and_refuses_others_tasks(
        self, db_sessions: DbSessionMaker, alice: ApiUser, bob: ApiUser
    ) -> None:
        task = (await alice.client.post("/tasks", json={"title": "mine", "tags": ["a"]})).json()

        async with db_sessions() as db:
            read = await TaskRepository(db, alice.id).read(task["id"])
            with pytest.raises(TaskNotFound):
                await TaskRepository(db, bob.id).read(task["id"])

        assert isinstance(read, TaskRead)
        assert read.model_dump(mode="json") == task


class TestReadOnlyRepository:
    async def test_a_reader_cannot_write(self, db_sessions: DbSessionMaker, alice: ApiUser) -> None:
        reader = TaskRepository(db_sessions(autobegin=False), alice.id)

        with pytest.raises(InvalidRequestError):
            await reader.create(TaskCreate(title="never"))

        assert (await alice.client.get("/tasks")).json()["total"] == 0


class TestNotWaitingForTheDisk:
    @pytest.mark.parametrize("db_backend", ["postgresql"], indirect=True)
    async def test_only_the_transaction_that_asks_commits_without_waiting(
        self, db_sessions: DbSessionMaker
    ) -> None:
        async def setting(db: AsyncSession) -> str:
            return str((await db.execute(text("SHOW synchronous_commit"))).scalar())

        async with db_sessions() as db:
            async with db.begin():
                before = await setting(db)
                await without_waiting_for_the_disk(db)
                during = await setting(db)
            async with db.begin():
                after = await setting(db)

        assert (before, during, after) == ("on", "off", "on")
