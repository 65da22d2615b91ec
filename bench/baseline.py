"""The bare baseline: ``GET /tasks/{id}`` on Starlette with the raw driver.

No ORM, no auth, no validation model: the same row (``WHERE id = ? AND owner_id = ?``,
the query the service runs) read with asyncpg or aiosqlite from a small pool, and
the same JSON fields written with ``json.dumps``. It runs under the same server
(uvicorn) with the same worker count as the service:

    BENCH_BASELINE_DSN=postgresql://... BENCH_BASELINE_OWNER=1 \\
        uvicorn bench.baseline:app --workers 2
"""

import asyncio
import json
import os
from collections.abc import AsyncIterator
from contextlib import asynccontextmanager
from datetime import UTC, date, datetime
from typing import Any

import aiosqlite
import asyncpg
from starlette.applications import Starlette
from starlette.requests import Request
from starlette.responses import JSONResponse, Response
from starlette.routing import Route

DSN = os.environ.get("BENCH_BASELINE_DSN", "")
OWNER = int(os.environ.get("BENCH_BASELINE_OWNER", "1"))
POOL_SIZE = 10  # the service's TASKSERVICE_DB_POOL_SIZE default
POOL_MAX = 30  # pool size + max overflow
COLUMNS = (
    "id, title, description, status, priority, due_date, tags, created_at, updated_at, "
    "completed_at, version"
)
PRIORITIES = {1: "low", 2: "medium", 3: "high", 4: "urgent"}
PG_SQL = f"SELECT {COLUMNS} FROM tasks WHERE id = $1 AND owner_id = $2"
SQLITE_SQL = f"SELECT {COLUMNS} FROM tasks WHERE id = ? AND owner_id = ?"


def _utc(value: Any) -> str | None:
    if value is None:
        return None
    if isinstance(value, str):  # SQLite: naive UTC text
        value = datetime.fromisoformat(value)
    if value.tzinfo is None:
        value = value.replace(tzinfo=UTC)
    text: str = value.astimezone(UTC).isoformat().replace("+00:00", "Z")
    return text


def _day(value: Any) -> str | None:
    if value is None:
        return None
    return value.isoformat() if isinstance(value, date) else str(value)


def _task(row: Any) -> dict[str, Any]:
    return {
        "id": row[0],
        "title": row[1],
        "description": row[2],
        "status": row[3],
        "priority": PRIORITIES[row[4]],
        "due_date": _day(row[5]),
        "tags": json.loads(row[6]),
        "created_at": _utc(row[7]),
        "updated_at": _utc(row[8]),
        "completed_at": _utc(row[9]),
        "version": row[10],
    }


class SqlitePool:
    """A fixed set of aiosqlite connections (each has its own thread), WAL as the service."""

    def __init__(self) -> None:
        self.idle: asyncio.Queue[aiosqlite.Connection] = asyncio.Queue()
        self.all: list[aiosqlite.Connection] = []

    async def open(self, path: str) -> None:
        for _ in range(POOL_SIZE):
            conn = await aiosqlite.connect(path)
            await conn.execute("PRAGMA busy_timeout = 30000")
            await conn.execute("PRAGMA journal_mode = WAL")
            self.all.append(conn)
            self.idle.put_nowait(conn)

    async def fetchrow(self, task_id: int) -> Any:
        conn = await self.idle.get()
        try:
            async with conn.execute(SQLITE_SQL, (task_id, OWNER)) as cursor:
                return await cursor.fetchone()
        finally:
            self.idle.put_nowait(conn)

    async def close(self) -> None:
        for conn in self.all:
            await conn.close()


@asynccontextmanager
async def lifespan(app: Starlette) -> AsyncIterator[None]:
    if DSN.startswith("postgresql://"):
        pool = await asyncpg.create_pool(DSN, min_size=POOL_SIZE, max_size=POOL_MAX)
        app.state.pool = pool

        async def fetch(task_id: int) -> Any:
            return await pool.fetchrow(PG_SQL, task_id, OWNER)

        app.state.fetch = fetch
        try:
            yield
        finally:
            await pool.close()
    else:
        sqlite_pool = SqlitePool()
        await sqlite_pool.open(DSN)
        app.state.fetch = sqlite_pool.fetchrow
        try:
            yield
        finally:
            await sqlite_pool.close()


async def get_task(request: Request) -> Response:
    row = await request.app.state.fetch(int(request.path_params["task_id"]))
    if row is None:
        return JSONResponse({"detail": "not found"}, status_code=404)
    return Response(
        json.dumps(_task(row)),
        media_type="application/json",
        headers={"ETag": f'"{row[0]}.{row[10]}"'},
    )


async def healthz(request: Request) -> Response:
    return JSONResponse({"status": "ok"})


app = Starlette(
    routes=[
        Route("/tasks/{task_id:int}", get_task, methods=["GET"]),
        Route("/healthz", healthz, methods=["GET"]),
    ],
    lifespan=lifespan,
)
