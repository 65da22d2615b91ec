"""Run every benchmark and write bench/RESULTS.md (also printed on stdout).

    .venv/bin/python -m bench.run        # or: make bench

Progress goes to stderr. Every server runs as its own process on 127.0.0.1 and
is stopped at the end, failure or not; the bench databases are dropped. The
``BENCH_*`` variables of :class:`bench.common.Settings` shorten or lengthen it
(e.g. ``BENCH_DURATION_S=5``).
"""

import os
import signal
import sys
import traceback
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from functools import partial
from pathlib import Path
from types import FrameType

if __package__ in (None, ""):  # run as a script: make the repository importable
    sys.path.insert(0, str(Path(__file__).resolve().parents[1]))

from bench import agent_bench, crud, memory, report, versus
from bench.common import Settings, elapsed, log
from bench.context import Context, prepare
from bench.database import Database, databases, drop
from bench.procs import Process, Processes, ServerDied
from bench.servers import start_service
from bench.wrk import wrk_path

# The optional parts (memory, then SQLite) are skipped past these points, so that a run
# stays under 12 minutes on a busy 2-core machine.
MEMORY_BUDGET_S = 480.0
SQLITE_BUDGET_S = 560.0


def _terminate(signum: int, frame: FrameType | None) -> None:
    raise SystemExit(128 + signum)


@contextmanager
def one_worker(ctx: Context, db: Database, name: str) -> Iterator[Process]:
    """The service with one worker, for one group of figures; stopped when it ends."""
    server = start_service(ctx.procs, db, 1, ctx.settings, name=f"service-{db.kind}-{name}")
    try:
        yield server
    finally:
        ctx.procs.stop(server, timeout_s=5)


def against_the_floor(ctx: Context, db: Database) -> None:
    """Figure 1 (the totals checked first, before anything writes), and a GET profile."""
    with one_worker(ctx, db, "versus") as server:
        crud.check_api_totals(ctx, db, server)
        versus.versus(ctx, db, server)
        crud.profile_get(ctx, db, server)


def agent_figures(ctx: Context, db: Database) -> None:
    """Figure 4 (the agent's overhead) and issue 10's maximal run."""
    with one_worker(ctx, db, "agent") as server:
        agent_bench.agent_overhead(ctx, db, server)
        agent_bench.maximal_run(ctx, db, server)


def scale_figures(ctx: Context, db: Database) -> None:
    """Figure 3, then the idempotent POST (last: it may stall the server)."""
    with one_worker(ctx, db, "scale") as server:
        crud.scale(ctx, db, server)
        crud.profile_list(ctx, db, server)
        crud.idempotent_post(ctx, db, 1, server)


def sqlite_figures(ctx: Context, db: Database) -> None:
    with one_worker(ctx, db, "crud") as server:
        crud.check_api_totals(ctx, db, server)
        crud.crud(ctx, db, 1, server)


def attempt(ctx: Context, name: str, work: Callable[[], None], tries: int = 2) -> None:
    """Run one group of figures; a failure is reported and the rest still runs.

    A server that disappears mid-run (another process on a shared machine can kill
    it) gets one more try with a fresh server.
    """
    lists = {k: v for k, v in vars(ctx.results).items() if isinstance(v, list)}
    sizes = {k: len(v) for k, v in lists.items()}
    for n in range(1, tries + 1):
        try:
            work()
            return
        except ServerDied as exc:
            log(f"{name}: {exc}")
            for key, values in lists.items():  # drop this group's partial figures
                del values[sizes[key] :]
            if n == tries:
                ctx.results.failures.append(f"{name}: {str(exc).splitlines()[0]}")
            else:
                log(f"{name}: trying again with a fresh server")
        except Exception as exc:
            log(f"{name} failed:\n{traceback.format_exc()}")
            ctx.results.failures.append(f"{name}: {type(exc).__name__}: {exc}")
            return


def main() -> int:
    signal.signal(signal.SIGTERM, _terminate)
    settings = Settings.from_env()
    wrk_path()
    load_before = " ".join(f"{x:.2f}" for x in os.getloadavg())
    log(f"settings: {settings}")
    dbs = databases()
    try:
        with Processes() as procs:
            ctx = Context(settings, procs, dbs)
            prepare(ctx)
            postgres, sqlite = dbs
            attempt(ctx, "against the floor", partial(against_the_floor, ctx, postgres))
            attempt(ctx, "agent", partial(agent_figures, ctx, postgres))
            attempt(ctx, "scale of data", partial(scale_figures, ctx, postgres))
            attempt(ctx, "not blocking", partial(agent_bench.not_blocking, ctx, postgres))
            if elapsed() < MEMORY_BUDGET_S:
                attempt(ctx, "memory", partial(memory.memory, ctx, postgres))
            else:
                ctx.results.skipped.append("memory (time budget)")
            if elapsed() < SQLITE_BUDGET_S:
                attempt(ctx, "SQLite", partial(sqlite_figures, ctx, sqlite))
            else:
                ctx.results.skipped.append("SQLite CRUD (time budget)")
    finally:
        for db in dbs:
            try:
                drop(db)
            except Exception as exc:  # keep cleaning up the others
                log(f"dropping {db.label} {db.name} failed: {exc}")
    text = report.write(ctx.results, settings, load_before)
    print(text)
    log(f"done: the whole run took {elapsed() / 60:.1f} min; wrote bench/RESULTS.md")
    return 1 if ctx.results.failures else 0


if __name__ == "__main__":
    sys.exit(main())
