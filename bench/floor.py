"""The stack floor: the service's task requests written as simply as FastAPI and
SQLAlchemy allow, to measure how close the service comes to its own stack.

Same framework, server, driver, pool size, schemas and tables as the service; none of
its layers: SQLAlchemy Core statements on a pooled connection (AUTOCOMMIT for reads,
one ``engine.begin()`` transaction for writes), a per-process cache of verified keys,
pydantic models (the service's own ``TaskCreate``, ``TaskPatch`` and ``TaskRead``) for
validation and serialisation. Writes store what the service stores: the row, its
tag rows, the per-owner counters and a history event, so that the two do the same
work and ``total`` and history stay right. No request ids, no problem+json, no
idempotency keys, no ``If-Match``: only what the measured requests need.

    BENCH_FLOOR_URL=postgresql+asyncpg://... uvicorn bench.floor:app
"""

import base64
import hashlib
import hmac
import json
import os
import secrets
import time
from collections.abc import AsyncIterator, Sequence
from contextlib import asynccontextmanager
from typing import Annotated, Any

from fastapi import Depends, FastAPI, HTTPException, Query, Response
from fastapi.security import HTTPAuthorizationCredentials, HTTPBearer
from pydantic import BaseModel
from sqlalchemy import and_, delete, func, insert, or_, select, update
from sqlalchemy.dialects.postgresql import insert as pg_insert
from sqlalchemy.ext.asyncio import AsyncConnection, create_async_engine

from taskservice.auth.keys import hash_key
from taskservice.auth.models import ApiKey, User
from taskservice.db import utcnow
from taskservice.tasks.counts import TaskCount
from taskservice.tasks.events import TaskEvent, json_value
from taskservice.tasks.models import Priority, Status, Task, TaskTag
from taskservice.tasks.schemas import TaskCreate, TaskPatch, TaskRead
from taskservice.tasks.search import fold, fold_optional

URL = os.environ.get("BENCH_FLOOR_URL", "postgresql+asyncpg://postgres@127.0.0.1:5432/postgres")
KEY_TTL_S = 5.0  # the service's TASKSERVICE_AUTH_CACHE_TTL_S default

tasks = Task.__table__  # type: ignore[attr-defined]
task_tags = TaskTag.__table__  # type: ignore[attr-defined]
counters = TaskCount.__table__  # type: ignore[attr-defined]
events = TaskEvent.__table__  # type: ignore[attr-defined]
COLUMNS = [tasks.c[name] for name in TaskRead.model_fields]
RECORDED = ("title", "description", "status", "priority", "due_date", "tags", "completed_at")

engine = create_async_engine(URL, pool_size=30, max_overflow=10)  # the service's defaults
reads = engine.execution_options(isolation_level="AUTOCOMMIT")
cursor_key = secrets.token_bytes(32)
verified: dict[str, tuple[float, int]] = {}


class Page(BaseModel):
    items: list[TaskRead]
    total: int
    next_cursor: str | None


@asynccontextmanager
async def lifespan(app: FastAPI) -> AsyncIterator[None]:
    yield
    await engine.dispose()


app = FastAPI(lifespan=lifespan)
bearer = HTTPBearer()


async def current_user(
    credentials: Annotated[HTTPAuthorizationCredentials, Depends(bearer)],
) -> int:
    digest = hash_key(credentials.credentials)
    cached = verified.get(digest)
    if cached is not None and cached[0] > time.monotonic():
        return cached[1]
    async with reads.connect() as conn:
        user_id = await conn.scalar(
            select(User.__table__.c.id)  # type: ignore[attr-defined]
            .join(ApiKey.__table__, ApiKey.__table__.c.user_id == User.__table__.c.id)  # type: ignore[attr-defined]
            .where(
                ApiKey.__table__.c.key_hash == digest,  # type: ignore[attr-defined]
                ApiKey.__table__.c.revoked_at.is_(None),  # type: ignore[attr-defined]
            )
        )
    if user_id is None:
        raise HTTPException(401, "invalid key")
    verified[digest] = (time.monotonic() + KEY_TTL_S, user_id)
    return int(user_id)


UserId = Annotated[int, Depends(current_user)]


def etag(row: Any) -> str:
    return f'"{row.id}.{row.version}"'


@app.get("/tasks/{task_id}", response_model=TaskRead)
async def get_task(task_id: int, owner: UserId, response: Response) -> Any:
    async with reads.connect() as conn:
        result = await conn.execute(
            select(*COLUMNS).where(tasks.c.id == task_id, tasks.c.owner_id == owner)
        )
        row = result.first()
    if row is None:
        raise HTTPException(404, "not found")
    response.headers["ETag"] = etag(row)
    return TaskRead.model_validate(row)


def _cursor(row: Any) -> str:
    payload = json.dumps([row.priority.rank, row.id]).encode()
    signature = hmac.new(cursor_key, payload, hashlib.sha256).digest()[:16]
    encode = base64.urlsafe_b64encode
    return f"{encode(payload).decode()}.{encode(signature).decode()}"


def _after(cursor: str) -> Any:
    body, _, signature = cursor.partition(".")
    payload = base64.urlsafe_b64decode(body)
    expected = hmac.new(cursor_key, payload, hashlib.sha256).digest()[:16]
    if not hmac.compare_digest(base64.urlsafe_b64decode(signature), expected):
        raise HTTPException(400, "invalid cursor")
    rank, last_id = json.loads(payload)
    priority = tasks.c.priority
    rank_value = next(p for p in Priority if p.rank == rank)
    return and_(
        priority <= rank_value,
        or_(priority < rank_value, and_(priority == rank_value, tasks.c.id < last_id)),
    )


@app.get("/tasks", response_model=Page)
async def list_tasks(
    owner: UserId,
    status: Annotated[list[Status] | None, Query()] = None,
    sort: Annotated[str, Query(pattern="^-priority$")] = "-priority",
    limit: Annotated[int, Query(ge=1, le=100)] = 20,
    cursor: str | None = None,
) -> Any:
    """Only what the benchmark lists: by status, sorted by priority (descending)."""
    where = [tasks.c.owner_id == owner]
    counted = [counters.c.owner_id == owner]
    if status:
        where.append(tasks.c.status.in_([s.value for s in status]))
        counted.append(counters.c.status.in_([s.value for s in status]))
    if cursor is not None:
        where.append(_after(cursor))
    page = (
        select(*COLUMNS)
        .where(*where)
        .order_by(tasks.c.priority.desc(), tasks.c.id.desc())
        .limit(limit + 1)
    )
    async with reads.connect() as conn:
        rows = (await conn.execute(page)).all()
        total = await conn.scalar(
            select(func.coalesce(func.sum(counters.c["count"]), 0)).where(*counted)
        )
    next_cursor = _cursor(rows[limit - 1]) if len(rows) > limit else None
    return Page(
        items=[TaskRead.model_validate(row) for row in rows[:limit]],
        total=int(total or 0),
        next_cursor=next_cursor,
    )


async def _count(conn: AsyncConnection, owner: int, moves: Sequence[tuple[Any, int]]) -> None:
    for (status, priority), delta in moves:
        stmt = pg_insert(counters).values(
            owner_id=owner, status=status, priority=priority, count=delta
        )
        await conn.execute(
            stmt.on_conflict_do_update(
                index_elements=["owner_id", "status", "priority"],
                set_={"count": counters.c["count"] + delta},
            )
        )


async def _record(
    conn: AsyncConnection, owner: int, task_id: int, action: str, diff: dict[str, Any], at: Any
) -> None:
    changes = {
        name: {"old": json_value(old), "new": json_value(new)}
        for name, (old, new) in diff.items()
        if old != new
    }
    await conn.execute(
        insert(events).values(
            task_id=task_id, owner_id=owner, actor="api", action=action, changes=changes, at=at
        )
    )


async def _tags(conn: AsyncConnection, owner: int, task_id: int, tags: list[str]) -> None:
    if tags:
        rows = [{"task_id": task_id, "tag": tag, "owner_id": owner} for tag in tags]
        await conn.execute(insert(task_tags), rows)


@app.post("/tasks", response_model=TaskRead, status_code=201)
async def create_task(body: TaskCreate, owner: UserId, response: Response) -> Any:
    now = utcnow()
    values = body.model_dump()
    values.update(
        owner_id=owner,
        title_folded=fold(body.title),
        description_folded=fold_optional(body.description),
        created_at=now,
        updated_at=now,
        completed_at=now if body.status == Status.done else None,
        version=1,
    )
    async with engine.begin() as conn:
        row = (await conn.execute(insert(tasks).values(values).returning(*COLUMNS))).one()
        await _tags(conn, owner, row.id, row.tags)
        await _count(conn, owner, [((row.status, row.priority), 1)])
        diff = {name: (None, getattr(row, name)) for name in RECORDED}
        await _record(conn, owner, row.id, "created", diff, now)
    response.headers["ETag"] = etag(row)
    response.headers["Location"] = f"/tasks/{row.id}"
    return TaskRead.model_validate(row)


@app.patch("/tasks/{task_id}", response_model=TaskRead)
async def update_task(task_id: int, body: TaskPatch, owner: UserId, response: Response) -> Any:
    async with engine.begin() as conn:
        found = select(*COLUMNS).where(tasks.c.id == task_id, tasks.c.owner_id == owner)
        row = (await conn.execute(found.with_for_update())).first()
        if row is None:
            raise HTTPException(404, "not found")
        changed = {k: v for k, v in body.changes().items() if getattr(row, k) != v}
        if changed:
            now = utcnow()
            if "status" in changed:
                changed["completed_at"] = now if changed["status"] == Status.done else None
            diff = {name: (getattr(row, name), value) for name, value in changed.items()}
            values = {**changed, "updated_at": now, "version": row.version + 1}
            if "title" in changed:
                values["title_folded"] = fold(changed["title"])
            if "description" in changed:
                values["description_folded"] = fold_optional(changed["description"])
            before = (row.status, row.priority)
            stmt = update(tasks).where(tasks.c.id == task_id).values(values)
            row = (await conn.execute(stmt.returning(*COLUMNS))).one()
            if "tags" in changed:
                await conn.execute(delete(task_tags).where(task_tags.c.task_id == task_id))
                await _tags(conn, owner, task_id, row.tags)
            if before != (row.status, row.priority):
                await _count(conn, owner, [(before, -1), ((row.status, row.priority), 1)])
            await _record(conn, owner, task_id, "updated", diff, now)
    response.headers["ETag"] = etag(row)
    return TaskRead.model_validate(row)


@app.get("/healthz")
async def healthz() -> dict[str, str]:
    return {"status": "ok"}
