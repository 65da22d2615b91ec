"""Load from wrk, a separate process: one run, or the median of several after a warm-up.

The Lua scripts in ``bench/lua`` read their settings from ``BENCH_*`` environment
variables and end with a ``BENCH_JSON {...}`` line (see ``common.lua``).
"""

import json
import shutil
import subprocess
from collections.abc import Mapping
from dataclasses import dataclass

from bench.common import LUA, Settings, Stat, log
from bench.procs import cpu_seconds


@dataclass(frozen=True)
class Run:
    requests: int
    seconds: float
    rps: float
    p50_ms: float
    p99_ms: float
    mean_ms: float
    non2xx: int
    socket_errors: int


@dataclass(frozen=True)
class Series:
    """Several runs of one measurement."""

    runs: tuple[Run, ...]
    cpu_ms: float | None = None  # server CPU (all workers) per request, over the runs

    @property
    def rps(self) -> Stat:
        return Stat.of([r.rps for r in self.runs])

    @property
    def p50(self) -> Stat:
        return Stat.of([r.p50_ms for r in self.runs])

    @property
    def p99(self) -> Stat:
        return Stat.of([r.p99_ms for r in self.runs])

    @property
    def mean_ms(self) -> Stat:
        return Stat.of([r.mean_ms for r in self.runs])

    @property
    def non2xx(self) -> int:
        return sum(r.non2xx for r in self.runs)

    @property
    def socket_errors(self) -> int:
        return sum(r.socket_errors for r in self.runs)

    @property
    def requests(self) -> int:
        return sum(r.requests for r in self.runs)

    @property
    def ok(self) -> bool:
        return self.requests > 0 and self.non2xx == 0 and self.socket_errors == 0

    @property
    def cpu_text(self) -> str:
        return "" if self.cpu_ms is None else f"{self.cpu_ms:.2f}"

    @property
    def errors_text(self) -> str:
        if self.requests == 0:
            return "**no response at all**"
        return "0" if self.ok else f"{self.non2xx} non-2xx, {self.socket_errors} socket"


def wrk_path() -> str:
    path = shutil.which("wrk")
    if path is None:
        raise RuntimeError("wrk is not installed: apt-get install -y wrk (make bench does it)")
    return path


def wrk_version() -> str:
    done = subprocess.run([wrk_path(), "-v"], capture_output=True, text=True, check=False)
    return (done.stdout + done.stderr).split("Copyright")[0].strip() or "wrk"


def run_once(
    url: str,
    script: str,
    env: Mapping[str, str],
    *,
    duration_s: int,
    threads: int,
    connections: int,
    timeout_s: int = 30,
) -> Run:
    argv = [
        wrk_path(),
        f"-t{threads}",
        f"-c{connections}",
        f"-d{duration_s}s",
        f"--timeout={timeout_s}s",
        "-s",
        str(LUA / script),
        url,
    ]
    full_env = {**env, "BENCH_LUA_DIR": str(LUA)}
    done = subprocess.run(
        argv,
        env=full_env,
        capture_output=True,
        text=True,
        timeout=duration_s + timeout_s + 30,
        check=False,
    )
    for line in done.stdout.splitlines():
        if line.startswith("BENCH_JSON "):
            data = json.loads(line.removeprefix("BENCH_JSON "))
            return Run(
                requests=data["requests"],
                seconds=data["seconds"],
                rps=data["rps"],
                p50_ms=data["p50_ms"],
                p99_ms=data["p99_ms"],
                mean_ms=data["mean_ms"],
                non2xx=data["non2xx"],
                socket_errors=data["connect"] + data["read"] + data["write"] + data["timeout"],
            )
    raise RuntimeError(f"wrk gave no result ({done.returncode}):\n{done.stdout}\n{done.stderr}")


def measure(
    label: str,
    url: str,
    script: str,
    env: Mapping[str, str],
    settings: Settings,
    *,
    connections: int | None = None,
    threads: int | None = None,
    server_pids: list[int] | None = None,
) -> Series:
    """A warm-up run (discarded), then ``settings.runs`` measured runs.

    With ``server_pids``, also the servers' CPU time per request: unlike req/s, it
    does not depend on how much of the machine other processes take meanwhile.
    """
    connections = connections or settings.connections
    threads = min(threads or settings.threads, connections)
    shape = {"threads": threads, "connections": connections}
    if settings.warmup_s > 0:
        run_once(url, script, env, duration_s=settings.warmup_s, **shape)
    runs = []
    cpu_before = cpu_seconds(server_pids or [])
    for _ in range(settings.runs):
        run = run_once(url, script, env, duration_s=settings.duration_s, **shape)
        runs.append(run)
    cpu_ms = None
    if server_pids:
        requests = sum(r.requests for r in runs)
        cpu_ms = 1000 * (cpu_seconds(server_pids) - cpu_before) / max(requests, 1)
    series = Series(tuple(runs), cpu_ms)
    cpu = f", server CPU {cpu_ms:.2f} ms/req" if cpu_ms is not None else ""
    log(
        f"{label}: {series.rps.fmt()} req/s, p50 {series.p50.fmt(1)} ms, "
        f"p99 {series.p99.fmt(1)} ms, errors {series.errors_text}{cpu}"
    )
    return series
