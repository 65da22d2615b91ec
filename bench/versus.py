"""Figure 1: the service against its stack floor (and the bare baseline), side by side.

The servers run at the same time, each with one worker, and take turns: every
measured run of one is followed by a run of the other (in alternating order), so a
change in what else the machine runs meanwhile falls on both alike. Each server's CPU
time is read around its own runs only, so an idle server's few ticks are not counted.
"""

from collections.abc import Mapping
from dataclasses import dataclass

from bench.common import Settings, log, ratio
from bench.procs import Process, cpu_seconds
from bench.wrk import Run, Series, run_once

SERVICE, FLOOR, BASELINE = "taskservice", "floor", "baseline"


@dataclass(frozen=True)
class SideBySide:
    """One request at one concurrency, on each server."""

    what: str
    connections: int
    series: dict[str, Series]

    @property
    def service(self) -> Series:
        return self.series[SERVICE]

    @property
    def floor(self) -> Series:
        return self.series[FLOOR]

    @property
    def ratio(self) -> float:
        """The service's req/s over the floor's (medians)."""
        return ratio(self.service.rps.median, self.floor.rps.median)

    @property
    def cpu_ratio(self) -> float:
        """The floor's CPU per request over the service's: the same ratio, from CPU time."""
        return ratio(self.floor.cpu_ms or 0.0, self.service.cpu_ms or 0.0)

    @property
    def p99_ratio(self) -> float:
        return ratio(self.service.p99.median, self.floor.p99.median)

    @property
    def ok(self) -> bool:
        return all(s.ok for s in self.series.values())


def side_by_side(
    what: str,
    servers: Mapping[str, Process],
    script: str,
    env: Mapping[str, str],
    settings: Settings,
    *,
    connections: int,
) -> SideBySide:
    """A warm-up run on each server, then ``settings.runs`` runs of each, taking turns."""
    threads = min(settings.threads, connections)
    shape = {"threads": threads, "connections": connections}
    if settings.warmup_s > 0:
        for server in servers.values():
            run_once(server.url, script, env, duration_s=settings.warmup_s, **shape)
    runs: dict[str, list[Run]] = {name: [] for name in servers}
    cpu = dict.fromkeys(servers, 0.0)
    names = list(servers)
    for n in range(settings.runs):
        for name in names if n % 2 == 0 else reversed(names):
            server = servers[name]
            pids = server.worker_pids()
            before = cpu_seconds(pids)
            runs[name].append(
                run_once(server.url, script, env, duration_s=settings.duration_s, **shape)
            )
            cpu[name] += cpu_seconds(pids) - before
    series = {}
    for name, done in runs.items():
        requests = sum(r.requests for r in done)
        series[name] = Series(tuple(done), 1000 * cpu[name] / max(requests, 1))
    result = SideBySide(what, connections, series)
    parts = [
        f"{name} {s.rps.fmt()} req/s p99 {s.p99.median:.1f} ms {s.cpu_text} ms CPU"
        for name, s in series.items()
    ]
    log(
        f"{what} -c{connections}: "
        + "; ".join(parts)
        + f"; service/floor {result.ratio:.2f} (CPU {result.cpu_ratio:.2f})"
    )
    return result
