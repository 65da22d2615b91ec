"""Seeding the benchmark's tasks fast, in the state the service itself would leave them.

Tasks are written straight into the tables with the raw driver (COPY on PostgreSQL,
``executemany`` on SQLite), matching the schema of ``migrations/versions``: priority
stored as its rank 1..4, tags as JSON, folded titles, times in UTC. Then what the
service derives from tasks is made as the service makes it: the tag rows
(``task_tags``), and the per-owner counters by the service's own recount
(``counts.rebuild``); :func:`check_totals` checks that rows and counters agree with
what was seeded. ``task_events`` stays empty: seeded tasks predate their history (an
empty history, as for tasks made before the history existed).
"""

import asyncio
import json
import random
import sqlite3
import time
from collections.abc import Iterator, Sequence
from dataclasses import dataclass
from datetime import datetime, timedelta
from itertools import chain
from typing import Any

import asyncpg
from sqlalchemy.ext.asyncio import create_async_engine

from bench.common import log
from bench.database import (
    Database,
    analyze,
    now_utc,
    sqlite_time,
)
from taskservice.tasks import counts
from taskservice.tasks.search import fold

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
class Seed:
    """``count`` tasks for one owner, made from random ``seed``."""

    owner_id: int
    count: int
    seed: int


def _rows(owner_id: int, count: int, seed: int) -> Iterator[tuple[Any, ...]]:
    """Tasks as the repository would store them (folded title, tags as JSON, priority
    as its rank, times in UTC), created 7 s apart up to now."""
    rng = random.Random(seed)
    now = now_utc()
    today = now.date()
    statuses = rng.choices(_STATUSES, _STATUS_WEIGHTS, k=count)
    tag_sets = [json.dumps(rng.sample(_TAGS, rng.randint(0, 2))) for _ in range(64)]
    for n in range(count):
        created = now - timedelta(seconds=(count - n) * 7)
        status = statuses[n]
        due = today + timedelta(days=rng.randint(-30, 90)) if rng.random() < 0.6 else None
        completed = created if status == "done" else None
        title = f"Seeded task {n}"
        priority = rng.randint(1, 4)
        tags = tag_sets[rng.randrange(64)]
        row = (owner_id, title, None, status, priority, due, tags, created, created, completed, 1)
        yield (*row, fold(title))


def seed(db: Database, seeds: Sequence[Seed]) -> dict[int, tuple[int, int]]:
    """Every owner's tasks in one bulk load, then what the service derives from tasks:
    their tag rows, the per-owner counters (``counts.rebuild``, as the service's own
    backfill) and fresh planner statistics. Each owner's (min id, max id)."""
    started = time.monotonic()
    if db.kind == "postgresql":
        asyncio.run(_pg_load(db, seeds))
    else:
        _sqlite_load(db, seeds)
    loaded = time.monotonic()
    asyncio.run(_rebuild_counters(db))
    analyze(db)
    log(
        f"{db.label}: tasks loaded in {loaded - started:.0f} s, counters and statistics "
        f"in {time.monotonic() - loaded:.0f} s"
    )
    return _id_ranges(db)


async def _pg_load(db: Database, seeds: Sequence[Seed]) -> None:
    """COPY into ``tasks`` with its secondary indexes dropped and rebuilt afterwards
    from their own definitions (faster than growing them row by row), and without
    the foreign-key triggers (``session_replication_role``: every owner exists)."""
    conn = await asyncpg.connect(db.driver_dsn)
    try:
        await conn.execute("SET session_replication_role = replica")
        indexes = await conn.fetch(
            "SELECT indexname, indexdef FROM pg_indexes WHERE tablename = 'tasks' "
            "AND indexname <> 'tasks_pkey'"
        )
        for index in indexes:
            await conn.execute(f'DROP INDEX "{index["indexname"]}"')
        rows = chain.from_iterable(_rows(s.owner_id, s.count, s.seed) for s in seeds)
        await conn.copy_records_to_table("tasks", records=rows, columns=list(_COLUMNS))
        for index in indexes:
            await conn.execute(index["indexdef"])
        await conn.execute(
            "INSERT INTO task_tags (task_id, tag, owner_id) "
            "SELECT id, json_array_elements_text(tags), owner_id FROM tasks"
        )
    finally:
        await conn.close()


def _sqlite_load(db: Database, seeds: Sequence[Seed]) -> None:
    columns = ", ".join(_COLUMNS)
    marks = ", ".join("?" for _ in _COLUMNS)
    with sqlite3.connect(db.path) as conn:
        for s in seeds:
            converted = (
                (
                    *row[:5],
                    row[5].isoformat() if row[5] else None,
                    row[6],
                    sqlite_time(row[7]),
                    sqlite_time(row[8]),
                    sqlite_time(row[9]) if row[9] else None,
                    *row[10:],
                )
                for row in _rows(s.owner_id, s.count, s.seed)
            )
            conn.executemany(f"INSERT INTO tasks ({columns}) VALUES ({marks})", converted)
        conn.execute(
            "INSERT INTO task_tags (task_id, tag, owner_id) "
            "SELECT tasks.id, tag.value, tasks.owner_id FROM tasks, json_each(tasks.tags) AS tag"
        )


async def _rebuild_counters(db: Database) -> None:
    engine = create_async_engine(db.url)
    try:
        async with engine.begin() as connection:
            await counts.rebuild(connection)
    finally:
        await engine.dispose()


_RANGES_SQL = "SELECT owner_id, min(id), max(id) FROM tasks GROUP BY owner_id"


def _id_ranges(db: Database) -> dict[int, tuple[int, int]]:
    """Each owner's (min id, max id), in one query."""
    if db.kind == "postgresql":
        rows = asyncio.run(_pg_fetch(db, _RANGES_SQL))
    else:
        with sqlite3.connect(db.path) as conn:
            rows = conn.execute(_RANGES_SQL).fetchall()
    return {int(owner): (int(low), int(high)) for owner, low, high in rows}


_TOTALS_SQL = (
    "SELECT t.owner_id, t.rows, coalesce(c.counted, 0) FROM "
    "(SELECT owner_id, count(*) AS rows FROM tasks GROUP BY owner_id) AS t LEFT JOIN "
    "(SELECT owner_id, sum(count) AS counted FROM task_counts GROUP BY owner_id) AS c "
    "ON c.owner_id = t.owner_id"
)


def check_totals(db: Database, seeds: Sequence[Seed]) -> None:
    """Each owner's rows, and the total its counters give, are what was seeded: the
    state the service itself would be in after creating those tasks."""
    if db.kind == "postgresql":
        found = asyncio.run(_pg_fetch(db, _TOTALS_SQL))
    else:
        with sqlite3.connect(db.path) as conn:
            found = conn.execute(_TOTALS_SQL).fetchall()
    actual = {int(owner): (int(rows), int(counted)) for owner, rows, counted in found}
    wrong = [
        f"owner {s.owner_id}: {actual.get(s.owner_id)} (rows, counters), seeded {s.count}"
        for s in seeds
        if actual.get(s.owner_id, (0, 0)) != (s.count, s.count)
    ]
    if wrong:
        raise RuntimeError(f"{db.label}: seeded totals are wrong: " + "; ".join(wrong[:5]))


async def _pg_fetch(db: Database, sql: str) -> list[Any]:
    conn = await asyncpg.connect(db.driver_dsn)
    try:
        return list(await conn.fetch(sql))
    finally:
        await conn.close()


def create_crowd(db: Database, count: int) -> list[int]:
    """``count`` more users (no keys: nobody signs in as them), for a realistic table."""
    if count <= 0:
        return []
    now = now_utc()
    names = [f"crowd{n:06d}" for n in range(count)]
    if db.kind == "postgresql":
        return asyncio.run(_pg_crowd(db, names, now))
    with sqlite3.connect(db.path) as conn:
        conn.executemany(
            "INSERT INTO users (name, created_at) VALUES (?, ?)",
            [(name, sqlite_time(now)) for name in names],
        )
        rows = conn.execute("SELECT id FROM users WHERE name LIKE 'crowd%' ORDER BY id")
        return [int(r[0]) for r in rows]


async def _pg_crowd(db: Database, names: list[str], now: datetime) -> list[int]:
    conn = await asyncpg.connect(db.driver_dsn)
    try:
        records = [(name, now) for name in names]
        await conn.copy_records_to_table("users", records=records, columns=["name", "created_at"])
        rows = await conn.fetch("SELECT id FROM users WHERE name LIKE 'crowd%' ORDER BY id")
    finally:
        await conn.close()
    return [int(r["id"]) for r in rows]
