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
from bench.context import LIST_PATH, Results
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
            "- Servers: `taskservice serve --workers N` (uvloop, httptools); the baseline under "
            "the same uvicorn and worker count; both at log level `warning` (no access log "
            f"line per request); `TASKSERVICE_AGENT_MAX_CONCURRENT={s.agent_max_concurrent}`",
        ]
    )


def targets(results: Results, settings: Settings) -> list[tuple[str, str, bool]]:
    found: list[tuple[str, str, bool]] = []
    bad = [f"{m.db} {m.workers}w {m.what}" for m in results.crud if not m.ok]
    found.append(("1. CRUD runs free of errors", "; ".join(bad) or "no errors", not bad))
    for ours, theirs in results.baseline:
        if ours.db != "PostgreSQL":
            continue
        r = ratio(ours.series.rps.median, theirs.series.rps.median)
        what = f"2. ours / baseline >= 0.5 ({ours.db}, {ours.workers}w)"
        found.append((what, f"{r:.2f}", r >= 0.5 and ours.series.ok))
    for small, large in tables.scale_pairs(results):
        r = ratio(small.series.rps.median, large.series.rps.median)
        what = f"3. 100k within 2x of 1k ({small.db}, {large.what})"
        found.append((what, f"{r:.2f}x slower", r <= 2 and large.series.ok))
    if results.agent is not None:
        r = results.agent.ratio
        found.append(("4. agent HTTP / bare <= 2", f"{r:.2f}", r <= 2))
    if results.blocking is not None:
        b = results.blocking
        ok = b.ratio <= 3 and b.loaded.ok and not {k for k in b.statuses if k != "200"}
        found.append(("5. p99 under agent load <= 3x idle", f"{b.ratio:.2f}x", ok))
    if results.memory is not None:
        m = results.memory
        text = (
            f"second 5k tasks {m.growth(1, 2):+.1f} MiB, "
            f"second 500 sessions {m.growth(3, 4):+.1f} MiB (limit {m.stable_mib:.0f})"
        )
        found.append(("6. memory growth stops", text, m.stable))
    return found


def render(results: Results, settings: Settings, load_before: str) -> str:
    target_rows = [[what, measured, _met(ok)] for what, measured, ok in targets(results, settings)]
    sections = [
        "# Benchmark results",
        "Generated by `make bench` (`bench/run.py`); do not edit by hand.",
        machine(settings, load_before),
        "## Targets\n\n" + tables.table(["Target", "Measured", ""], target_rows),
        "## 1. CRUD throughput and latency\n\n" + tables.crud(results),
        "## 2. `GET /tasks/{id}` against the bare baseline\n\n"
        "The baseline (`bench/baseline.py`): Starlette, the same row read with the raw driver "
        "(asyncpg pool / aiosqlite connections), no ORM, no auth.\n\n" + tables.baseline(results),
        f"## 3. Scale of data: `GET {LIST_PATH}`\n\n"
        "Deep page: reached by following `next_cursor` from page 1 (up to "
        f"{settings.deep_pages} pages; the 1,000-task user has fewer `todo` pages).\n\n"
        + tables.scale(results, settings),
        "## 4. Agent overhead\n\n" + tables.agent(results),
        "## 5. Reads while agents run (not blocking)\n\n" + tables.blocking(results, settings),
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
