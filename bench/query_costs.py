"""What a list page and its ``total`` cost on the database, for every kind of filter
(figure 3), timed with EXPLAIN ANALYZE on the statements the service itself runs.

For each filter and user: the page (``LIMIT 21``), the total as the service serves it
(the counters for status and priority; else a count that stops past EXACT_TOTAL_MAX
matches), and a plain ``count(*)`` of every match: what the total cost before the bound.
"""

import asyncio
import json
import statistics
from datetime import UTC, datetime, timedelta
from typing import Any

import asyncpg
from sqlalchemy import Select, func, select
from sqlalchemy.dialects import postgresql

import taskservice.models  # noqa: F401  every table, as in the app
from bench.context import CountCost
from bench.database import Database
from taskservice.tasks import counts
from taskservice.tasks.listing import SortOrder, TaskFilters
from taskservice.tasks.models import Task
from taskservice.tasks.query import TaskQuery
from taskservice.tasks.repository import _count_statement, _page_statement
from taskservice.tasks.schemas import EXACT_TOTAL_MAX

TIMES = 3
_TODAY = datetime.now(UTC).date()
# What a client asks (as GET /tasks query parameters), one of each kind of filter.
FILTERS: tuple[dict[str, Any], ...] = (
    {"status": ["todo"], "sort": "-priority"},
    {"status": ["todo"], "priority": ["high"]},
    {"tag": "work"},
    {"status": ["todo"], "tag": "work"},
    {"q": "seeded"},  # every title
    {"q": "task 7"},  # about one in nine titles
    {"q": "no such words"},  # none: every row is read
    {"due_before": (_TODAY + timedelta(days=7)).isoformat()},
    {"due_after": (_TODAY + timedelta(days=60)).isoformat()},
    {"overdue": True},
)


def describe(query: dict[str, Any]) -> str:
    parts = []
    for key, value in query.items():
        values = value if isinstance(value, list) else [value]
        parts += [f"{key}={str(v).lower() if isinstance(v, bool) else v}" for v in values]
    return "&".join(parts)


_DIALECT = postgresql.dialect()  # type: ignore[no-untyped-call]


def _sql(stmt: Select[Any], params: dict[str, Any]) -> str:
    """The statement as text, its parameters written in (EXPLAIN takes no parameters)."""
    bound = stmt.params(**params)
    return str(bound.compile(dialect=_DIALECT, compile_kwargs={"literal_binds": True}))


def count_costs(db: Database, owner_id: int, size: int) -> list[CountCost]:
    if db.kind != "postgresql":
        return []
    return asyncio.run(_costs(db, owner_id, size))


async def _costs(db: Database, owner_id: int, size: int) -> list[CountCost]:
    conn = await asyncpg.connect(db.driver_dsn)
    found = []
    try:
        for query in FILTERS:
            parsed = TaskQuery.model_validate(query)
            today = datetime.now(UTC).date()  # the seeded users are in UTC
            filters, order = parsed.filters(today), SortOrder.parse_strict(parsed.sort)
            shape, params = filters.shape(), filters.params(owner_id)
            page = _sql(_page_statement(shape, order, None), {**params, "limit": 21})
            clauses = filters.clauses()
            everything = select(func.count()).select_from(Task).where(*clauses)
            unbounded = _sql(everything, params)
            if filters.by_status_and_priority_only:
                total_stmt = counts._total_statement(
                    bool(filters.statuses), bool(filters.priorities)
                )
                total_params: dict[str, Any] = {"owner_id": owner_id}
                if filters.statuses:
                    total_params["statuses"] = [s.value for s in filters.statuses]
                if filters.priorities:
                    total_params["priorities"] = list(filters.priorities)
                total = _sql(total_stmt, total_params)
            else:
                total = _sql(
                    _count_statement(shape), {**params, "count_limit": EXACT_TOTAL_MAX + 1}
                )
            page_ms, plan = await _timed(conn, page)
            total_ms, _ = await _timed(conn, total)
            unbounded_ms, _ = await _timed(conn, unbounded)
            matching = int(await conn.fetchval(unbounded))
            found.append(
                CountCost(describe(query), size, matching, page_ms, total_ms, unbounded_ms, plan)
            )
    finally:
        await conn.close()
    return found


def _total_sql(filters: TaskFilters, owner_id: int) -> str:
    """The statement behind ``total``, as ``TaskRepository.list_tasks`` runs it."""
    params = filters.params(owner_id)
    if not filters.by_status_and_priority_only:
        bounded = _count_statement(filters.shape())
        return _sql(bounded, {**params, "count_limit": EXACT_TOTAL_MAX + 1})
    summed = counts._total_statement(bool(filters.statuses), bool(filters.priorities))
    keep = {"owner_id", "statuses", "priorities"}
    return _sql(summed, {k: v for k, v in params.items() if k in keep})


async def _timed(conn: asyncpg.Connection, sql: str) -> tuple[float, str]:
    times, plan = [], ""
    for _ in range(TIMES):
        raw = await conn.fetchval(f"EXPLAIN (ANALYZE, FORMAT JSON) {sql}")
        result = json.loads(raw)[0]
        times.append(float(result["Execution Time"]))
        plan = _plan_text(result["Plan"])
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
