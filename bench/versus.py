"""Figure 1: the service against its stack floor (and the bare baseline), side by side.

The servers run at the same time, each with one worker, and take turns: every
measured run of one is followed by a run of the other (in alternating order), so a
change in what else the machine runs meanwhile falls on both alike. Each server's CPU
time is read around its own runs only, so an idle server's few ticks are not counted.
The same interleaving compares two requests on one server (the scale of data).
"""

from collections.abc import Mapping
from dataclasses import dataclass

from bench.common import Settings, log
from bench.context import BASELINE, FLOOR, LIST_PATH, SERVICE, WRITER, Context, SideBySide, ids_env
from bench.database import Database
from bench.procs import Process, cpu_seconds
from bench.servers import start_baseline, start_floor
from bench.wrk import Run, Series, run_once

GET = "GET /tasks/{id}"


@dataclass(frozen=True)
class Variant:
    """One thing to load: a server, and the settings its script reads."""

    server: Process
    env: Mapping[str, str]


def interleaved(
    label: str,
    variants: Mapping[str, Variant],
    script: str,
    settings: Settings,
    *,
    connections: int,
) -> dict[str, Series]:
    """A warm-up run of each variant, then ``settings.runs`` runs of each, taking turns
    (the order alternates); each variant's server CPU time is read around its own runs."""
    threads = min(settings.threads, connections)
    shape = {"threads": threads, "connections": connections}
    if settings.warmup_s > 0:
        for v in variants.values():
            run_once(v.server.url, script, v.env, duration_s=settings.warmup_s, **shape)
    runs: dict[str, list[Run]] = {name: [] for name in variants}
    cpu = dict.fromkeys(variants, 0.0)
    names = list(variants)
    for n in range(settings.runs):
        for name in names if n % 2 == 0 else reversed(names):
            v = variants[name]
            pids = v.server.worker_pids()
            before = cpu_seconds(pids)
            runs[name].append(
                run_once(v.server.url, script, v.env, duration_s=settings.duration_s, **shape)
            )
            cpu[name] += cpu_seconds(pids) - before
    series = {}
    for name, done in runs.items():
        requests = sum(r.requests for r in done)
        series[name] = Series(tuple(done), 1000 * cpu[name] / max(requests, 1))
    parts = [
        f"{name} {s.rps.fmt()} req/s, p99 {s.p99.median:.1f} ms, {s.cpu_text} ms CPU, "
        f"errors {s.errors_text}"
        for name, s in series.items()
    ]
    log(f"{label} -c{connections}: " + "; ".join(parts))
    return series


def versus(ctx: Context, db: Database, service: Process) -> None:
    """Figure 1 on a running service with one worker: the floor and the baseline start
    beside it, with the same worker count, pool size and log level."""
    s, procs = ctx.settings, ctx.procs
    floor = start_floor(procs, db)
    baseline = start_baseline(procs, db, 1, ctx.user(db, "crud").id)
    try:
        ids = ids_env(ctx, db)
        writer = {"BENCH_KEY": ctx.user(db, WRITER).key}
        requests = (
            (GET, "get_task.lua", ids),
            (f"GET {LIST_PATH}", "get_path.lua", {**ids, "BENCH_PATH": LIST_PATH}),
            ("PATCH /tasks/{id}", "patch_task.lua", ids),
            ("POST /tasks", "post_task.lua", writer),
        )
        for what, script, env in requests:
            servers = {SERVICE: service, FLOOR: floor}
            if what == GET:
                servers[BASELINE] = baseline
            variants = {name: Variant(server, env) for name, server in servers.items()}
            series = interleaved(what, variants, script, s, connections=s.connections)
            ctx.results.versus.append(SideBySide(what, s.connections, series))
            service.check_alive()
        procs.stop(baseline)
        for connections in s.high_connections:
            variants = {SERVICE: Variant(service, ids), FLOOR: Variant(floor, ids)}
            series = interleaved(GET, variants, "get_task.lua", s, connections=connections)
            ctx.results.versus.append(SideBySide(GET, connections, series))
            service.check_alive()
    finally:
        procs.stop(floor)
        procs.stop(baseline)
