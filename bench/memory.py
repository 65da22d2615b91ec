"""Figure 6: a worker's resident memory as tasks and agent sessions accumulate.

One worker (so the server process is the worker), offline model. RSS is read from
``/proc/<pid>/status`` after each step: start, 5,000 and 10,000 tasks created
through the API, 500 and 1,000 finished agent sessions, then after an idle pause.
Growth that stops (the second half adds ~nothing) means nothing accumulates per
task or per session in the process: sessions live in the database.
"""

import time

from bench.common import log
from bench.context import MEM_AGENT, MEM_TASKS, Context, MemoryResult
from bench.database import Database, count_tasks
from bench.procs import rss_kib
from bench.servers import run_json, start_service

IDLE_S = 5.0
STABLE_MIB = 2.0


def memory(ctx: Context, db: Database) -> None:
    s, procs = ctx.settings, ctx.procs
    server = start_service(procs, db, 1, s, name="service-memory")
    pid = server.worker_pids()[0]
    points: list[tuple[str, float]] = []
    errors: list[str] = []

    def point(label: str) -> None:
        mib = rss_kib(pid) / 1024
        points.append((label, mib))
        log(f"memory {label}: {mib:.1f} MiB")

    def send(user: str, path: str, body: str, count: int, concurrency: int) -> None:
        args = ["--url", server.url, "--key", ctx.user(db, user).key, "--path", path]
        args += ["--body", body, "--count", str(count), "--concurrency", str(concurrency)]
        result = run_json("bench.driver", args, timeout_s=600)
        statuses = result["statuses"]
        assert isinstance(statuses, dict)
        bad = {k: v for k, v in statuses.items() if not k.startswith("2")}
        if bad:
            errors.append(f"{path}: {bad}")

    try:
        time.sleep(1.0)
        point("after start")
        half_tasks = s.memory_tasks // 2
        task_body = '{"title": "memory task %N%", "priority": "high", "tags": ["mem"]}'
        for label in ("tasks, first half", "tasks, second half"):
            send(MEM_TASKS, "/tasks", task_body, half_tasks, 32)
            created = count_tasks(db, ctx.user(db, MEM_TASKS).id)
            point(f"after {created:,} tasks ({label.split(', ')[1]})")
        half_sessions = s.memory_sessions // 2
        agent_body = '{"message": "add a task to buy milk"}'
        for n in (1, 2):
            send(MEM_AGENT, "/agent", agent_body, half_sessions, 8)
            point(f"after {n * half_sessions:,} agent sessions")
        time.sleep(IDLE_S)
        point(f"after {IDLE_S:.0f} s idle")
    finally:
        procs.stop(server)
    ctx.results.memory = MemoryResult(db.label, points, errors, STABLE_MIB)
