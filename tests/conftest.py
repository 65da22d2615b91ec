"""Fixtures: a real database per backend, migrated by Alembic once per session.

Every test that asks for ``db_url`` runs twice, on SQLite and on PostgreSQL
(``TASKSERVICE_TEST_BACKENDS=sqlite`` narrows it on a machine without one).
PostgreSQL that does not answer is an error, never a skip.

Isolation: SQLite tests get a copy of a migrated template file; PostgreSQL
tests share one database created for this session and emptied between tests
(not a rolled-back transaction: the service opens several connections per
request by design, e.g. for idempotency claims).
"""

import asyncio
import os
import shutil
import uuid
from collections.abc import AsyncIterator, Iterator
from contextlib import AbstractAsyncContextManager, asynccontextmanager
from dataclasses import dataclass
from pathlib import Path
from typing import TypeVar

import asyncpg
import httpx
import pytest
from fastapi import FastAPI

from taskservice import migrations
from taskservice.app import build_resources, create_app
from taskservice.auth.repository import UserRepository
from taskservice.config import Settings
from taskservice.db import DbSessionMaker
from taskservice.resources import resources_of
from taskservice.tasks.calendar import Clock, utc_now

BACKENDS = [
    b.strip() for b in os.environ.get("TASKSERVICE_TEST_BACKENDS", "sqlite,postgresql").split(",")
]
POSTGRES_ADMIN_URL = os.environ.get(
    "TASKSERVICE_TEST_POSTGRES_URL", "postgresql://postgres@127.0.0.1:5432/test"
)


def _asyncpg_url(database: str) -> str:
    base, _, _ = POSTGRES_ADMIN_URL.rpartition("/")
    return f"{base}/{database}"


@pytest.fixture(scope="session")
def sqlite_template(tmp_path_factory: pytest.TempPathFactory) -> Path:
    path = tmp_path_factory.mktemp("template") / "template.db"
    migrations.upgrade(f"sqlite+aiosqlite:///{path}")
    return path


@pytest.fixture(scope="session")
def postgres_database() -> Iterator[str]:
    """A database of our own for this session, so parallel runs never collide."""
    name = f"taskservice_test_{uuid.uuid4().hex[:10]}"

    async def admin(sql: str) -> None:
        connection = await asyncpg.connect(POSTGRES_ADMIN_URL, timeout=10)
        try:
            await connection.execute(sql)
        finally:
            await connection.close()

    asyncio.run(admin(f'CREATE DATABASE "{name}"'))
    try:
        migrations.upgrade(_asyncpg_url(name).replace("postgresql://", "postgresql+asyncpg://"))
        yield name
    finally:
        asyncio.run(admin(f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)'))


# Kept between tests, as a real deployment keeps them: the schema's version and the
# server's own keys (made by a migration).
_KEPT_TABLES = ("alembic_version", "server_secrets")


async def _truncate_postgres(database: str) -> None:
    """Empty every table and restart every sequence, as ``TRUNCATE ... RESTART IDENTITY``
    would, but with DELETE: on tables this small it takes about 1 ms where TRUNCATE takes
    200-400 ms, most of a test's time. Replica mode skips the foreign-key triggers, so the
    order of the tables does not matter."""
    connection = await asyncpg.connect(_asyncpg_url(database), timeout=10)
    try:
        tables = await connection.fetch(
            "SELECT tablename FROM pg_tables WHERE schemaname = 'public' "
            "AND tablename <> ALL($1::text[])",
            list(_KEPT_TABLES),
        )
        deletes = "".join(f'DELETE FROM "{row["tablename"]}";' for row in tables)
        await connection.execute(
            "BEGIN; SET LOCAL session_replication_role = replica;"
            f"{deletes}"
            "SELECT setval(c.oid, 1, false) FROM pg_class c "
            "JOIN pg_namespace n ON n.oid = c.relnamespace "
            "WHERE c.relkind = 'S' AND n.nspname = 'public';"
            "COMMIT;"
        )
    finally:
        await connection.close()


@pytest.fixture(params=BACKENDS)
def db_backend(request: pytest.FixtureRequest) -> str:
    return str(request.param)


@pytest.fixture
def migrated_source(db_backend: str, request: pytest.FixtureRequest) -> str:
    """The migrated template (a file or a database name); sync, so migrations run
    outside the test's event loop."""
    if db_backend == "sqlite":
        return str(request.getfixturevalue("sqlite_template"))
    if db_backend == "postgresql":
        return str(request.getfixturevalue("postgres_database"))
    raise ValueError(f"unknown backend {db_backend!r}")


@pytest.fixture
async def db_url(db_backend: str, migrated_source: str, tmp_path: Path) -> str:
    if db_backend == "sqlite":
        path = tmp_path / "test.db"
        shutil.copyfile(migrated_source, path)
        return f"sqlite+aiosqlite:///{path}"
    await _truncate_postgres(migrated_source)
    return _asyncpg_url(migrated_source).replace("postgresql://", "postgresql+asyncpg://")


@pytest.fixture
def settings(db_url: str) -> Settings:
    return Settings(database_url=db_url, db_pool_size=5, db_max_overflow=30)


T = TypeVar("T")


@asynccontextmanager
async def in_one_task(context: AbstractAsyncContextManager[T]) -> AsyncIterator[T]:
    """Enter and leave ``context`` in one task of its own, as a server runs a lifespan.
    (pytest-asyncio runs a fixture's setup and teardown in different tasks, and the
    resources hold a task group, the MCP session manager's, which must be left in the
    task that entered it.)"""
    started, stop = asyncio.Event(), asyncio.Event()
    entered: list[T] = []

    async def hold() -> None:
        async with context as value:
            entered.append(value)
            started.set()
            await stop.wait()

    task = asyncio.create_task(hold())
    waiting = asyncio.create_task(started.wait())
    await asyncio.wait({task, waiting}, return_when=asyncio.FIRST_COMPLETED)
    waiting.cancel()
    if task.done():
        task.result()  # entering failed: raise its error
    try:
        yield entered[0]
    finally:
        stop.set()
        await task


def serving_lifespan(app: FastAPI) -> AbstractAsyncContextManager[None]:
    """The app's whole lifespan, as a server runs it."""
    lifespan: AbstractAsyncContextManager[None] = app.router.lifespan_context(app)  # type: ignore[assignment]
    return in_one_task(lifespan)


@pytest.fixture(scope="session")
def routes() -> FastAPI:
    """One app object per test process, its routes built once. FastAPI builds a route's
    state on its first request to each app (about 25 ms a route); a new app per test paid
    that in every test."""
    return create_app(Settings(database_url="sqlite+aiosqlite:///never-opened.db"))


@pytest.fixture
def clock() -> Clock:
    """What the app counts every "today" from: the real clock, unless a test module
    overrides this fixture with a fixed instant."""
    return utc_now


@pytest.fixture
async def app(routes: FastAPI, settings: Settings, clock: Clock) -> AsyncIterator[FastAPI]:
    """The app with this test's resources, made and disposed as its lifespan does (tests
    of the lifespan itself, or of other middleware settings, use ``create_app``)."""
    async with in_one_task(build_resources(settings, clock)) as resources:
        routes.state.resources = resources
        try:
            yield routes
        finally:
            routes.dependency_overrides.clear()
            del routes.state.resources


@pytest.fixture
def db_sessions(app: FastAPI) -> DbSessionMaker:
    maker: DbSessionMaker = resources_of(app).db_sessions
    return maker


@pytest.fixture
async def client(app: FastAPI) -> AsyncIterator[httpx.AsyncClient]:
    """A client with no API key."""
    transport = httpx.ASGITransport(app=app)
    async with httpx.AsyncClient(transport=transport, base_url="http://test") as c:
        yield c


@dataclass
class ApiUser:
    id: int
    name: str
    key: str
    client: httpx.AsyncClient

    @property
    def headers(self) -> dict[str, str]:
        return {"Authorization": f"Bearer {self.key}"}


class Users:
    def __init__(self, app: FastAPI, db_sessions: DbSessionMaker) -> None:
        self.app = app
        self.db_sessions = db_sessions
        self._clients: list[httpx.AsyncClient] = []

    async def create(self, name: str, timezone: str = "UTC") -> ApiUser:
        async with self.db_sessions() as session, session.begin():
            user, key = await UserRepository(session).create(name, timezone)
        assert user.id is not None
        client = httpx.AsyncClient(
            transport=httpx.ASGITransport(app=self.app),
            base_url="http://test",
            headers={"Authorization": f"Bearer {key}"},
        )
        self._clients.append(client)
        return ApiUser(user.id, name, key, client)

    async def close(self) -> None:
        for client in self._clients:
            await client.aclose()


@pytest.fixture
async def users(app: FastAPI, db_sessions: DbSessionMaker) -> AsyncIterator[Users]:
    factory = Users(app, db_sessions)
    yield factory
    await factory.close()


@pytest.fixture
async def alice(users: Users) -> ApiUser:
    return await users.create("alice")


@pytest.fixture
async def bob(users: Users) -> ApiUser:
    return await users.create("bob")
