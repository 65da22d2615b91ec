"""The database goes away: every route that needs it answers 503 database-unavailable
with Retry-After, the service comes back by itself, and no write is half applied.

PostgreSQL sits behind a TCP proxy the test cuts and restores; SQLite's file is moved
where it cannot be opened, and back.
"""

import asyncio
import logging
import shutil
import sqlite3
from collections.abc import AsyncIterator
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import asyncpg
import httpx
import pytest
from fastapi import FastAPI
from sqlalchemy import func, select
from sqlmodel import col

from taskservice.app import create_app
from taskservice.auth.repository import UserRepository
from taskservice.config import Settings
from taskservice.db import create_db_sessionmaker, create_engine
from taskservice.tasks.counts import TaskCount
from taskservice.tasks.events import TaskEvent
from taskservice.tasks.models import Task, TaskTag
from taskservice.tasks.repository import TaskRepository
from taskservice.tasks.schemas import TaskCreate
from tests.conftest import BACKENDS, _asyncpg_url, serving_lifespan
from tests.tcp_proxy import TcpProxy

UNAVAILABLE = "urn:taskservice:problem:database-unavailable"
# What cannot happen to SQLite in-process: losing a connection the pool holds.
ONLY_POSTGRESQL = pytest.mark.parametrize(
    "db_backend", [b for b in BACKENDS if b == "postgresql"], indirect=True
)


class Outage:
    """Takes the database away from the app and gives it back."""

    url: str

    async def cut(self) -> None:
        raise NotImplementedError

    async def restore(self) -> None:
        raise NotImplementedError


class ProxiedPostgres(Outage):
    def __init__(self, database: str, proxy: TcpProxy) -> None:
        self.proxy = proxy
        self.database = database
        self.url = f"postgresql+asyncpg://postgres@127.0.0.1:{proxy.port}/{database}"

    async def cut(self) -> None:
        await self.proxy.cut()

    async def restore(self) -> None:
        await self.proxy.restore()


class MovedSqliteFile(Outage):
    """The file's folder moves away: the path the app has names nothing it can open."""

    def __init__(self, folder: Path) -> None:
        self.folder = folder
        self.away = folder.with_name(folder.name + "-away")
        self.url = f"sqlite+aiosqlite:///{folder / 'test.db'}"

    async def cut(self) -> None:
        self.folder.rename(self.away)

    async def restore(self) -> None:
        self.away.rename(self.folder)


@dataclass
class Keys:
    alice: str
    bob: str


@pytest.fixture
async def outage(db_backend: str, db_url: str, tmp_path: Path) -> AsyncIterator[Outage]:
    if db_backend == "sqlite":
        folder = tmp_path / "live"
        folder.mkdir()
        shutil.copyfile(db_url.removeprefix("sqlite+aiosqlite:///"), folder / "test.db")
        yield MovedSqliteFile(folder)
        return
    proxy = TcpProxy("127.0.0.1", 5432)
    await proxy.start()
    try:
        yield ProxiedPostgres(db_url.rpartition("/")[2], proxy)
    finally:
        await proxy.close()


@pytest.fixture
async def keys(outage: Outage) -> Keys:
    """Two users and two tasks of alice's (ids 1 and 2), written while the database is up."""
    engine = create_engine(Settings(database_url=outage.url))
    try:
        async with create_db_sessionmaker(engine)() as db, db.begin():
            alice, alice_key = await UserRepository(db).create("alice")
            _, bob_key = await UserRepository(db).create("bob")
            assert alice.id is not None
            tasks = TaskRepository(db, alice.id)
            for title in ("first", "second"):
                await tasks.create(TaskCreate(title=title, tags=["t"]))
    finally:
        await engine.dispose()
    return Keys(alice_key, bob_key)


@pytest.fixture
async def outage_app(outage: Outage, keys: Keys) -> AsyncIterator[FastAPI]:
    # Keys stay verified for the whole test, so a route is reached both with a key the
    # worker still trusts and (at first) with one it must look up.
    settings = Settings(database_url=outage.url, auth_cache_ttl_s=3600, db_connect_timeout_s=2)
    application = create_app(settings)
    async with serving_lifespan(application):
        yield application


@dataclass(frozen=True)
class Call:
    method: str
    path: str
    up: int  # the status once the database is back
    body: Any = None
    headers: tuple[tuple[str, str], ...] = ()
    auth_only: bool = False  # needs the database only to check the key


CALLS = [
    Call("GET", "/readyz", 200),
    Call("GET", "/tasks", 200),
    Call("GET", "/tasks?q=first&sort=title", 200),
    Call("POST", "/tasks", 201, {"title": "new"}),
    Call("POST", "/tasks", 201, {"title": "once"}, (("Idempotency-Key", "k-1"),)),
    Call("GET", "/tasks/1", 200),
    Call("PUT", "/tasks/1", 200, {"title": "replaced"}),
    Call("PATCH", "/tasks/1", 200, {"status": "done"}, (("If-Match", '"1.2"'),)),
    Call("GET", "/tasks/1/history", 200),
    Call("DELETE", "/tasks/2", 204),
    Call("POST", "/agent", 200, {"message": "list my tasks"}),
    Call("POST", "/agent/stream", 200, {"message": "show task 1"}),
    Call("GET", "/agent/sessions", 200),
    Call("GET", "/agents", 200, auth_only=True),
]


async def call(client: httpx.AsyncClient, key: str, request: Call) -> httpx.Response:
    headers = {"Authorization": f"Bearer {key}", **dict(request.headers)}
    return await client.request(request.method, request.path, json=request.body, headers=headers)


def assert_unavailable(response: httpx.Response, request: Call) -> None:
    assert response.status_code == 503, (request, response.text)
    assert response.headers["content-type"] == "application/problem+json"
    assert response.headers["retry-after"] == "5"
    body = response.json()
    assert body["type"] == UNAVAILABLE
    assert body["instance"] == request.path.partition("?")[0]
    assert body["request_id"] == response.headers["x-request-id"]


async def state(outage: Outage) -> dict[str, Any]:
    """What the database holds, read on an engine of its own."""
    engine = create_engine(Settings(database_url=outage.url))
    try:
        async with create_db_sessionmaker(engine)() as db:
            tasks = (await db.execute(select(Task).order_by(col(Task.id)))).scalars().all()
            events = (await db.execute(select(col(TaskEvent.task_id), col(TaskEvent.action)))).all()
            counts = (await db.execute(select(func.sum(TaskCount.count)))).scalar()
            tags = (await db.execute(select(func.count()).select_from(TaskTag))).scalar()
    finally:
        await engine.dispose()
    return {
        "tasks": [(t.id, t.title, str(t.status), t.version) for t in tasks],
        "events": sorted((row[0], row[1]) for row in events),
        "counted": counts,
        "tags": tags,
    }


class TestDatabaseOutage:
    async def test_every_route_is_503_until_the_database_is_back(
        self, outage: Outage, keys: Keys, outage_app: FastAPI
    ) -> None:
        transport = httpx.ASGITransport(app=outage_app)
        async with httpx.AsyncClient(transport=transport, base_url="http://test") as client:
            before = await state(outage)
            await outage.cut()

            for request in CALLS:
                assert_unavailable(await call(client, keys.alice, request), request)
            assert (await client.get("/healthz")).status_code == 200

            await outage.restore()
            assert await state(outage) == before  # nothing was written while it was away

            for request in CALLS:
                response = await call(client, keys.alice, request)
                assert response.status_code == request.up, (request, response.text)

        after = await state(outage)
        assert after["tasks"] == [
            (1, "replaced", "done", 3),
            (3, "new", "todo", 1),
            (4, "once", "todo", 1),
        ]
        assert after["counted"] == 3
        assert after["tags"] == 0

    @ONLY_POSTGRESQL
    async def test_connections_lost_mid_life_are_503_then_replaced(
        self, outage: Outage, keys: Keys, outage_app: FastAPI
    ) -> None:
        """The pool holds connections to a server that goes away: each request that
        meets one answers 503, and once the server is back new connections serve."""
        transport = httpx.ASGITransport(app=outage_app)
        async with httpx.AsyncClient(transport=transport, base_url="http://test") as client:
            for request in CALLS[:3]:  # warms the pool and the verified-keys cache
                assert (await call(client, keys.alice, request)).status_code == request.up
            await outage.cut()

            for request in CALLS:
                response = await call(client, keys.alice, request)
                if request.auth_only:  # the key is still trusted: nothing else to ask
                    assert response.status_code == 200
                else:
                    assert_unavailable(response, request)
            # bob's key was never verified: his request needs the database to start.
            assert_unavailable(await call(client, keys.bob, CALLS[1]), CALLS[1])

            await outage.restore()
            for request in CALLS:
                response = await call(client, keys.alice, request)
                assert response.status_code == request.up, (request, response.text)


@ONLY_POSTGRESQL
class TestPostgresOutage:
    async def test_a_server_that_does_not_answer_is_503_after_the_connect_timeout(
        self, outage: ProxiedPostgres, keys: Keys, outage_app: FastAPI, caplog: Any
    ) -> None:
        await outage.proxy.silence()
        transport = httpx.ASGITransport(app=outage_app)
        async with httpx.AsyncClient(transport=transport, base_url="http://test") as client:
            with caplog.at_level(logging.WARNING, logger="taskservice.db"):
                response = await call(client, keys.alice, CALLS[1])

            assert_unavailable(response, CALLS[1])
            assert [r.getMessage() for r in caplog.records] == [
                "cannot connect to the database: TimeoutError"
            ]
            await outage.restore()
            assert (await call(client, keys.alice, CALLS[1])).status_code == 200

    async def test_a_write_cut_off_halfway_leaves_nothing(
        self, outage: ProxiedPostgres, keys: Keys, outage_app: FastAPI
    ) -> None:
        """POST /tasks has inserted the task and its tags and waits for the counter row
        (locked here) when the connection is cut: nothing of it is ever committed."""
        before = await state(outage)
        direct = _asyncpg_url(outage.database)
        locker = await asyncpg.connect(direct)
        watcher = await asyncpg.connect(direct)
        transport = httpx.ASGITransport(app=outage_app)
        try:
            locker_tx = locker.transaction()
            await locker_tx.start()
            await locker.execute("SELECT * FROM task_counts FOR UPDATE")
            async with httpx.AsyncClient(transport=transport, base_url="http://test") as client:
                body = {"title": "half", "tags": ["a", "b"]}
                post = asyncio.create_task(
                    call(client, keys.alice, Call("POST", "/tasks", 201, body))
                )
                blocked = await _backend_waiting_on_a_lock(watcher)
                await outage.cut()
                response = await post
                assert_unavailable(response, CALLS[3])

                await locker_tx.rollback()
                await _until_gone(watcher, blocked)
                await outage.restore()
                assert await state(outage) == before
                after = await call(client, keys.alice, Call("POST", "/tasks", 201, body))
                assert after.status_code == 201
        finally:
            await locker.close()
            await watcher.close()
        final = await state(outage)
        assert final["counted"] == len(final["tasks"]) == 3
        assert final["tags"] == 4


async def _backend_waiting_on_a_lock(watcher: asyncpg.Connection) -> int:
    for _ in range(600):
        pid = await watcher.fetchval(
            "SELECT pid FROM pg_stat_activity WHERE datname = current_database() "
            "AND wait_event_type = 'Lock' AND query LIKE '%task_counts%'"
        )
        if pid is not None:
            return int(pid)
        await asyncio.sleep(0.05)
    raise AssertionError("the write never reached the locked counter")


async def _until_gone(watcher: asyncpg.Connection, pid: int) -> None:
    """The server ends a backend whose client vanished once it next writes to it."""
    for _ in range(600):
        if not await watcher.fetchval("SELECT count(*) FROM pg_stat_activity WHERE pid = $1", pid):
            return
        await asyncio.sleep(0.05)
    raise AssertionError(f"backend {pid} is still there")


class TestOtherWaysToLoseTheDatabase:
    @ONLY_POSTGRESQL
    async def test_connections_ended_by_the_server_are_503_once(
        self, outage: ProxiedPostgres, keys: Keys, outage_app: FastAPI
    ) -> None:
        """An administrator ends every connection (pg_terminate_backend): the request that
        meets a dead one is 503; SQLAlchemy then drops the pool, and the next succeeds."""
        transport = httpx.ASGITransport(app=outage_app)
        async with httpx.AsyncClient(transport=transport, base_url="http://test") as client:
            assert (await call(client, keys.alice, CALLS[1])).status_code == 200
            admin = await asyncpg.connect(_asyncpg_url(outage.database))
            try:
                ended = await admin.fetchval(
                    "SELECT count(pg_terminate_backend(pid)) FROM pg_stat_activity "
                    "WHERE datname = current_database() AND pid <> pg_backend_pid()"
                )
            finally:
                await admin.close()
            assert ended >= 1

            assert_unavailable(await call(client, keys.alice, CALLS[1]), CALLS[1])
            assert (await call(client, keys.alice, CALLS[1])).status_code == 200

    @pytest.mark.parametrize("db_backend", [b for b in BACKENDS if b == "sqlite"], indirect=True)
    async def test_a_sqlite_lock_held_past_the_busy_timeout_is_503(
        self, outage: MovedSqliteFile, keys: Keys
    ) -> None:
        settings = Settings(database_url=outage.url, sqlite_busy_timeout_ms=50)
        application = create_app(settings)
        holder = sqlite3.connect(outage.folder / "test.db", isolation_level=None)
        try:
            async with application.router.lifespan_context(application):
                transport = httpx.ASGITransport(app=application)
                async with httpx.AsyncClient(transport=transport, base_url="http://t") as client:
                    holder.execute("BEGIN IMMEDIATE")
                    response = await call(client, keys.alice, CALLS[3])
                    holder.execute("ROLLBACK")
                    retried = await call(client, keys.alice, CALLS[3])
        finally:
            holder.close()

        assert_unavailable(response, CALLS[3])
        assert retried.status_code == 201


class TestAgentRunOutage:
    @ONLY_POSTGRESQL
    async def test_the_database_lost_mid_run_is_503_and_the_run_is_ended_once_it_is_back(
        self, outage: Outage, keys: Keys
    ) -> None:
        from tests.agent.conftest import GatedModel, use_model, wait_until

        settings = Settings(database_url=outage.url, db_connect_timeout_s=2, agent_run_lease_s=1.0)
        application = create_app(settings)
        async with serving_lifespan(application):
            model = GatedModel()
            use_model(application, model)
            transport = httpx.ASGITransport(app=application)
            headers = {"Authorization": f"Bearer {keys.alice}"}
            async with httpx.AsyncClient(
                transport=transport, base_url="http://t", headers=headers
            ) as client:
                asking = asyncio.create_task(
                    client.post("/agent", json={"message": "add a task to buy milk"})
                )
                await model.until_entered(1)
                await outage.cut()
                model.gate.set()
                response = await asking
                await outage.restore()

                assert response.status_code == 503, response.text
                assert response.json()["type"] == UNAVAILABLE
                run_id = response.json()["run_id"]

                async def ended() -> bool:
                    run = (await client.get(f"/agent/runs/{run_id}")).json()
                    return bool(run["status"] != "running")

                # Its worker could not record the end: the lease runs out, it is lost.
                await wait_until(ended)
                run = (await client.get(f"/agent/runs/{run_id}")).json()
                assert (run["status"], run["outcome"], run["tool_calls"]) == (
                    "failed",
                    "lost",
                    [],
                )
                assert [t[1] for t in (await state(outage))["tasks"]] == ["first", "second"]
                again = await client.post(
                    "/agent",
                    json={"message": "list my tasks", "session_id": response.json()["session_id"]},
                )
                assert again.status_code == 200, again.text
