"""The benchmark's databases: created fresh, migrated with the CLI, dropped at the end.
Users and their keys are written here; tasks in ``seeding``.

Users and keys are written the same way, with the service's own key functions
(``taskservice.auth.keys``), which is what ``taskservice users create`` stores.
"""

import asyncio
import os
import sqlite3
import subprocess
from collections.abc import Sequence
from dataclasses import dataclass
from datetime import UTC, datetime
from typing import Any, Literal

import asyncpg

from bench.common import BIN, OUT, ROOT, log
from bench.procs import clean_env
from taskservice.auth.keys import display_prefix, generate_key, hash_key

PG_ADMIN_DSN = "postgresql://postgres@127.0.0.1:5432/postgres"
PG_DSN = "postgresql://postgres@127.0.0.1:5432/{name}"
Kind = Literal["postgresql", "sqlite"]


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


def now_utc() -> datetime:
    return datetime.now(UTC)


def sqlite_time(value: datetime) -> str:
    return value.astimezone(UTC).replace(tzinfo=None).isoformat(sep=" ", timespec="microseconds")


def create_users(db: Database, names: Sequence[str]) -> dict[str, User]:
    keys = {name: generate_key() for name in names}
    now = now_utc()
    if db.kind == "postgresql":
        return asyncio.run(_pg_users(db, keys, now))
    users = {}
    with sqlite3.connect(db.path) as conn:
        for name, key in keys.items():
            cur = conn.execute(
                "INSERT INTO users (name, created_at) VALUES (?, ?)", (name, sqlite_time(now))
            )
            user_id = int(cur.lastrowid or 0)
            conn.execute(
                "INSERT INTO api_keys (user_id, key_hash, prefix, created_at) VALUES (?, ?, ?, ?)",
                (user_id, hash_key(key), display_prefix(key), sqlite_time(now)),
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


def analyze(db: Database) -> None:
    """What autovacuum does soon after a bulk load anyway: fresh planner statistics."""
    if db.kind == "postgresql":
        asyncio.run(_pg_exec(db, "VACUUM ANALYZE"))
    else:
        with sqlite3.connect(db.path) as conn:
            conn.execute("ANALYZE")


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
