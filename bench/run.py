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
from collections.abc import Callable
from functools import partial
from pathlib import Path
from types import FrameType

if __package__ in (None, ""):  # run as a script: make the repository importable
    sys.path.insert(0, str(Path(__file__).resolve().parents[1]))

from bench import agent_bench, crud, memory, report
from bench.common import Settings, elapsed, log
from bench.context import Context, prepare
from bench.database import Database, databases, drop
from bench.procs import Processes, ServerDied
from bench.servers import start_service
from bench.wrk import wrk_path

# The optional part (the scale of data on SQLite, last) is skipped past this point, so
# that a run stays under 10 minutes on a busy 2-core machine.
OPTIONAL_BUDGET_S = 470.0


def _terminate(signum: int, frame: FrameType | None) -> None:
    raise SystemExit(128 + signum)


def service_figures(ctx: Context, db: Database, workers: int) -> None:
    """Figures 1-4 on one running service, then the baseline with the same workers."""
    procs, pg = ctx.procs, db.kind == "postgresql"
    server = start_service(procs, db, workers, ctx.settings, name=f"service-{db.kind}-{workers}w")
    try:
        ours = crud.crud(ctx, db, workers, server)
        if pg and workers == 1:
            crud.profile_get(ctx, db, server)
            agent_bench.agent_overhead(ctx, db, server)
        if workers == 2:
            if pg or elapsed() < OPTIONAL_BUDGET_S:
                crud.scale(ctx, db, workers, server)
                if pg:
                    crud.profile_list(ctx, db, server)
            else:
                ctx.results.skipped.append(f"{db.label}: scale of data (time budget)")
        if pg and workers == 1:
            crud.idempotent_post(ctx, db, workers, server)  # last: it may stall the server
    finally:
        procs.stop(server, timeout_s=5)
    crud.baseline(ctx, db, workers, ours)


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
            for workers in (1, 2):
                group = partial(service_figures, ctx, postgres, workers)
                attempt(ctx, f"{postgres.label}, {workers} worker(s)", group)
            attempt(ctx, "not blocking", partial(agent_bench.not_blocking, ctx, postgres))
            attempt(ctx, "memory", partial(memory.memory, ctx, postgres))
            for workers in (1, 2):
                group = partial(service_figures, ctx, sqlite, workers)
                attempt(ctx, f"{sqlite.label}, {workers} worker(s)", group)
    finally:
        for db in dbs:
            try:
                drop(db)
            except Exception as exc:  # keep cleaning up the others
                log(f"dropping {db.label} {db.name} failed: {exc}")
    text = report.write(ctx.results, settings, load_before)
    print(text)
    log(f"done in {elapsed() / 60:.1f} min; wrote bench/RESULTS.md")
    return 1 if ctx.results.failures else 0


if __name__ == "__main__":
    sys.exit(main())
