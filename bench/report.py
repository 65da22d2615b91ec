"""bench/RESULTS.md: the machine, the tables, each target met or missed, the profiles."""

import asyncio
import os
import platform
import sqlite3
import subprocess
import sys
from datetime import UTC, datetime
from importlib import metadata
from pathlib import Path

import asyncpg

from bench import tables
from bench.common import BENCH, RESULTS, ROOT, Settings, elapsed, ratio
from bench.context import Results, SideBySide
from bench.database import PG_ADMIN_DSN
from bench.wrk import wrk_version

LIBRARIES = (
    "fastapi",
    "starlette",
    "uvicorn",
    "uvloop",
    "httptools",
    "sqlalchemy",
    "sqlmodel",
    "asyncpg",
    "aiosqlite",
    "pydantic",
    "openai-agents",
    "openai",
)
ANALYSIS = BENCH / "analysis.md"


def _met(ok: bool) -> str:
    return "**met**" if ok else "**missed**"


def _cpu_model() -> str:
    for line in Path("/proc/cpuinfo").read_text().splitlines():
        if line.startswith("model name"):
            return line.split(":", 1)[1].strip()
    return platform.processor() or "unknown"


def _pg_version() -> str:
    async def ask() -> str:
        conn = await asyncpg.connect(PG_ADMIN_DSN)
        try:
            return str(await conn.fetchval("SHOW server_version"))
        finally:
            await conn.close()

    try:
        return asyncio.run(ask())
    except (OSError, asyncpg.PostgresError):
        return "unknown"


def _source() -> str:
    """Which service code was measured (read-only git queries)."""

    def git(*args: str) -> str:
        done = subprocess.run(["git", *args], cwd=ROOT, capture_output=True, text=True)
        return done.stdout.strip() if done.returncode == 0 else ""

    head = git("rev-parse", "--short", "HEAD") or "unknown"
    dirty = git("status", "--porcelain", "--", "src", "migrations").splitlines()
    changed = f", plus uncommitted changes to {len(dirty)} file(s) in src/" if dirty else ""
    return f"commit {head}{changed}"


def machine(settings: Settings, load_before: str) -> str:
    versions = ", ".join(f"{name} {metadata.version(name)}" for name in LIBRARIES)
    s = settings
    load_after = " ".join(f"{x:.2f}" for x in os.getloadavg())
    return "\n".join(
        [
            f"- Date: {datetime.now(UTC):%Y-%m-%d %H:%M} UTC; whole run {elapsed() / 60:.1f} min; "
            f"service code: {_source()}",
            f"- Machine: {os.cpu_count()} cores ({_cpu_model()}), "
            f"load average before {load_before}, after {load_after} (1/5/15 min)",
            f"- Python {platform.python_version()} ({sys.implementation.name}); {versions}",
            f"- PostgreSQL {_pg_version()} (127.0.0.1, default settings), "
            f"SQLite {sqlite3.sqlite_version} (WAL)",
            f"- Load: {wrk_version()}, `-t{s.threads} -c{s.connections} -d{s.duration_s}s` "
            f"unless stated; each figure is the median of {s.runs} runs (min-max in "
            f"parentheses) after a {s.warmup_s} s warm-up run",
            "- CPU ms/req: user + system CPU time of the server's worker processes over the "
            "measured runs, divided by the requests they served; unlike req/s it hardly depends "
            "on what else the machine runs meanwhile (other processes shared these 2 cores)",
            "- Servers: `taskservice serve --workers N` (uvloop, httptools); the stack floor "
            "and the baseline under the same uvicorn and worker count; all at log level "
            "`warning` (no access log line per request); "
            f"`TASKSERVICE_AGENT_MAX_CONCURRENT={s.agent_max_concurrent}`",
        ]
    )


def _versus(results: Results, what: str, connections: int) -> SideBySide | None:
    for pair in results.versus:
        if pair.what.startswith(what) and pair.connections == connections:
            return pair
    return None


def targets(results: Results, settings: Settings) -> list[tuple[str, str, bool]]:
    found: list[tuple[str, str, bool]] = []
    c = settings.connections
    for what, least in (("GET /tasks/{id}", 0.9), ("GET /tasks?", 0.9), ("PATCH", 0.9)):
        found += _floor_target(results, what, c, least)
    found += _floor_target(results, "POST /tasks", c, 0.8)
    if results.agent is not None:
        r = results.agent.ratio
        found.append(("An agent HTTP turn / a bare `Runner.run` <= 2.0", f"{r:.2f}", r <= 2))
    top = max(settings.high_connections, default=0)
    pair = _versus(results, "GET /tasks/{id}", top)
    if pair is not None:
        ours, floor = pair.service.p99.median, pair.floor.p99.median
        what = f"`GET /tasks/{{id}}` p99 at {top} connections, no worse than the floor's"
        text = f"{ours:,.1f} ms against {floor:,.1f} ms ({ours / floor:.2f}x)"
        found.append((what, text, ours <= floor and pair.ok))
    if results.maximal is not None:
        m = results.maximal
        ok = m.ratio <= 3 and m.loaded.ok and not {k for k in m.statuses if k != "200"}
        what = "Another user's `GET /tasks/{id}` p99, one maximal agent run at a time / idle <= 3"
        found.append((what, f"{m.ratio:.2f}x", ok))
    for label, series in results.scale:
        small, large = (series[f"{n:,}"] for n in (settings.seed_small, settings.seed_large))
        if "total counted" in label:
            continue
        r = ratio(small.rps.median, large.rps.median)
        what = f"{settings.seed_large:,} tasks within 1.5x of {settings.seed_small:,}: {label}"
        found.append((what, f"{r:.2f}x slower", r <= 1.5 and large.ok))
    bad = [f"{m.db} {m.workers}w {m.what}" for m in results.crud if not m.ok]
    bad += [f"{p.what} -c{p.connections}" for p in results.versus if not p.ok]
    found.append(("Requests free of errors", "; ".join(bad) or "no errors", not bad))
    if results.totals:
        found.append(("Seeded totals equal the rows (API `total`)", "checked", True))
    if results.blocking is not None:
        b = results.blocking
        ok = b.ratio <= 3 and b.loaded.ok and not {k for k in b.statuses if k != "200"}
        found.append(("p99 under 64 agent conversations <= 3x idle", f"{b.ratio:.2f}x", ok))
    if results.memory is not None:
        m2 = results.memory
        text = (
            f"second 5k tasks {m2.growth(1, 2):+.1f} MiB, "
            f"second 500 sessions {m2.growth(3, 4):+.1f} MiB (limit {m2.stable_mib:.0f})"
        )
        found.append(("Memory growth stops", text, m2.stable))
    minutes = elapsed() / 60
    found.append(("`make bench` under 12 minutes", f"{minutes:.1f} min", minutes < 12))
    return found


def _floor_target(
    results: Results, what: str, connections: int, least: float
) -> list[tuple[str, str, bool]]:
    pair = _versus(results, what, connections)
    if pair is None:
        return []
    label = f"`{pair.what}` against the stack floor (req/s, -c{connections}) >= {least}"
    text = f"{pair.ratio:.2f} (CPU per request: {pair.cpu_ratio:.2f})"
    return [(label, text, pair.ratio >= least and pair.ok)]


def render(results: Results, settings: Settings, load_before: str) -> str:
    target_rows = [[what, measured, _met(ok)] for what, measured, ok in targets(results, settings)]
    sections = [
        "# Benchmark results",
        "Generated by `make bench` (`bench/run.py`); do not edit by hand.",
        machine(settings, load_before),
        "## Targets\n\n" + tables.table(["Target", "Measured", ""], target_rows),
        "## 1. The service against its stack floor\n\n"
        "The stack floor (`bench/floor.py`): the same requests as simply as FastAPI and "
        "SQLAlchemy allow (Core statements, an autocommit connection for reads, one "
        "transaction for writes, a cached key check, the service's pydantic models), under "
        "the same uvicorn with the same pool; writes store what the service stores (row, "
        "tag rows, counters, history event). The baseline (`bench/baseline.py`): Starlette "
        "and the raw driver, no auth. All with one worker, running at the same time and "
        "taking turns run by run. PostgreSQL.\n\n" + tables.versus(results),
        "## 2. CRUD on SQLite (the service alone, 1 worker)\n\n" + tables.crud(results),
        "## 3. Scale of data\n\n" + tables.scale(results, settings),
        "## 4. Agent overhead\n\n" + tables.agent(results),
        "## 5. Reads while agents run (not blocking)\n\n"
        + tables.maximal(results, settings)
        + "\n\n"
        + tables.blocking(results, settings),
        "## 6. Memory\n\n" + tables.memory(results),
    ]
    if results.profiles:
        profiles = "\n\n".join(p.markdown() for p in results.profiles)
        sections.append("## Profiles (py-spy, CPU samples of one worker)\n\n" + profiles)
    if ANALYSIS.exists():
        sections.append(ANALYSIS.read_text().strip())
    if results.failures:
        failed = "\n".join(f"- {f}" for f in results.failures)
        sections.insert(3, "## Failed (figures missing below)\n\n" + failed)
    if results.skipped:
        sections.append("## Skipped\n\n" + "\n".join(f"- {s}" for s in results.skipped))
    return "\n\n".join(sections) + "\n"


def write(results: Results, settings: Settings, load_before: str) -> str:
    text = render(results, settings, load_before)
    RESULTS.write_text(text)
    return text
