"""CRUD on SQLite, the seeded totals as the API gives them, the scale of data, and the
idempotent POST (figures 1b, 3 and the checks around them)."""

import json
import urllib.parse
import urllib.request

from bench.common import log
from bench.context import (
    LARGE,
    LIST_PATH,
    SMALL,
    WRITER,
    Context,
    Measured,
    ids_env,
)
from bench.database import Database, User
from bench.procs import Process
from bench.profiling import profile_wrk
from bench.query_costs import count_costs, stuck_connections
from bench.versus import Variant, interleaved
from bench.wrk import Series, measure, run_once

# A request still waiting after this long counts as an error (wrk's timeout): a stalled
# pool holds them for TASKSERVICE_DB_POOL_TIMEOUT_S (60 s) instead.
IDEMPOTENT_RUN_S = 7
IDEMPOTENT_TIMEOUT_S = 3
# A filter whose total is counted (bounded), not summed from the counters.
TAG_PATH = "/tasks?tag=work&limit=20"


def crud(ctx: Context, db: Database, workers: int, server: Process) -> None:
    """The four requests on the service alone (SQLite has no floor to compare with)."""
    s, where = ctx.settings, f"{db.label} {workers}w"
    ids = ids_env(ctx, db)
    endpoints = (
        ("GET /tasks/{id}", "get_task.lua", ids),
        (f"GET {LIST_PATH}", "get_path.lua", {**ids, "BENCH_PATH": LIST_PATH}),
        ("PATCH /tasks/{id}", "patch_task.lua", ids),
        ("POST /tasks", "post_task.lua", {"BENCH_KEY": ctx.user(db, WRITER).key}),
    )
    for what, script, env in endpoints:
        pids = server.worker_pids()
        series = measure(f"{where} {what}", server.url, script, env, s, server_pids=pids)
        server.check_alive(workers)
        ctx.results.crud.append(Measured(db.label, workers, what, series))


def check_api_totals(ctx: Context, db: Database, server: Process) -> None:
    """Every seeded user's ``total`` (GET /tasks) is the number of tasks seeded for it,
    and exact: the counters are what the service itself would have kept."""
    wrong, right = [], []
    for name, seeded in ctx.seeded[db.kind].items():
        page = _get_json(server.url + "/tasks?limit=1", ctx.user(db, name))
        found = (page.get("total"), page.get("total_exact"))
        if found != (seeded, True):
            wrong.append(f"{name}: total {found[0]} (exact: {found[1]}), seeded {seeded:,}")
        else:
            right.append(f"{name} {seeded:,}")
    ctx.results.totals.append(f"{db.label}: " + ", ".join(right))
    if wrong:
        raise RuntimeError(f"{db.label}: totals differ from what was seeded: {'; '.join(wrong)}")
    log(f"{db.label}: API totals equal the seeded tasks for {len(right)} users")


def idempotent_post(ctx: Context, db: Database, workers: int, server: Process) -> None:
    """POST /tasks with an Idempotency-Key, one run: the server's last (it may stall it).

    Each such request claims its key in a transaction of its own, then writes the task
    with its stored response: two commits, each a disk sync.
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


def profile_get(ctx: Context, db: Database, server: Process) -> None:
    """Where a worker's CPU goes while serving GET /tasks/{id} (evidence for figure 1)."""
    s = ctx.settings
    profile = profile_wrk(
        f"{db.label}, GET /tasks/{{id}}, -c{s.connections}",
        f"get-{db.kind}",
        server,
        "get_task.lua",
        ids_env(ctx, db),
        s,
    )
    if profile is not None:
        ctx.results.profiles.append(profile)


def _get_json(url: str, user: User) -> dict[str, object]:
    request = urllib.request.Request(url, headers={"Authorization": f"Bearer {user.key}"})
    with urllib.request.urlopen(request, timeout=60) as response:
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


def scale(ctx: Context, db: Database, server: Process) -> None:
    """Figure 3: the same list at 1,000 and 1,000,000 tasks, taking turns on one server:
    page 1, a deep page (by cursor), and page 1 of a filter whose total is counted."""
    s = ctx.settings
    small, large = ctx.user(db, SMALL), ctx.user(db, LARGE)
    deep_small, depth_small = deep_path(server, small, s.deep_pages)
    deep_large, depth_large = deep_path(server, large, s.deep_pages)
    pages = (
        (f"`{LIST_PATH}` page 1", LIST_PATH, LIST_PATH),
        (f"the same, page {depth_small} / page {depth_large}", deep_small, deep_large),
        (f"`{TAG_PATH}` page 1 (total counted)", TAG_PATH, TAG_PATH),
    )
    for label, small_path, large_path in pages:
        variants = {
            f"{s.seed_small:,}": Variant(
                server, {"BENCH_KEY": small.key, "BENCH_PATH": small_path}
            ),
            f"{s.seed_large:,}": Variant(
                server, {"BENCH_KEY": large.key, "BENCH_PATH": large_path}
            ),
        }
        series = interleaved(label, variants, "get_path.lua", s, connections=s.connections)
        server.check_alive()
        ctx.results.scale.append((label, series))


def profile_list(ctx: Context, db: Database, server: Process) -> None:
    """Where a worker's CPU goes while serving the first list page of the largest user,
    and what each filter's page and total cost on the database (figure 3)."""
    s = ctx.settings
    env = {"BENCH_KEY": ctx.user(db, LARGE).key, "BENCH_PATH": LIST_PATH}
    label = f"{db.label}, GET {LIST_PATH} with {s.seed_large:,} tasks"
    profile = profile_wrk(label, f"list-large-{db.kind}", server, "get_path.lua", env, s)
    if profile is not None:
        ctx.results.profiles.append(profile)
    for name, size in ((SMALL, s.seed_small), (LARGE, s.seed_large)):
        ctx.results.count_costs += count_costs(db, ctx.user(db, name).id, size)
