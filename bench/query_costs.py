"""The two statements behind a list page, timed on the database itself (figure 3).

The page (``LIMIT 21`` on an index range) and its ``total`` (``count(*)`` over every
matching row), as the service runs them for ``status=todo&sort=-priority``.
"""

import asyncio
import json
import sqlite3
import statistics
import time
from typing import Any

import asyncpg

from bench.database import Database

_LIST_SQL = {
    "page": "SELECT * FROM tasks WHERE owner_id = {0} AND status IN ('todo') "
    "ORDER BY priority DESC, id DESC LIMIT 21",
    "count": "SELECT count(*) FROM tasks WHERE owner_id = {0} AND status IN ('todo')",
}


def list_query_costs(db: Database, owner_id: int, size: int) -> list[str]:
    """The two statements behind a list page, timed on the database itself (median of 5):
    the page (``LIMIT 21``) and the ``total`` (``count(*)``)."""
    lines = []
    for what, template in _LIST_SQL.items():
        if db.kind == "postgresql":
            ms, plan = asyncio.run(_pg_explain(db, template.format("$1"), owner_id))
        else:
            ms, plan = _sqlite_time_query(db, template.format("?"), owner_id)
        lines.append(f"{db.label}, {size:,} tasks, {what}: {ms:.2f} ms ({plan})")
    return lines


async def _pg_explain(db: Database, sql: str, owner_id: int) -> tuple[float, str]:
    conn = await asyncpg.connect(db.driver_dsn)
    try:
        times, plan = [], ""
        for _ in range(5):
            raw = await conn.fetchval(f"EXPLAIN (ANALYZE, FORMAT JSON) {sql}", owner_id)
            result = json.loads(raw)[0]
            times.append(float(result["Execution Time"]))
            plan = _plan_text(result["Plan"])
    finally:
        await conn.close()
    return statistics.median(times), plan


def _plan_text(node: dict[str, Any]) -> str:
    """The plan's node types, outermost first, e.g. Limit > Index Scan on ix_...."""
    parts = []
    while node:
        text = node["Node Type"]
        if "Index Name" in node:
            text += f" on {node['Index Name']}"
        if "Actual Rows" in node:
            text += f" ({int(node['Actual Rows']):,} rows)"
        parts.append(text)
        node = (node.get("Plans") or [{}])[0]
    return " > ".join(parts)


def _sqlite_time_query(db: Database, sql: str, owner_id: int) -> tuple[float, str]:
    with sqlite3.connect(db.path) as conn:
        plan = "; ".join(row[-1] for row in conn.execute(f"EXPLAIN QUERY PLAN {sql}", (owner_id,)))
        times = []
        for _ in range(5):
            start = time.perf_counter()
            conn.execute(sql, (owner_id,)).fetchall()
            times.append(1000 * (time.perf_counter() - start))
    return statistics.median(times), plan


async def _pg_stuck(db: Database, seconds: float) -> int:
    conn = await asyncpg.connect(db.driver_dsn)
    try:
        count = await conn.fetchval(
            "SELECT count(*) FROM pg_stat_activity WHERE datname = $1 "
            "AND state = 'idle in transaction' AND now() - state_change > $2 * interval '1 second'",
            db.name,
            seconds,
        )
    finally:
        await conn.close()
    return int(count)


def stuck_connections(db: Database, seconds: float = 2.0) -> int:
    """Connections of ``db`` idle inside a transaction for over ``seconds`` (PostgreSQL)."""
    return asyncio.run(_pg_stuck(db, seconds)) if db.kind == "postgresql" else 0
