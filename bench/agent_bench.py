"""Figures 4-5: the agent's overhead over a bare ``Runner.run``, and not blocking reads."""

import json
import statistics
import subprocess
import time
import urllib.request

from bench.common import BIN, OUT, ROOT, log, ratio
from bench.context import (
    AGENT,
    LOAD_USERS,
    MAXIMAL,
    AgentResult,
    BlockingResult,
    Context,
    MaximalRun,
    ids_env,
)
from bench.database import Database, User
from bench.procs import Process, clean_env, cpu_seconds
from bench.profiling import profile_wrk
from bench.servers import run_json, start_model_server, start_service
from bench.wrk import Series, measure, run_once

OFFLINE_MESSAGE = "add a task to buy milk"
# One maximal run: as many tool calls as TASKSERVICE_AGENT_MAX_TOOL_CALLS allows (50).
MAXIMAL_CALLS = 50
MAXIMAL_MESSAGE = "add tasks: " + "; ".join(f"maximal {n}" for n in range(1, MAXIMAL_CALLS + 1))
PHASE_REQUESTS = 100
LOAD_MESSAGE = "list my todo tasks"
BLOCKING_CONNECTIONS = 64


class BareLoop:
    """``bench.agent_loop`` in a process of its own, warm, running once per request."""

    def __init__(self, db: Database, user: User, message: str, warmup_s: int) -> None:
        argv = [str(BIN / "python"), "-m", "bench.agent_loop", "--database-url", db.url]
        argv += ["--user-id", str(user.id), "--message", message, "--on-request"]
        argv += ["--warmup", str(max(warmup_s, 1))]
        self.proc = subprocess.Popen(
            argv,
            cwd=ROOT,
            env=clean_env({}),
            stdin=subprocess.PIPE,
            stdout=subprocess.PIPE,
            text=True,
        )
        self._expect("WARM")

    def _expect(self, prefix: str) -> str:
        assert self.proc.stdout is not None
        for line in self.proc.stdout:
            if line.startswith(prefix):
                return line
        raise RuntimeError(f"bench.agent_loop ended ({self.proc.wait()}) before {prefix!r}")

    def run(self, seconds: float) -> dict[str, float]:
        assert self.proc.stdin is not None
        self.proc.stdin.write(f"{seconds}\n")
        self.proc.stdin.flush()
        result: dict[str, float] = json.loads(
            self._expect("BENCH_JSON ").removeprefix("BENCH_JSON ")
        )
        return result

    def close(self) -> None:
        if self.proc.stdin is not None:
            self.proc.stdin.close()
        try:
            self.proc.wait(timeout=30)
        except subprocess.TimeoutExpired:
            self.proc.kill()
            self.proc.wait()


def agent_overhead(ctx: Context, db: Database, server: Process) -> None:
    """Figure 4: POST /agent (offline model) one at a time against ``Runner.run`` in a
    bare loop, taking turns run by run (so that the machine's load falls on both)."""
    s, user = ctx.settings, ctx.user(db, AGENT)
    env = {"BENCH_KEY": user.key, "BENCH_MESSAGE": OFFLINE_MESSAGE}
    shape = {"threads": 1, "connections": 1}
    run_once(server.url, "agent.lua", env, duration_s=max(s.warmup_s, 1), **shape)
    bare = BareLoop(db, user, OFFLINE_MESSAGE, s.warmup_s)
    http_runs, bare_runs, cpu = [], [], 0.0
    try:
        for n in range(s.runs):
            for which in ("http", "bare") if n % 2 == 0 else ("bare", "http"):
                if which == "bare":
                    bare_runs.append(bare.run(s.duration_s))
                    continue
                pids = server.worker_pids()
                before = cpu_seconds(pids)
                http_runs.append(
                    run_once(server.url, "agent.lua", env, duration_s=s.duration_s, **shape)
                )
                cpu += cpu_seconds(pids) - before
    finally:
        bare.close()
    http = Series(tuple(http_runs), 1000 * cpu / max(sum(r.requests for r in http_runs), 1))
    http_ms = [1000 / run.rps for run in http.runs]
    phase_args = ["--database-url", db.url, "--key", user.key, "--message", OFFLINE_MESSAGE]
    phase_args += ["--requests", str(PHASE_REQUESTS), "--warmup", "20"]
    phases = run_json("bench.agent_phases", phase_args, timeout_s=180)
    agent = AgentResult(
        db.label,
        OFFLINE_MESSAGE,
        http,
        http_ms,
        bare_ms=[run["ms_per_turn"] for run in bare_runs],
        bare_cpu_ms=[run["cpu_ms_per_turn"] for run in bare_runs],
        phases=phases["phases"],  # type: ignore[arg-type]
        phases_total_ms=float(phases["total_ms"]),  # type: ignore[arg-type]
        phases_missing=phases["missing"],  # type: ignore[arg-type]
    )
    ctx.results.agent = agent
    log(
        f"agent: {statistics.median(http_ms):.1f} ms/turn over HTTP, "
        f"{statistics.median(agent.bare_ms):.1f} ms bare, ratio {agent.ratio:.2f}"
    )
    profile = profile_wrk(
        f"{db.label}, POST /agent (offline model), one at a time",
        "agent-http",
        server,
        "agent.lua",
        env,
        s,
        connections=1,
    )
    if profile is not None:
        ctx.results.profiles.append(profile)


def maximal_run(ctx: Context, db: Database, server: Process) -> None:
    """Issue 10's bound: another user's GET /tasks/{id} p99 while one maximal run (50
    tool calls, back to back, a new run as soon as one ends) stays within 3x of idle."""
    s, procs, user = ctx.settings, ctx.procs, ctx.user(db, MAXIMAL)
    reply = _post_agent(server.url, user, MAXIMAL_MESSAGE)
    calls = reply.get("tool_calls")
    made = len(calls) if isinstance(calls, list) else 0
    if made != MAXIMAL_CALLS:
        raise RuntimeError(f"a maximal run made {made} tool calls, not {MAXIMAL_CALLS}")
    ids = ids_env(ctx, db)
    where = f"{db.label} 1w GET /tasks/{{id}}"
    idle = measure(f"{where}, idle", server.url, "get_task.lua", ids, s)
    keys = OUT / "agent-maximal-keys.txt"
    keys.write_text(user.key)
    driver_argv = [
        str(BIN / "python"),
        "-m",
        "bench.agent_load",
        "--url",
        server.url,
        "--keys-file",
        str(keys),
        "--conversations",
        "1",
        "--turns-per-session",
        "1",
        "--message",
        MAXIMAL_MESSAGE,
        "--seconds",
        "120",
    ]
    driver = procs.start("agent-maximal", driver_argv, clean_env({}))
    try:
        _wait_for_line(driver, "STARTED", 60)
        loaded = measure(
            f"{where}, one maximal run after another", server.url, "get_task.lua", ids, s
        )
        server.check_alive()
    finally:
        procs.stop(driver)
    summary = _driver_summary(driver)
    ctx.results.maximal = MaximalRun(
        idle=idle,
        loaded=loaded,
        tool_calls=made,
        runs=int(summary.get("turns", 0)),  # type: ignore[call-overload]
        statuses=dict(summary.get("statuses", {})),  # type: ignore[call-overload]
        mean_run_ms=float(summary.get("mean_turn_ms", float("nan"))),  # type: ignore[arg-type]
    )
    log(f"maximal run: p99 {loaded.p99.median:.1f} ms against {idle.p99.median:.1f} ms idle")


def _post_agent(url: str, user: User, message: str) -> dict[str, object]:
    request = urllib.request.Request(
        url + "/agent",
        data=json.dumps({"message": message}).encode(),
        headers={"Authorization": f"Bearer {user.key}", "Content-Type": "application/json"},
        method="POST",
    )
    with urllib.request.urlopen(request, timeout=60) as response:
        reply: dict[str, object] = json.loads(response.read())
        return reply


def _model_calls(model: Process) -> int:
    with urllib.request.urlopen(model.url + "/health", timeout=10) as response:
        return int(json.loads(response.read())["calls"])


def _wait_for_line(process: Process, text: str, timeout_s: float) -> None:
    deadline = time.monotonic() + timeout_s
    while time.monotonic() < deadline:
        if text in process.log_path.read_text(errors="replace"):
            return
        if not process.running():
            break
        time.sleep(0.2)
    raise RuntimeError(f"{process.name} never printed {text!r}:\n{process.log_tail()}")


def not_blocking(ctx: Context, db: Database, workers: int = 2) -> None:
    """Figure 5: GET /tasks/{id} p99 while 64 conversations run on a 200 ms model."""
    s, procs = ctx.settings, ctx.procs
    model = start_model_server(procs, s.model_delay_s)
    try:
        extra = {
            "OPENAI_API_KEY": "dummy",
            "OPENAI_BASE_URL": f"{model.url}/v1",
            "TASKSERVICE_AGENT_MODEL": "bench",
            # The figure is the agent's overhead: one model call per turn, no guardrail's.
            "TASKSERVICE_AGENT_GUARDRAIL": "off",
        }
        server = start_service(procs, db, workers, s, name="service-slow-model", extra_env=extra)
        try:
            _not_blocking(ctx, db, workers, model, server)
        finally:
            procs.stop(server)
    finally:
        procs.stop(model)


def _not_blocking(
    ctx: Context, db: Database, workers: int, model: Process, server: Process
) -> None:
    s, procs = ctx.settings, ctx.procs
    reply = _post_agent(server.url, ctx.user(db, LOAD_USERS[0]), LOAD_MESSAGE)
    calls = _model_calls(model)
    log(f"one turn on the slow model: {calls} model calls, handoffs {reply['handoffs']}")
    ids = ids_env(ctx, db)
    where = f"{db.label} {workers}w GET /tasks/{{id}}"
    # 64 connections for the reads, as this figure has always been measured
    c = BLOCKING_CONNECTIONS
    idle = measure(f"{where}, idle", server.url, "get_task.lua", ids, s, connections=c)
    keys = OUT / "agent-load-keys.txt"
    keys.write_text("\n".join(ctx.user(db, name).key for name in LOAD_USERS))
    driver_argv = [
        str(BIN / "python"),
        "-m",
        "bench.agent_load",
        "--url",
        server.url,
        "--keys-file",
        str(keys),
        "--conversations",
        str(s.agent_conversations),
        "--message",
        LOAD_MESSAGE,
        "--seconds",
        "180",
    ]
    driver = procs.start("agent-load", driver_argv, clean_env({}))
    calls_before = _model_calls(model)
    try:
        _wait_for_line(driver, "STARTED", 120)
        log(f"{s.agent_conversations} conversations running")
        label = f"{where}, {s.agent_conversations} agent conversations"
        loaded = measure(label, server.url, "get_task.lua", ids, s, connections=c)
        server.check_alive(workers)
        if ratio(loaded.p99.median, idle.p99.median) > 3:
            profile = profile_wrk(
                f"{db.label} {workers}w, GET /tasks/{{id}} while {s.agent_conversations} "
                "agent conversations run (one worker)",
                "get-under-agent-load",
                server,
                "get_task.lua",
                ids,
                s,
                connections=c,
            )
            if profile is not None:
                ctx.results.profiles.append(profile)
    finally:
        procs.stop(driver)
    calls = _model_calls(model) - calls_before
    summary = _driver_summary(driver)
    turns = int(summary.get("turns", 0))  # type: ignore[call-overload]
    ctx.results.blocking = BlockingResult(
        db=db.label,
        workers=workers,
        idle=idle,
        loaded=loaded,
        turns=turns,
        statuses=dict(summary.get("statuses", {})),  # type: ignore[call-overload]
        mean_turn_ms=float(summary.get("mean_turn_ms", float("nan"))),  # type: ignore[arg-type]
        calls_per_turn=ratio(calls, turns),
    )


def _driver_summary(driver: Process) -> dict[str, object]:
    for line in driver.log_path.read_text(errors="replace").splitlines():
        if line.startswith("BENCH_JSON "):
            summary: dict[str, object] = json.loads(line.removeprefix("BENCH_JSON "))
            return summary
    log(f"the agent load driver left no summary:\n{driver.log_tail()}")
    return {}
