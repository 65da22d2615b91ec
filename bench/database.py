"""The benchmark's databases: created fresh, migrated with the CLI, seeded fast, dropped.

Seeding writes straight into the tables with the raw driver (COPY on PostgreSQL,
``executemany`` on SQLite), matching the schema of ``migrations/versions``:
priority stored as its rank 1..4, tags as JSON, times in UTC. ``task_tags`` and
``task_events`` are left empty: no benchmark filters by tag or reads history.

Users and keys are written the same way, with the service's own key functions
(``taskservice.auth.keys``), which is what ``taskservice users create`` stores.
"""

import asyncio
import json
import os
import random
import sqlite3
import subprocess
from collections.abc import Iterator, Sequence
from dataclasses import dataclass
from datetime import UTC, datetime, timedelta
from typing import Any, Literal

import asyncpg

from bench.common import BIN, OUT, ROOT, log
from bench.procs import clean_env
from taskservice.auth.keys import display_prefix, generate_key, hash_key
from taskservice.tasks.search import fold

PG_ADMIN_DSN = "postgresql://postgres@127.0.0.1:5432/postgres"
PG_DSN = "postgresql://postgres@127.0.0.1:5432/{name}"
Kind = Literal["postgresql", "sqlite"]

_STATUSES = ("todo", "in_progress", "blocked", "done")
_STATUS_WEIGHTS = (50, 20, 10, 20)
_TAGS = ("work", "home", "errand", "q3", "ops", "later")
_COLUMNS = (
    "owner_id",
    "title",
    "description",
    "status",
    "priority",
    "due_date",
    "tags",
    "created_at",
    "updated_at",
    "completed_at",
    "version",
    "title_folded",
)


@dataclass(frozen=True)
class Database:
    kind: Kind
    name: str

    @property
    def label(self) -> str:
        return "PostgreSQL" if self.kind == "postgresql" else "SQLite"

    @property
    def path(self) -> str:
        return str(OUT / f"{self.name}.db")

    @property
    def url(self) -> str:
        """The SQLAlchemy URL the service is given."""
        if self.kind == "postgresql":
            return f"postgresql+asyncpg://postgres@127.0.0.1:5432/{self.name}"
        return f"sqlite+aiosqlite:///{self.path}"

    @property
    def driver_dsn(self) -> str:
        """What the bare baseline connects to with the raw driver."""
        return PG_DSN.format(name=self.name) if self.kind == "postgresql" else self.path


@dataclass(frozen=True)
class User:
    id: int
    name: str
    key: str


def databases() -> tuple[Database, Database]:
    suffix = f"{os.getpid()}"
    return Database("postgresql", f"bench_{suffix}"), Database("sqlite", f"bench_{suffix}")


async def _admin(sql: str) -> None:
    conn = await asyncpg.connect(PG_ADMIN_DSN)
    try:
        await conn.execute(sql)
    finally:
        await conn.close()


def create(db: Database) -> None:
    drop(db)
    if db.kind == "postgresql":
        asyncio.run(_admin(f'CREATE DATABASE "{db.name}"'))
    else:
        OUT.mkdir(parents=True, exist_ok=True)


def drop(db: Database) -> None:
    if db.kind == "postgresql":
        asyncio.run(_admin(f'DROP DATABASE IF EXISTS "{db.name}" WITH (FORCE)'))
    else:
        for suffix in ("", "-wal", "-shm", "-journal"):
            path = db.path + suffix
            if os.path.exists(path):
                os.remove(path)


def migrate(dbs: Sequence[Database]) -> None:
    """``taskservice migrate`` for each database, at the same time."""
    procs = [
        subprocess.Popen(
            [str(BIN / "taskservice"), "migrate"],
            env=clean_env({"TASKSERVICE_DATABASE_URL": db.url}),
            cwd=ROOT,
            stdout=subprocess.PIPE,
            stderr=subprocess.STDOUT,
        )
        for db in dbs
    ]
    for db, proc in zip(dbs, procs, strict=True):
        output, _ = proc.communicate(timeout=300)
        if proc.returncode != 0:
            raise RuntimeError(f"migrating {db.label} failed:\n{output.decode()}")
        log(f"{db.label}: {output.decode().strip().splitlines()[-1]}")


def _now() -> datetime:
    return datetime.now(UTC)


def _sqlite_time(value: datetime) -> str:
    return value.astimezone(UTC).replace(tzinfo=None).isoformat(sep=" ", timespec="microseconds")


def create_users(db: Database, names: Sequence[str]) -> dict[str, User]:
    keys = {name: generate_key() for name in names}
    now = _now()
    if db.kind == "postgresql":
        return asyncio.run(_pg_users(db, keys, now))
    users = {}
    with sqlite3.connect(db.path) as conn:
        for name, key in keys.items():
            cur = conn.execute(
                "INSERT INTO users (name, created_at) VALUES (?, ?)", (name, _sqlite_time(now))
            )
            user_id = int(cur.lastrowid or 0)
            conn.execute(
                "INSERT INTO api_keys (user_id, key_hash, prefix, created_at) VALUES (?, ?, ?, ?)",
                (user_id, hash_key(key), display_prefix(key), _sqlite_time(now)),
            )
            users[name] = User(user_id, name, key)
    return users


async def _pg_users(db: Database, keys: dict[str, str], now: datetime) -> dict[str, User]:
    conn = await asyncpg.connect(db.driver_dsn)
    users = {}
    try:
        async with conn.transaction():
            for name, key in keys.items():
                user_id = await conn.fetchval(
                    "INSERT INTO users (name, created_at) VALUES ($1, $2) RETURNING id", name, now
                )
                await conn.execute(
                    "INSERT INTO api_keys (user_id, key_hash, prefix, created_at) "
                    "VALUES ($1, $2, $3, $4)",
                    user_id,
                    hash_key(key),
                    display_prefix(key),
                    now,
                )
                users[name] = User(int(user_id), name, key)
    finally:
        await conn.close()
    return users


def _rows(owner_id: int, count: int, seed: int) -> Iterator[tuple[Any, ...]]:
    rng = random.Random(seed)
    now = _now()
    today = now.date()
    for n in range(count):
        created = now - timedelta(seconds=(count - n) * 7)
        status = rng.choices(_STATUSES, _STATUS_WEIGHTS)[0]
        due = today + timedelta(days=rng.randint(-30, 90)) if rng.random() < 0.6 else None
        tags = json.dumps(rng.sample(_TAGS, rng.randint(0, 2)))
        completed = created if status == "done" else None
        title = f"Seeded task {n}"
        priority = rng.randint(1, 4)
        row = (owner_id, title, None, status, priority, due, tags, created, created, completed, 1)
        yield (*row, fold(title))


def seed_tasks(db: Database, owner_id: int, count: int, seed: int = 1) -> tuple[int, int]:
    """Insert ``count`` tasks for one owner; the (min, max) of their ids."""
    rows = list(_rows(owner_id, count, seed))
    if db.kind == "postgresql":
        return asyncio.run(_pg_seed(db, owner_id, rows))
    columns = ", ".join(_COLUMNS)
    marks = ", ".join("?" for _ in _COLUMNS)
    sqlite_rows = [
        (
            *row[:5],
            row[5].isoformat() if row[5] else None,
            row[6],
            _sqlite_time(row[7]),
            _sqlite_time(row[8]),
            _sqlite_time(row[9]) if row[9] else None,
            *row[10:],
        )
        for row in rows
    ]
    with sqlite3.connect(db.path) as conn:
        conn.executemany(f"INSERT INTO tasks ({columns}) VALUES ({marks})", sqlite_rows)
        low, high = conn.execute(
            "SELECT min(id), max(id) FROM tasks WHERE owner_id = ?", (owner_id,)
        ).fetchone()
    return int(low), int(high)


async def _pg_seed(db: Database, owner_id: int, rows: list[tuple[Any, ...]]) -> tuple[int, int]:
    conn = await asyncpg.connect(db.driver_dsn)
    try:
        await conn.copy_records_to_table("tasks", records=rows, columns=list(_COLUMNS))
        low, high = await conn.fetchrow(
            "SELECT min(id), max(id) FROM tasks WHERE owner_id = $1", owner_id
        )
    finally:
        await conn.close()
    return int(low), int(high)


def analyze(db: Database) -> None:
    """What autovacuum does soon after a bulk load anyway: fresh planner statistics."""
    if db.kind == "postgresql":
        asyncio.run(_pg_exec(db, "VACUUM ANALYZE tasks"))


async def _pg_exec(db: Database, sql: str) -> None:
    conn = await asyncpg.connect(db.driver_dsn)
    try:
        await conn.execute(sql)
    finally:
        await conn.close()


def count_tasks(db: Database, owner_id: int) -> int:
    sql = "SELECT count(*) FROM tasks WHERE owner_id = {}"
    if db.kind == "postgresql":
        return int(asyncio.run(_pg_fetchval(db, sql.format("$1"), owner_id)))
    with sqlite3.connect(db.path) as conn:
        return int(conn.execute(sql.format("?"), (owner_id,)).fetchone()[0])


async def _pg_fetchval(db: Database, sql: str, *args: Any) -> Any:
    conn = await asyncpg.connect(db.driver_dsn)
    try:
        return await conn.fetchval(sql, *args)
    finally:
        await conn.close()
