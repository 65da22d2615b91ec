"""Figures 1-3: CRUD throughput and latency, the bare baseline, and the scale of data."""

import json
import urllib.parse
import urllib.request

from bench.common import log
from bench.context import CRUD, LARGE, LIST_PATH, SMALL, WRITER, Context, Measured
from bench.database import Database, User
from bench.procs import Process
from bench.profiling import profile_wrk
from bench.query_costs import list_query_costs, stuck_connections
from bench.servers import start_baseline
from bench.wrk import Series, measure, run_once

# A request still waiting after this long counts as an error (wrk's timeout): a stalled
# pool holds them for TASKSERVICE_DB_POOL_TIMEOUT_S (60 s) instead.
IDEMPOTENT_RUN_S = 7
IDEMPOTENT_TIMEOUT_S = 3


def _ids_env(ctx: Context, db: Database) -> dict[str, str]:
    low, high = ctx.crud_ids[db.kind]
    return {
        "BENCH_KEY": ctx.user(db, CRUD).key,
        "BENCH_ID_MIN": str(low),
        "BENCH_ID_MAX": str(high),
    }


def crud(ctx: Context, db: Database, workers: int, server: Process) -> Series:
    """Figure 1 on a running service; returns the GET /tasks/{id} series for figure 2."""
    s, where = ctx.settings, f"{db.label} {workers}w"
    ids = _ids_env(ctx, db)
    endpoints = (
        ("GET /tasks/{id}", "get_task.lua", ids),
        (f"GET {LIST_PATH}", "get_path.lua", {**ids, "BENCH_PATH": LIST_PATH}),
        ("PATCH /tasks/{id}", "patch_task.lua", ids),
        ("POST /tasks", "post_task.lua", {"BENCH_KEY": ctx.user(db, WRITER).key}),
    )
    found: dict[str, Series] = {}
    for what, script, env in endpoints:
        pids = server.worker_pids()
        series = measure(f"{where} {what}", server.url, script, env, s, server_pids=pids)
        server.check_alive(workers)
        ctx.results.crud.append(Measured(db.label, workers, what, series))
        found[what] = series
    return found["GET /tasks/{id}"]


def idempotent_post(ctx: Context, db: Database, workers: int, server: Process) -> None:
    """POST /tasks with an Idempotency-Key at full concurrency: one run, the server's last.

    Each such request holds its own connection (the auth query's transaction) while it
    claims the key on a second one; with more requests than pooled connections, that
    can stall the whole pool (see the analysis), so it runs once, at the end.
    """
    s = ctx.settings
    env = {"BENCH_KEY": ctx.user(db, WRITER).key, "BENCH_RUN_ID": f"{db.kind}{workers}"}
    run = run_once(
        server.url,
        "post_task_idempotent.lua",
        env,
        duration_s=IDEMPOTENT_RUN_S,
        threads=s.threads,
        connections=s.connections,
        timeout_s=IDEMPOTENT_TIMEOUT_S,
    )
    series = Series((run,))
    what = f"POST /tasks with Idempotency-Key (1 run of {IDEMPOTENT_RUN_S} s)"
    stuck = stuck_connections(db)
    problem = (
        f"{stuck} connections idle in transaction > 2 s (each request holds one, waits for another)"
        if stuck
        else ""
    )
    measured = Measured(db.label, workers, what, series, problem=problem)
    log(f"{db.label} {workers}w {what}: {series.rps.fmt()} req/s, errors {measured.errors_text}")
    ctx.results.crud.append(measured)


def baseline(ctx: Context, db: Database, workers: int, ours: Series) -> None:
    """Figure 2: the same GET on the bare baseline, same server and workers."""
    owner = ctx.user(db, CRUD).id
    procs = ctx.procs
    server = start_baseline(procs, db, workers, owner)
    try:
        env = {k: v for k, v in _ids_env(ctx, db).items() if k != "BENCH_KEY"}
        label = f"{db.label} {workers}w baseline GET /tasks/{{id}}"
        pids = server.worker_pids()
        theirs = measure(label, server.url, "get_task.lua", env, ctx.settings, server_pids=pids)
    finally:
        procs.stop(server)
    ctx.results.baseline.append(
        (
            Measured(db.label, workers, "taskservice", ours),
            Measured(db.label, workers, "baseline", theirs),
        )
    )


def profile_get(ctx: Context, db: Database, server: Process) -> None:
    """Where a worker's CPU goes while serving GET /tasks/{id} (evidence for figure 2)."""
    s = ctx.settings
    profile = profile_wrk(
        f"{db.label}, GET /tasks/{{id}}, -c{s.connections}",
        f"get-{db.kind}",
        server,
        "get_task.lua",
        _ids_env(ctx, db),
        s,
    )
    if profile is not None:
        ctx.results.profiles.append(profile)


def _get_json(url: str, user: User) -> dict[str, object]:
    request = urllib.request.Request(url, headers={"Authorization": f"Bearer {user.key}"})
    with urllib.request.urlopen(request, timeout=30) as response:
        data: dict[str, object] = json.loads(response.read())
        return data


def deep_path(server: Process, user: User, pages: int) -> tuple[str, int]:
    """The list URL ``pages`` pages down the cursor chain (or its last page); its depth."""
    path, depth = LIST_PATH, 1
    while depth < pages + 1:
        page = _get_json(server.url + path, user)
        cursor = page.get("next_cursor")
        if not isinstance(cursor, str):
            break
        path = f"{LIST_PATH}&cursor={urllib.parse.quote(cursor)}"
        depth += 1
    return path, depth


def scale(ctx: Context, db: Database, workers: int, server: Process) -> None:
    """Figure 3: the filtered, sorted list at 1,000 and 100,000 tasks, first and deep page."""
    s = ctx.settings
    for name, size in ((SMALL, s.seed_small), (LARGE, s.seed_large)):
        user = ctx.user(db, name)
        deep, depth = deep_path(server, user, s.deep_pages)
        for kind, page, path in (("first", "page 1", LIST_PATH), ("deep", f"page {depth}", deep)):
            label = f"{db.label} {workers}w list, {size:,} tasks, {page}"
            env = {"BENCH_KEY": user.key, "BENCH_PATH": path}
            pids = server.worker_pids()
            series = measure(label, server.url, "get_path.lua", env, s, server_pids=pids)
            server.check_alive(workers)
            ctx.results.scale.append(Measured(db.label, workers, page, series, f"{kind}:{size}"))


def profile_list(ctx: Context, db: Database, server: Process) -> None:
    """Where a worker's CPU goes while serving the first list page of 100,000 tasks."""
    s = ctx.settings
    env = {"BENCH_KEY": ctx.user(db, LARGE).key, "BENCH_PATH": LIST_PATH}
    label = f"{db.label}, GET {LIST_PATH} with {s.seed_large:,} tasks"
    profile = profile_wrk(label, f"list-large-{db.kind}", server, "get_path.lua", env, s)
    if profile is not None:
        ctx.results.profiles.append(profile)
    ctx.results.scale_queries += list_query_costs(db, ctx.user(db, SMALL).id, s.seed_small)
    ctx.results.scale_queries += list_query_costs(db, ctx.user(db, LARGE).id, s.seed_large)
